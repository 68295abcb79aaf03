"""Static URLs carry a hash of their file: nginx lets browsers keep them a year (deploy/)."""

import hashlib
from pathlib import Path

from koki_site.static_urls import file_version
from tests.helpers import soup

STATIC = Path(__file__).resolve().parent.parent / "static"


def test_every_static_link_carries_the_hash_of_its_file(client):
    page = soup(client.get("/en/privacy"))
    links = [link["href"] for link in page.find_all("link", href=lambda href: href.startswith("/static/"))]
    assert links, "the page links no static file"
    for href in links:
        path, _, version = href.partition("?v=")
        content = (STATIC / path.removeprefix("/static/")).read_bytes()
        assert version == hashlib.sha256(content).hexdigest()[:12], href
        response = client.get(href)
        response.close()  # a file's answer holds the file open until closed
        assert response.status_code == 200


def test_a_changed_file_gets_a_new_version(tmp_path):
    asset = tmp_path / "site.css"
    asset.write_text("body { color: black }")
    first = file_version(str(tmp_path), "site.css")
    asset.write_text("body { color: navy }")
    assert file_version(str(tmp_path), "site.css") != first
    assert file_version(str(tmp_path), "missing.css") is None
    assert file_version(str(tmp_path), "../site.css") is None  # never outside the folder
