"""Static files: fingerprinted names, cached a year and immutable, precompressed (WhiteNoise)."""

import re
import struct
from pathlib import Path

import pytest

from koki_site.core import static_files
from tests.helpers import soup

STATIC = Path(__file__).resolve().parents[2] / "static"


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


def icon_images(data):
    """{(width, height): image bytes} of an ICO file, read from its directory."""
    assert data[:4] == b"\x00\x00\x01\x00"  # reserved, then 1: an icon
    (count,) = struct.unpack("<H", data[4:6])
    images = {}
    for entry in range(count):
        width, height, _, _, _, _, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * entry : 22 + 16 * entry]
        )
        assert offset + length <= len(data)
        images[width or 256, height or 256] = data[offset : offset + length]
    return images


def pixel(image, size, x, y):
    """(red, green, blue, alpha) at x, y (from the top left) of a 32-bit BMP image of an ICO."""
    header, bits = struct.unpack("<I", image[:4])[0], struct.unpack("<H", image[14:16])[0]
    assert (header, bits) == (40, 32)
    start = header + ((size - 1 - y) * size + x) * 4  # rows are stored bottom-up
    blue, green, red, alpha = image[start : start + 4]
    return red, green, blue, alpha


def test_favicon_ico_is_the_site_s_icon_kept_an_hour(client):
    response = fetch(client, "/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/x-icon"
    images = icon_images(response.data)
    assert sorted(images) == [(16, 16), (32, 32)]
    # The SVG icon's square in its teal, its rounded corners transparent.
    teal = re.search(r'<rect [^>]*fill="#(\w{6})"', (STATIC / "img" / "favicon.svg").read_text()).group(1)
    assert pixel(images[32, 32], 32, 3, 16) == (*bytes.fromhex(teal), 255)
    assert pixel(images[32, 32], 32, 0, 0)[3] == 0
    assert response.headers["Cache-Control"] == "max-age=3600, public"  # a plain name's hour
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in response.headers
    assert response.data == fetch(client, "/static/img/favicon.ico").data
    assert fetch(client, "/favicon.ico", **{"If-None-Match": response.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("app_settings", [{"DEBUG": True}])
def test_favicon_ico_is_served_in_debug_too(client):
    response = fetch(client, "/favicon.ico")
    assert response.status_code == 200 and response.data[:4] == b"\x00\x00\x01\x00"
