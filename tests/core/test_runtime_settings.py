"""/staff/settings: validated, stored, audited, in force everywhere at once."""

import time

import pyotp
import pytest
from sqlalchemy import select

from koki_site import create_app
from koki_site.core import runtime_settings
from koki_site.core.audit import AuditEntry
from koki_site.extensions import db
from tests import conftest
from tests.helpers import soup
from tests.helpers.contact import send_contact
from tests.helpers.staff import STAFF_PASSWORD, add_account, csrf_token, log_in

pytestmark = pytest.mark.db


def form_values(admin):
    """What the settings form holds now, as a browser would send it back."""
    page = soup(admin.get("/staff/settings"))
    values = {"csrf_token": csrf_token(admin, "/staff/settings")}
    for field in page.select("form input"):
        if field.get("type") == "checkbox":
            if field.has_attr("checked"):
                values.setdefault(field["name"], []).append(field["value"])
        elif field.get("name") and field["name"] != "csrf_token":
            values[field["name"]] = field.get("value", "")
    return values


def save(admin, **changes):
    return admin.post("/staff/settings", data={**form_values(admin), **changes})


@pytest.fixture
def host_settings():
    return {}


@pytest.fixture
def second_host(app, host_settings):
    """Another instance of the site on the same database, as on another host."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    other = create_app(conftest.settings(url, **host_settings), instance_path=app.instance_path)
    yield other
    with other.app_context():
        db.engine.dispose()


def test_admins_only(staff):
    assert staff("dpo", "support", "marketing").get("/staff/settings").status_code == 403
    assert staff("admin").get("/staff/settings").status_code == 200


def test_a_change_is_audited_with_its_old_and_new_value(app, staff):
    admin = staff("admin")
    assert save(admin, staff_lockout_minutes="30").status_code == 303
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "settings_change")).one()
    assert '"STAFF_LOCKOUT_MINUTES": [15, 30]' in entry.details
    assert soup(admin.get("/staff/settings")).find(id="staff_lockout_minutes")["value"] == "30"


@pytest.mark.parametrize(
    ("field", "value"),
    [("staff_max_failed_logins", "1"), ("staff_min_password_length", "6"), ("contact_rate_limit", "lots")],
)
def test_a_value_out_of_bounds_is_refused_on_its_field(app, staff, field, value):
    admin = staff("admin")
    response = save(admin, **{field: value})
    assert response.status_code == 200
    assert soup(response).find(id=field)["aria-invalid"] == "true"
    with app.app_context():
        assert db.session.scalars(select(runtime_settings.SiteSetting)).all() == []


def test_a_lower_lockout_threshold_holds_on_another_host_without_a_restart(app, staff, second_host):
    save(staff("admin"), staff_max_failed_logins="3")
    add_account(app, "dpo@koki.test", "dpo")
    attacker = second_host.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for _ in range(3):
        log_in(attacker, "dpo@koki.test", password="wrong password, wrong")
    refused = log_in(attacker, "dpo@koki.test", password=STAFF_PASSWORD)  # locked after 3, not 5
    assert refused.status_code == 200


def test_requiring_two_factors_for_a_role_holds_on_another_host(app, staff, second_host):
    save(staff("admin"), staff_2fa_roles=["admin", "support"])
    add_account(app, "support@koki.test", "support", totp_secret=pyotp.random_base32())
    client = second_host.test_client()
    assert log_in(client, "support@koki.test").headers["Location"] == "/staff/login/code"


def test_a_rate_limit_changed_holds_on_another_host(app, staff, host_settings, request):
    save(staff("admin"), contact_rate_limit="1 per minute")
    # Flask-Limiter has one limiter per process: the host that enforces limits is made last.
    host_settings["RATELIMIT_ENABLED"] = True
    visitor = request.getfixturevalue("second_host").test_client()
    assert send_contact(visitor).status_code == 303
    assert send_contact(visitor).status_code == 429


def test_other_hosts_follow_within_the_cache_life(app, staff, second_host, monkeypatch):
    second_host.config["SETTINGS_CACHE_SECONDS"] = 5
    with second_host.app_context():
        assert runtime_settings.get("STAFF_IDLE_MINUTES") == 30  # read, and cached for 5 seconds
    save(staff("admin"), staff_idle_minutes="10")
    with second_host.app_context():
        assert runtime_settings.get("STAFF_IDLE_MINUTES") == 30  # still the cached value
        later = time.monotonic() + 6
        monkeypatch.setattr(time, "monotonic", lambda: later)
        assert runtime_settings.get("STAFF_IDLE_MINUTES") == 10
