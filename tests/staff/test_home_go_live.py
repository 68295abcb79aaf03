"""The admins' staff home lists what is not ready to go live, as `flask check --deploy` does, in
their language; "ready to go live" when nothing is; no other role sees it. It never probes SMTP."""

import pytest

from tests.conftest import SITE_URL
from tests.helpers import soup
from tests.helpers.deploy import backed_up_and_beating, production_settings

pytestmark = pytest.mark.db

# The deployment tests' configuration, with the test client's host: it logs in on localhost.
DEPLOYED = {
    **production_settings(SITE_URL),
    "TRUSTED_HOSTS": ["www.koki.test", "localhost"],
    "RATELIMIT_ENABLED": True,
}


def go_live_rows(response):
    """{key: what to do} of the home's going-live table; None when there is no such section."""
    section = soup(response).find("section", id="go-live")
    if section is None:
        return None
    table = section.find("table")
    if table is None:
        return {}
    return {
        row.th.get_text(strip=True): row.td.get_text(" ", strip=True) for row in table.tbody.find_all("tr")
    }


def test_the_admins_home_lists_what_is_not_ready(staff):
    """The tests' own configuration: plain-HTTP cookies, no mail server, no backup, no worker…"""
    rows = go_live_rows(staff("admin").get("/staff/"))
    for key in ("TRUSTED_HOSTS", "SESSION_COOKIE_SECURE", "PROXY_FIX_X_FOR", "PROXY_FIX_X_PROTO"):
        assert key in rows
    for key in ("MAIL_DELIVERY", "MAIL_SERVER", "BACKUP_KEY", "COMPANY_REGISTRATION", "DPO_ADDRESS"):
        assert key in rows
    assert {"RATELIMIT_ENABLED", "backups", "worker"} <= set(rows)
    assert "SITE_URL" not in rows  # https://www.koki.test
    assert rows["worker"].startswith("No worker has ever run")
    assert "Set it to 1 behind nginx" in rows["PROXY_FIX_X_FOR"]


def test_the_admins_home_says_it_in_french(app, staff):
    app.config["BACKUP_KEY"] = "change-me-" * 8
    client = staff("admin")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    response = client.get("/staff/")
    assert soup(response).find("h2", id="go-live-title").get_text(strip=True) == "Mise en production"
    rows = go_live_rows(response)
    assert (
        rows["COMPANY_ADDRESS"]
        == "Vide\u00a0: les mentions légales doivent indiquer l’adresse du siège social."
    )
    assert rows["worker"].startswith("Aucun processus de fond n’a jamais tourné\u00a0:")
    assert rows["BACKUP_KEY"].startswith(
        "Trop facile à deviner (elle compte moins de 10 caractères différents)."
    )


@pytest.mark.parametrize("role", ["support", "marketing", "dpo"])
def test_no_other_role_sees_it(staff, role):
    response = staff(role).get("/staff/")
    assert response.status_code == 200
    assert go_live_rows(response) is None
    assert "Going live" not in response.get_data(as_text=True)


@pytest.mark.parametrize("app_settings", [DEPLOYED])
def test_ready_to_go_live_when_nothing_is_found(app, staff, smtp_down, monkeypatch):
    """And the page does not probe the mail server: one that refuses connections is not named."""
    monkeypatch.setenv("WEB_CONCURRENCY", "1")  # SQLite and memory:// rate limits hold for one
    backed_up_and_beating(app)
    response = staff("admin").get("/staff/")
    assert go_live_rows(response) == {}
    section = soup(response).find("section", id="go-live")
    assert section.find("p", class_="ready").get_text(strip=True) == "Ready to go live: nothing found."
    assert "flask --app app check --deploy does" in section.get_text(" ")
