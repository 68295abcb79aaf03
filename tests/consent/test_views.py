"""The banner, POST /consent, the koki_consent cookie, withdrawal, GPC."""

import re
from datetime import UTC, datetime

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from koki_site import create_app
from koki_site.consent.models import ConsentRecord
from koki_site.extensions import db
from koki_site.statistics.models import PageViews
from tests.conftest import SECRET, settings
from tests.helpers import LANGS, PAGES, soup, visible_text
from tests.helpers.consent import SAME_ORIGIN, decide, payload, set_cookies, signed

pytestmark = pytest.mark.db  # every test here reads or writes the database

DAY = 86400


def banner(response):
    return soup(response).find("section", class_="consent-banner")


def consent_payload(response):
    value = set_cookies(response)["koki_consent"].split(";")[0].split("=", 1)[1]
    return URLSafeTimedSerializer(SECRET, salt="koki-consent").loads(value)


def ledger(app):
    with app.app_context():
        return db.session.scalars(select(ConsentRecord).order_by(ConsentRecord.id)).all()


def page_views(app):
    with app.app_context():
        return db.session.scalar(select(func.coalesce(func.sum(PageViews.views), 0)))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", [p for p in PAGES if p != "/cookies"])
def test_first_visit_shows_the_banner_and_sets_no_cookie(client, lang, path):
    response = client.get(f"/{lang}{path}")
    assert "Set-Cookie" not in response.headers
    section = banner(response)
    form = section.find("form")
    assert form["method"] == "post" and form["action"] == "/consent"
    buttons = {b["value"]: b for b in form.find_all("button", attrs={"name": "choice"})}
    assert set(buttons) == {"accept_all", "reject_all", "custom"}
    assert len({tuple(b.get("class") or ()) for b in buttons.values()}) == 1  # same style
    assert {i["name"] for i in form.find_all("input", type="checkbox")} == {
        "statistics",
        "enhancement",
        "requests",
    }
    assert not form.find("input", checked=True)  # nothing pre-ticked
    assert section.find("a", href=f"/{lang}/cookies")
    assert form.find("input", attrs={"name": "next"})["value"] == f"/{lang}{path}"
    title = {"en": "Your choice about cookies", "fr": "Vos choix en matière de cookies"}[lang]
    assert section.find(id=section["aria-labelledby"]).get_text(strip=True) == title  # a labelled region
    assert section.find(["h1", "h2", "h3", "h4", "h5", "h6"]) is None  # not a heading before the page's h1
    choose = section.find("details")  # "Choose": the purposes, one click away, without JavaScript
    assert choose.find("summary") and choose.find("input", attrs={"name": "statistics"})


def test_the_cookie_settings_page_offers_the_same_three_actions_instead_of_the_banner(client):
    page = soup(client.get("/en/cookies"))
    assert page.find("section", class_="consent-banner") is None
    form = page.find("form", class_="consent-settings")
    assert {b["value"] for b in form.find_all("button")} == {"accept_all", "reject_all", "custom"}


def test_refuse_all(app, client):
    response = decide(client, "reject_all", next_path="/en/privacy")
    assert response.status_code == 303
    assert response.headers["Location"] == "/en/privacy"
    assert consent_payload(response)["c"] == {"statistics": False, "enhancement": False, "requests": False}
    assert set(set_cookies(response)) == {"koki_consent"}
    for lang in LANGS:
        for path in PAGES:
            page = client.get(f"/{lang}{path}")
            assert banner(page) is None
            assert "Set-Cookie" not in page.headers
    assert page_views(app) == 0
    assert [r.statistics or r.enhancement or r.requests for r in ledger(app)] == [False]


def test_accept_all_counts_page_views_with_a_random_visitor_cookie(app, client):
    response = decide(client, "accept_all")
    assert consent_payload(response)["c"] == {"statistics": True, "enhancement": True, "requests": True}
    first = client.get("/en/privacy")
    assert "koki_stats=" in set_cookies(first)["koki_stats"]
    assert "Max-Age=34128000" in set_cookies(first)["koki_stats"]
    assert "Set-Cookie" not in client.get("/fr/").headers  # the same visitor keeps their id
    assert page_views(app) == 2


def test_custom_choice_keeps_only_the_ticked_purposes(app, client):
    response = decide(client, "custom", purposes=("enhancement",))
    assert consent_payload(response)["c"] == {"statistics": False, "enhancement": True, "requests": False}
    client.get("/en/privacy")
    assert page_views(app) == 0
    assert ledger(app)[0].enhancement and not ledger(app)[0].statistics


