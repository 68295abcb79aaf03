"""Static files under fingerprinted names, served by WhiteNoise: cached a year, immutable.

At start-up each file of static/ is copied to STATIC_BUILD_DIR under a name holding the hash of
its content (css/site.3f2a1b9c4d.css), with its gzip and brotli siblings; `url_for('static',
filename='css/site.css')` gives that name. WhiteNoise serves it with `Cache-Control: public,
max-age=31536000, immutable` and the compressed variant the browser accepts. A changed file gets
a new name, so a browser never keeps a stale one. The plain names stay served, for an hour.
Nothing of this in debug: Flask serves static/ as it is, so edits show at once.

A few files are asked for at the site's root by browsers and crawlers that read no page first
(/favicon.ico): ROOT_FILES answers those paths with a file of static/, served as /static/ serves
it (the plain name's hour), in debug too.
"""

import hashlib
import os
import posixpath
import re
import tempfile
from pathlib import Path

from whitenoise import WhiteNoise

from koki_site.core import security

HASHED = re.compile(r"\.[0-9a-f]{12}\.\w+$")
IMMUTABLE = "public, max-age=31536000, immutable"
CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')\s?#]+)\1\s*\)""")
ROOT_FILES = {"/favicon.ico": "img/favicon.ico"}  # path asked for: file of static/


def init_app(app):
    if not app.debug:
        serve_built_files(app)
    # Outermost, so that WhiteNoise (or Flask's static view, in debug) sees the /static/ path.
    app.wsgi_app = served_at_the_root(app.wsgi_app, app.static_url_path)


def serve_built_files(app):
    source = Path(app.static_folder)
    build = build_folder(app)
    manifest = build_files(source, build)
    app.url_defaults(lambda endpoint, values: fingerprint(manifest, endpoint, values))
    app.wsgi_app = WhiteNoise(
        app.wsgi_app,
        root=build,
        prefix="static/",
        max_age=3600,
        allow_all_origins=False,  # nothing of ours is for another site
        immutable_file_test=lambda path, url: bool(HASHED.search(url)),
        add_headers_function=add_headers,
    )


def served_at_the_root(wsgi_app, static_url_path):
    """ROOT_FILES' paths answered with their file of static/: the same answer, without a redirect."""
    paths = {path: f"{static_url_path}/{name}" for path, name in ROOT_FILES.items()}

    def app(environ, start_response):
        path = paths.get(environ.get("PATH_INFO"))
        if path:
            environ["PATH_INFO"] = path
        return wsgi_app(environ, start_response)

    return app


def build_folder(app):
    return Path(app.config["STATIC_BUILD_DIR"] or Path(app.instance_path) / "static-build")


def add_headers(headers, path, url):
    """The site's security headers (nosniff above all), and a year for a fingerprinted name."""
    for name, value in security.HEADERS.items():
        headers.setdefault(name, value)
    if HASHED.search(url):
        headers["Cache-Control"] = IMMUTABLE


def fingerprint(manifest, endpoint, values):
    if endpoint == "static" and values.get("filename") in manifest:
        values["filename"] = manifest[values["filename"]]


def build_files(source, build):
    """{name: fingerprinted name} of every file of source, copied (and compressed) into build.

    Stylesheets come last: what they load by url() (the font) is written under its fingerprinted
    name, so it too is kept a year, and a stylesheet's own name changes when a file it loads does.
    """
    manifest = {}
    files = sorted((p for p in source.rglob("*") if p.is_file()), key=lambda p: (p.suffix == ".css", p))
    for path in files:
        name = path.relative_to(source).as_posix()
        content = path.read_bytes()
        if path.suffix == ".css":
            content = fingerprinted_urls(content.decode(), name, manifest).encode()
        digest = hashlib.sha256(content).hexdigest()[:12]
        hashed = re.sub(r"(\.\w+)$", rf".{digest}\1", name)
        for target_name in (name, hashed):
            target = build / target_name
            # Built once: a start-up with nothing changed copies and compresses nothing.
            if not target.exists() or (target_name == name and target.read_bytes() != content):
                write(content, target)
                compress(target)
        manifest[name] = hashed
    return manifest


def compress(target):
    """Write target's .gz and .br beside it (WhiteNoise's compressor, imported only when a file changed)."""
    from whitenoise.compress import Compressor

    list(Compressor(quiet=True).compress(str(target)))  # a generator: the files are written as it runs


def fingerprinted_urls(css, name, manifest):
    """css with each url() of a file of static/ pointing to that file's fingerprinted name."""
    folder = posixpath.dirname(name)

    def replace(match):
        quote, target = match.group(1), match.group(2)
        found = manifest.get(posixpath.normpath(posixpath.join(folder, target)))
        if found is None:  # data:, another stylesheet's fragment, a file we do not have
            return match.group(0)
        return f"url({quote}{posixpath.relpath(found, folder)}{quote})"

    return CSS_URL.sub(replace, css)


def write(content, target):
    """Write aside and rename: workers starting together never serve half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as temporary:
        temporary.write(content)
    os.replace(temporary.name, target)
