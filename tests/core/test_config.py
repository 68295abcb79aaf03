"""docs/configuration.md names every configuration key, and only keys that exist."""

import re
from pathlib import Path

import koki_site.config

CONFIGURATION_DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
# Keys the doc's tables document that koki_site/config.py does not set: create_app sets
# SESSION_COOKIE_SECURE from the debug flag, and Flask-Limiter reads RATELIMIT_ENABLED (default on).
SET_ELSEWHERE = {"SESSION_COOKIE_SECURE", "RATELIMIT_ENABLED"}
KEY = re.compile(r"`([A-Z][A-Z0-9_]*)`")


def package_keys():
    """The configuration keys koki_site/config.py sets: its upper-case names."""
    return {name for name in vars(koki_site.config) if name.isupper()}


def documented_keys():
    """The keys named in the first cell of a table row of docs/configuration.md."""
    keys = set()
    for line in CONFIGURATION_DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("|"):
            first_cell = line.split("|")[1]
            keys.update(KEY.findall(first_cell))
    return keys


def test_every_key_of_the_package_is_documented():
    missing = package_keys() - documented_keys()
    assert not missing, f"add these keys to a table of docs/configuration.md: {sorted(missing)}"


def test_every_documented_key_exists():
    unknown = documented_keys() - package_keys() - SET_ELSEWHERE
    assert not unknown, f"docs/configuration.md names keys that koki_site/config.py lacks: {sorted(unknown)}"


def test_keys_set_elsewhere_are_not_in_the_package():
    """SET_ELSEWHERE stays the short list of keys koki_site/config.py really leaves out."""
    assert not SET_ELSEWHERE & package_keys()
    assert SET_ELSEWHERE.issubset(documented_keys())
