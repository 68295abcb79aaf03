"""Static URLs carry a hash of their file (`/static/css/site.css?v=3f2a…`).

nginx lets browsers keep /static/ files for a year (deploy/nginx/koki-site.conf): a changed file
must then have a new URL, or visitors would keep the old one. The hash is of the content, so a
deployment that changes nothing keeps every URL, and every host of a site gives the same one.
"""

import hashlib
import os
from functools import lru_cache

from flask import current_app
from werkzeug.security import safe_join


def init_app(app):
    app.url_defaults(add_version)


def add_version(endpoint, values):
    if endpoint == "static" and "v" not in values and values.get("filename"):
        version = file_version(current_app.static_folder, values["filename"])
        if version:
            values["v"] = version


def file_version(folder, filename):
    """The first 12 hex digits of the file's SHA-256, or None when there is no such file."""
    path = safe_join(folder, filename)
    try:
        stat = os.stat(path) if path else None
    except OSError:
        return None
    # Keyed on the file's mtime and size too: in development an edited file gets a new hash.
    return hashed(path, stat.st_mtime_ns, stat.st_size) if stat else None


@lru_cache(maxsize=256)
def hashed(path, mtime_ns, size):
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()[:12]
