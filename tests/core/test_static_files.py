"""Static files: fingerprinted names, cached a year and immutable, precompressed (WhiteNoise)."""

import re

from koki_site.core import static_files
from tests.helpers import soup


def fetch(client, url, **headers):
    """The whole answer, its file closed (WhiteNoise answers with the file itself)."""
    with client.get(url, headers=headers) as response:
        response.get_data()
        return response


def stylesheet(client):
    return soup(client.get("/en/legal")).find("link", rel="stylesheet")["href"]


def test_pages_link_fingerprinted_files_kept_a_year(client):
    url = stylesheet(client)
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", url)
    response = fetch(client, url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Access-Control-Allow-Origin" not in response.headers


def test_the_browser_gets_the_compressed_file_it_accepts(client):
    url = stylesheet(client)
    plain = fetch(client, url).data
    brotli = fetch(client, url, **{"Accept-Encoding": "br, gzip"})
    gzip = fetch(client, url, **{"Accept-Encoding": "gzip"})
    assert brotli.headers["Content-Encoding"] == "br" and len(brotli.data) < len(plain)
    assert gzip.headers["Content-Encoding"] == "gzip" and len(gzip.data) < len(plain)
    assert "Accept-Encoding" in brotli.headers["Vary"]


def test_a_plain_name_is_kept_an_hour_only(client):
    response = fetch(client, "/static/css/site.css")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "max-age=3600, public"


def test_a_changed_file_gets_a_new_name(tmp_path):
    source = tmp_path / "static"
    (source / "css").mkdir(parents=True)
    (source / "css" / "site.css").write_text("body { color: black }")
    first = static_files.build_files(source, tmp_path / "build")["css/site.css"]
    (source / "css" / "site.css").write_text("body { color: navy }")
    second = static_files.build_files(source, tmp_path / "build")["css/site.css"]
    assert first != second and (tmp_path / "build" / second).read_text() == "body { color: navy }"


def test_what_a_stylesheet_loads_is_fingerprinted_too(client):
    css = fetch(client, stylesheet(client)).get_data(as_text=True)
    (font,) = re.findall(r'url\("\.\./(fonts/[^"]+)"\)', css)
    assert re.fullmatch(r"fonts/source-sans-3-latin-wght-normal\.[0-9a-f]{12}\.woff2", font)
    response = fetch(client, f"/static/{font}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_changed_font_renames_the_stylesheet_that_loads_it(tmp_path):
    source = tmp_path / "static"
    (source / "css").mkdir(parents=True)
    (source / "fonts").mkdir()
    (source / "css" / "site.css").write_text('@font-face { src: url("../fonts/a.woff2") }')
    (source / "fonts" / "a.woff2").write_bytes(b"first")
    first = static_files.build_files(source, tmp_path / "build")
    (source / "fonts" / "a.woff2").write_bytes(b"second")
    second = static_files.build_files(source, tmp_path / "build")
    assert first["css/site.css"] != second["css/site.css"]
    built = (tmp_path / "build" / second["css/site.css"]).read_text()
    assert f'url("../{second["fonts/a.woff2"]}")' in built
