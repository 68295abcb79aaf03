"""The pages nginx shows when the app cannot answer, in the visitor's language.

While gunicorn restarts or is down, nginx answers 502 or 504 itself, and it refuses a body above
client_max_body_size (413) before gunicorn sees it: its own pages are in English and look like
nothing of the site. So each gunicorn worker, once the app is loaded (deploy/gunicorn.conf.py),
writes the site's error page for these cases, in each language, beside the static files:
errors/unavailable.fr.html, errors/too-large.en.html... deploy/nginx/koki-site.conf points
error_page at them. No cookie banner: the page is the same file for every visitor.
"""

from pathlib import Path

from flask import render_template

from koki_site.core import static_files
from koki_site.core.errors import ERRORS

PAGES = {"unavailable": 503, "too-large": 413}


def write(app):
    """Render every page in every language into STATIC_BUILD_DIR/errors/; the paths written."""
    folder = static_files.build_folder(app) / "errors"
    written = []
    for lang in app.config["LANGUAGES"]:
        for name, code in PAGES.items():
            # A path under the language's prefix that no page has, like any error page's: the
            # language's menu and footer links, no canonical URL.
            with app.test_request_context(f"/{lang}/{name}", base_url=app.config["SITE_URL"]):
                title, message = ERRORS[code]
                html = render_template(
                    "errors/error.html", code=code, title=title, message=message, hide_consent_banner=True
                )
            path = folder / f"{name}.{lang}.html"
            static_files.write(html.encode(), path)
            written.append(Path(path))
    return written
