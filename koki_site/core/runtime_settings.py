"""The authentication and protection settings administrators adjust from /staff/settings (P16).

Each one overrides the configuration key of the same name. Stored in the database and read
through a cache that lives SETTINGS_CACHE_SECONDS, so a change holds on every worker and host
within seconds, without a restart. Code reads them with `settings.get(key)`, never the config.
"""

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse_many
from sqlalchemy import select

from koki_site.core.models import SiteSetting
from koki_site.extensions import db

CACHE = "koki_settings_cache"


def init_app(app):
    app.add_template_global(get, "setting")


@dataclass(frozen=True)
class Setting:
    key: str
    label: object
    kind: str  # "number", "rate_limit" or "roles"
    minimum: int = 0
    maximum: int = 0
    hint: object = None

    def check(self, value):
        """The value as stored, or ValueError when it is out of bounds."""
        if self.kind == "number":
            if not isinstance(value, int) or not self.minimum <= value <= self.maximum:
                raise ValueError(value)
        elif self.kind == "rate_limit":
            if not isinstance(value, str) or not value.strip() or not parse_many(value):
                raise ValueError(value)
            value = value.strip()
        return value


SETTINGS = (
    Setting(
        "STAFF_MAX_FAILED_LOGINS",
        _l("Failed logins from one address before it is locked out"),
        "number",
        3,
        50,
    ),
    Setting(
        "STAFF_LOCKOUT_MINUTES", _l("How long that address stays locked out (minutes)"), "number", 1, 1440
    ),
    Setting(
        "STAFF_ACCOUNT_MAX_FAILED_LOGINS",
        _l("Failed logins to one account in an hour, from every address, before only known browsers may try"),
        "number",
        5,
        1000,
    ),
    Setting(
        "STAFF_IDLE_MINUTES", _l("Logged out after this many minutes without activity"), "number", 5, 480
    ),
    Setting("STAFF_MIN_PASSWORD_LENGTH", _l("Minimum password length"), "number", 12, 128),
    Setting(
        "STAFF_MIN_PASSWORD_SCORE",
        _l("Minimum password strength (zxcvbn score: 3 safely unguessable, 4 very unguessable)"),
        "number",
        3,
        4,
    ),
    Setting("STAFF_2FA_ROLES", _l("Two-factor authentication required for"), "roles"),
    Setting("CONTACT_RATE_LIMIT", _l("Contact form, per client address"), "rate_limit"),
    Setting("NEWSLETTER_RATE_LIMIT", _l("Newsletter form, per client address"), "rate_limit"),
    Setting("RIGHTS_RATE_LIMIT", _l("Rights form, per client address"), "rate_limit"),
    Setting("CONSENT_RATE_LIMIT", _l("Cookie choices, per client address"), "rate_limit"),
    Setting("LOGIN_RATE_LIMIT", _l("Staff login, per client address"), "rate_limit"),
)
BY_KEY = {setting.key: setting for setting in SETTINGS}


def overrides():
    """{key: value} stored by admins, read at most once per SETTINGS_CACHE_SECONDS."""
    cache = current_app.extensions.get(CACHE)
    now = time.monotonic()
    if cache is None or now - cache[0] >= current_app.config["SETTINGS_CACHE_SECONDS"]:
        rows = db.session.execute(select(SiteSetting.key, SiteSetting.value)).all()
        cache = current_app.extensions[CACHE] = (now, {key: json.loads(value) for key, value in rows})
    return cache[1]


def get(key):
    """The setting's value: an admin's choice, else the configuration's."""
    assert key in BY_KEY, key
    found = overrides()
    return found[key] if key in found else current_app.config[key]


def current():
    """{key: value} of every setting, as the settings page shows them."""
    found = overrides()
    return {s.key: found.get(s.key, current_app.config[s.key]) for s in SETTINGS}


def change(values, actor):
    """Store the values that differ from the current ones; {key: (old, new)}. The caller commits."""
    changed = {}
    now_values = current()
    for key, value in values.items():
        value = BY_KEY[key].check(value)
        if value != now_values[key]:
            changed[key] = (now_values[key], value)
            row = db.session.get(SiteSetting, key) or SiteSetting(key=key)
            row.value, row.updated_by = json.dumps(value), actor
            row.updated_at = datetime.now(UTC)
            db.session.add(row)
    current_app.extensions.pop(CACHE, None)  # this process sees it at once; the others within seconds
    return changed