def test_the_cookie_has_the_spec_attributes(app, client):
    app.config["SESSION_COOKIE_SECURE"] = True
    line = set_cookies(decide(client, "reject_all"))["koki_consent"]
    for attribute in ("Max-Age=34128000", "Path=/", "SameSite=Lax", "HttpOnly", "Secure"):
        assert attribute in line
    value = consent_payload(decide(client, "accept_all"))
    assert value["v"] == app.config["POLICY_VERSION"] and len(value["id"]) >= 16


def test_secure_is_off_when_the_site_runs_on_plain_http(client):
    assert "Secure" not in set_cookies(decide(client, "reject_all"))["koki_consent"]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(signed(payload("2026-11-29"), age_seconds=14 * 30 * DAY), id="14-months-old"),
        pytest.param(signed(payload("2020-01-01")), id="another-policy-version"),
        pytest.param(signed(payload("2026-11-29"))[:-3] + "abc", id="bad-signature"),
        pytest.param(
            URLSafeTimedSerializer("another-secret-key", salt="koki-consent").dumps(payload("2026-11-29")),
            id="another-key",
        ),
        pytest.param(signed({"v": "2026-11-29", "id": "x", "c": {"statistics": "yes"}}), id="bad-payload"),
        pytest.param(signed(["not", "a", "dict"]), id="not-a-dict"),
        pytest.param("garbage%%%;;", id="garbage"),
    ],
)
def test_a_cookie_that_does_not_count_brings_the_banner_back(app, client, value):
    app.config["POLICY_VERSION"] = "2026-11-29"
    client.set_cookie("koki_consent", value)
    response = client.get("/en/privacy")
    assert response.status_code == 200
    assert banner(response) is not None
    client.set_cookie("koki_stats", "someone")
    client.get("/en/")
    assert page_views(app) == 0


def test_a_cookie_twelve_months_old_still_counts(app, client):
    app.config["POLICY_VERSION"] = "2026-11-29"
    client.set_cookie("koki_consent", signed(payload("2026-11-29", statistics=True), age_seconds=365 * DAY))
    assert banner(client.get("/en/privacy")) is None
    assert page_views(app) == 1


def test_withdrawing_statistics_expires_koki_stats_in_the_same_response(app, client):
    decide(client, "accept_all")
    client.get("/en/")
    response = decide(
        client,
        "custom",
        purposes=("enhancement", "requests"),
        source="settings",
        next_path="/en/cookies?saved=1",
    )
    line = set_cookies(response)["koki_stats"]
    assert "koki_stats=;" in line and "Max-Age=0" in line
    assert consent_payload(response)["id"] == consent_payload(decide(client, "reject_all"))["id"]
    before = page_views(app)
    client.get("/en/privacy")
    assert page_views(app) == before
    assert [r.method for r in ledger(app)] == ["banner", "settings", "banner"]


def test_the_settings_page_shows_the_current_choice(client):
    decide(client, "custom", purposes=("statistics", "requests"))
    page = soup(client.get("/en/cookies?saved=1"))
    form = page.find("form", class_="consent-settings")
    ticked = {box["name"] for box in form.find_all("input", type="checkbox") if box.has_attr("checked")}
    assert ticked == {"statistics", "requests"}
    assert page.find(attrs={"role": "status"}).get_text(strip=True) == "Your cookie choices are saved."


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "/\\evil.example",
        "https://evil.example/",
        "http:/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/\t/evil.example",
        "",
    ],
)
def test_next_is_followed_only_when_it_is_a_path_of_the_site(client, target):
    response = decide(client, "reject_all", lang="fr", next_path=target or None)
    assert response.status_code == 303
    assert response.headers["Location"] == "/fr/"


def test_next_same_site_path_is_followed(client):
    assert decide(client, "reject_all", next_path="/fr/legal").headers["Location"] == "/fr/legal"


@pytest.mark.parametrize(
    "data",
    [
        {"choice": "accept_everything", "lang": "en"},
        {"choice": "", "lang": "en"},
        {"lang": "en"},
        {"choice": "custom", "statistics": "yes", "lang": "en"},
        {"choice": "custom", "lang": "de"},
        {"choice": "custom", "lang": "en", "source": "robot"},
    ],
)
def test_bad_input_gets_a_400_page_and_changes_nothing(app, client, data):
    response = client.post("/consent", data=data, headers={**SAME_ORIGIN, "Accept-Language": "fr"})
    assert response.status_code == 400
    assert soup(response).html["lang"] == "fr"
    assert "Set-Cookie" not in response.headers
    assert ledger(app) == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site"},
        {"Referer": "https://evil.example/page"},
    ],
)
def test_a_cross_site_or_unproven_post_is_refused(app, client, headers):
    response = decide(client, "accept_all", headers=headers)
    assert response.status_code == 403
    assert "Set-Cookie" not in response.headers
    assert ledger(app) == []


def test_a_browser_without_fetch_metadata_is_checked_by_origin(client):
    assert decide(client, "reject_all", headers={"Origin": "http://localhost"}).status_code == 303


@pytest.mark.parametrize("lang", LANGS)
def test_global_privacy_control_is_a_refusal_with_a_notice_not_the_checkboxes(app, client, lang):
    client.set_cookie("koki_stats", "tracked-before")
    response = client.get(f"/{lang}/privacy", headers={"Sec-GPC": "1"})
    assert banner(response) is None
    assert soup(response).find("input", type="checkbox") is None
    note = soup(response).find("section", class_="consent-gpc-notice")
    assert "Global Privacy Control" in note.get_text()
    assert note.find("a", href=f"/{lang}/cookies#settings")  # change it
    assert "Set-Cookie" not in response.headers
    assert page_views(app) == 0
    assert "Global Privacy Control" not in visible_text(client.get(f"/{lang}/privacy"))


def test_an_explicit_choice_wins_over_global_privacy_control(app, client):
    decide(client, "accept_all")
    response = client.get("/en/", headers={"Sec-GPC": "1"})
    assert banner(response) is None
    assert page_views(app) == 1


def test_the_ledger_row_holds_the_proof_and_nothing_that_identifies_a_person(app, client):
    decide(
        client,
        "custom",
        purposes=("statistics",),
        lang="fr",
        headers={**SAME_ORIGIN, "User-Agent": "Visitor-Browser/1.0", "X-Forwarded-For": "203.0.113.9"},
    )
    (row,) = ledger(app)
    columns = set(ConsentRecord.__table__.columns.keys())
    assert columns == {
        "id",
        "consent_id",
        "decided_at",
        "statistics",
        "enhancement",
        "requests",
        "policy_version",
        "language",
        "method",
        "text_sha256",
    }
    assert (row.language, row.method, row.policy_version) == ("fr", "banner", app.config["POLICY_VERSION"])
    assert row.statistics and not row.enhancement and not row.requests
    assert len(row.text_sha256) == 64 and row.decided_at is not None
    stored = " ".join(str(getattr(row, c)) for c in columns)
    assert "127.0.0.1" not in stored and "203.0.113.9" not in stored and "Visitor-Browser" not in stored


def test_the_ledger_is_append_only(app, client):
    decide(client, "reject_all")
    with app.app_context():
        row = db.session.scalars(select(ConsentRecord)).one()
        row.statistics = True
        with pytest.raises(ValueError, match="append-only"):
            db.session.commit()


def test_when_the_ledger_is_down_the_visitor_is_told_and_nothing_is_set(tmp_path):
    app = create_app(settings(f"sqlite:///{tmp_path}/missing/dir/koki.db"), instance_path=tmp_path)
    response = decide(app.test_client(), "accept_all", lang="fr")
    assert response.status_code == 503
    assert soup(response).html["lang"] == "fr"
    assert "Set-Cookie" not in response.headers


def test_the_settings_show_when_the_choice_was_made_and_the_consent_number_to_quote(app, client):
    app.config["PAGE_CACHE"] = True
    decide(client, "custom", purposes=("requests",), lang="fr")
    consent_id = consent_payload(decide(client, "custom", purposes=("requests",), lang="fr"))["id"]
    facts = soup(client.get("/fr/cookies")).find(class_="consent-facts")
    text = facts.get_text(" ", strip=True)
    assert consent_id in text
    assert "Suivi des demandes\u00a0: cookies acceptés" in text
    assert "Statistiques\u00a0: cookies refusés" in text
    moment = facts.find("time")
    assert moment["datetime"].startswith(str(datetime.now(UTC).year))
    assert re.search(r"\d{1,2}(er)? \w+ \d{4} à \d{2}:\d{2} \(heure de Paris\)", moment.get_text())
    other = app.test_client()  # another browser, the same choices: its own number, never the first one's
    decide(other, "custom", purposes=("requests",), lang="fr")
    assert consent_id not in soup(other.get("/fr/cookies")).get_text()
