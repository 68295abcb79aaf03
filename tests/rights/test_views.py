"""GDPR rights from the site: verified by mail, then each right carried out."""

import json

import pytest
from sqlalchemy import func, select

from koki_site.contact.models import ContactMessage
from koki_site.extensions import db
from koki_site.newsletter.models import Subscription
from koki_site.rights.models import RightsRequest
from tests.helpers import LANGS, every_string_cell, soup, visible_text
from tests.helpers.contact import send_contact
from tests.helpers.mail import text_of
from tests.helpers.newsletter import links, subscribe
from tests.helpers.rights import ask, csrf_of, verify_link

pytestmark = pytest.mark.db
RIGHTS = (
    "access",
    "portability",
    "rectification",
    "erasure",
    "restriction",
    "objection",
    "withdraw_consent",
    "post_mortem",
)


@pytest.fixture
def ada_and_bob(app, client, smtp):
    """Ada wrote, subscribed and confirmed; so did Bob. Returns nothing: the data is in the database."""
    for email, first_name in (("ada@example.org", "Ada"), ("bob@example.org", "Bob")):
        send_contact(app.test_client(), "en", email=email, first_name=first_name)
        subscribe(app.test_client(), email)
    for message in smtp.wait_for(4):
        if message["To"] != app.config["SUPPORT_EMAIL"] and "confirm" in links(message):
            app.test_client().post(links(message)["confirm"])
    smtp.messages.clear()


def verified(client, smtp, right, lang="en", email="ada@example.org"):
    """Ask for right, follow the mail's link, press the button: the right's page."""
    assert ask(client, right, email, lang).status_code == 303
    (mail,) = [m for m in smtp.wait_for(1) if m["To"] == email]
    smtp.messages.clear()
    path = verify_link(mail)
    page = client.post(path, data={"action": "verify"})
    assert page.status_code == 200
    return path, page


def one(app, model, **where):
    with app.app_context():
        return db.session.scalars(select(model).filter_by(**where)).all()


def test_the_form_offers_the_eight_rights_each_explained(client):
    page = soup(client.get("/en/rights"))
    options = page.find_all("input", attrs={"name": "right"})
    assert [o["value"] for o in options] == list(RIGHTS)
    for option in options:
        assert page.find(id=option["aria-describedby"]).get_text(strip=True)


def test_the_same_answer_whether_or_not_anything_is_held(app, client, smtp, ada_and_bob):
    known = ask(app.test_client(), "access", "ada@example.org")
    unknown = ask(app.test_client(), "access", "nobody@example.org")
    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code,
        unknown.headers["Location"],
    )
    assert sorted(m["To"] for m in smtp.wait_for(2)) == ["ada@example.org", "nobody@example.org"]


def test_nothing_is_shown_or_changed_before_the_link_is_followed(app, client, smtp, ada_and_bob):
    ask(client, "erasure")
    (mail,) = smtp.wait_for(1)
    page = client.get(verify_link(mail))  # a mail scanner
    assert "ada@example.org" not in page.get_data(as_text=True)
    assert one(app, RightsRequest)[0].verified_at is None
    assert len(one(app, ContactMessage, email="ada@example.org")) == 1


@pytest.mark.parametrize("lang", LANGS)
def test_access_shows_all_of_one_persons_data_and_nobody_elses(app, client, smtp, ada_and_bob, lang):
    path, page = verified(client, smtp, "access", lang)
    text = page.get_data(as_text=True)
    assert "ada@example.org" in text and "Bonjour, je voudrais une démonstration." in text
    assert "bob@example.org" not in text and ">Bob<" not in text
    data = json.loads(client.get(f"{path}/data.json").get_data(as_text=True))
    assert data["format"] == "koki-site/personal-data/1" and data["email"] == "ada@example.org"
    kinds = {p["processing"]: [r["kind"] for r in p["records"]] for p in data["processings"]}
    assert kinds == {
        "contact": ["contact_message"],
        "newsletter": ["newsletter_subscription"],
        "rights": ["rights_request"],
    }
    assert "bob@example.org" not in json.dumps(data)
    assert one(app, RightsRequest)[0].status == "done"


@pytest.mark.parametrize("lang", LANGS)
def test_erasure_leaves_the_address_only_in_the_request_record(app, client, smtp, ada_and_bob, lang):
    path, page = verified(client, smtp, "erasure", lang)
    assert "ada@example.org" in page.get_data(as_text=True)  # what will be erased, before the button
    assert one(app, ContactMessage, email="ada@example.org")  # nothing erased yet
    done = client.post(path, data={"action": "erase"})
    assert done.status_code == 200
    found = {table for table, value in every_string_cell(app) if value and "ada@example.org" in value.lower()}
    assert found == {"rights_request"}
    assert one(app, ContactMessage, email="bob@example.org")  # nobody else's data
    outcome = json.loads(one(app, RightsRequest)[0].outcome)
    assert outcome["removed"]["contact messages"] == 1 and outcome["kept"] == ["rights request"]
    kept = {"en": "only the record of this request", "fr": "seulement la trace de cette demande"}[lang]
    assert kept in visible_text(done)


def test_restriction_keeps_the_subscriber_out_of_the_export_and_the_inbox(
    app, client, smtp, ada_and_bob, staff
):
    path, _ = verified(client, smtp, "restriction")
    client.post(path, data={"action": "restrict"})
    export = staff("marketing").get("/staff/newsletter/export.csv").get_data(as_text=True)
    assert "ada@example.org" not in export and "bob@example.org" in export
    (message,) = one(app, ContactMessage, email="ada@example.org")
    support = staff("support")
    page = support.get(f"/staff/messages/{message.id}")
    assert soup(page).find("form", action=f"/staff/messages/{message.id}/reply") is None
    reply = support.post(
        f"/staff/messages/{message.id}/reply", data={"body": "x", "csrf_token": csrf_of(page)}
    )
    assert reply.status_code == 403


def test_objection_also_restricts(app, client, smtp, ada_and_bob):
    path, _ = verified(client, smtp, "objection")
    client.post(path, data={"action": "restrict"})
    assert all(m.restricted for m in one(app, ContactMessage, email="ada@example.org"))


@pytest.mark.parametrize(
    ("decision", "field", "restricted", "status"),
    [("answer", "answer", True, "done"), ("refuse", "reason", False, "refused")],
)
def test_an_objection_waits_for_the_dpos_decision_and_the_visitor_is_told_it(
    app, client, smtp, ada_and_bob, staff, decision, field, restricted, status
):
    """Restricted at once, "to examine" with its deadline in the DPO's to-do; upheld, the records
    stay restricted; rejected, the restriction is lifted. Either way the visitor gets the decision."""
    path, _ = verified(client, smtp, "objection")
    page = client.post(path, data={"action": "restrict"})
    assert "done: we keep your data but no longer use it" in visible_text(page)
    assert soup(page).find("input", attrs={"name": "action", "value": "restrict"}) is None  # not asked again
    (objection,) = one(app, RightsRequest, right="objection")
    assert (objection.status, objection.answered_at) == ("to_examine", None) and objection.deadline
    dpo = staff("dpo")
    assert "1 rights request to answer" in visible_text(dpo.get("/staff/")).lower()
    page = dpo.get(f"/staff/rights/{objection.id}")
    assert "uphold the objection" in visible_text(page) and "reject the objection" in visible_text(page)
    text = "Our grounds are stated below." if decision == "refuse" else "We no longer use your data."
    response = dpo.post(
        f"/staff/rights/{objection.id}/{decision}", data={"csrf_token": csrf_of(page), field: text}
    )
    assert response.status_code == 303
    (decided,) = one(app, RightsRequest, right="objection")
    assert decided.status == status
    assert all(m.restricted is restricted for m in one(app, ContactMessage, email="ada@example.org"))
    (mail,) = [m for m in smtp.wait_for(1) if m["To"] == "ada@example.org"]
    body = text_of(mail).replace("\r\n", "\n")
    assert text in body and ("CNIL" in body) is (decision == "refuse") and "\n-- \n" in body
    assert "to answer" not in visible_text(dpo.get("/staff/"))


@pytest.mark.parametrize("lang", LANGS)
def test_rectification_corrects_the_identity_fields(app, client, smtp, ada_and_bob, lang):
    path, page = verified(client, smtp, "rectification", lang)
    response = client.post(
        path,
        data={
            "action": "rectify",
            "last_name": "King",
            "company": "Analytical Ltd",
            "csrf_token": csrf_of(page),
        },
    )
    assert response.status_code == 200
    (message,) = one(app, ContactMessage, email="ada@example.org")
    assert (message.first_name, message.last_name, message.company) == ("Ada", "King", "Analytical Ltd")
    assert one(app, RightsRequest)[0].status == "done"


@pytest.mark.parametrize("lang", LANGS)
def test_withdrawing_consent_unsubscribes_and_points_to_the_cookie_settings(
    app, client, smtp, ada_and_bob, lang
):
    path, page = verified(client, smtp, "withdraw_consent", lang)
    assert soup(page).find("a", href=f"/{lang}/cookies#settings")
    client.post(path, data={"action": "withdraw"})
    statuses = {s.email: s.status for s in one(app, Subscription)}
    assert statuses == {None: "unsubscribed", "bob@example.org": "confirmed"}


@pytest.mark.parametrize("lang", LANGS)
def test_post_mortem_directives_are_recorded_for_the_dpo(app, client, smtp, ada_and_bob, lang):
    path, page = verified(client, smtp, "post_mortem", lang)
    client.post(
        path,
        data={
            "action": "record",
            "designated_person": "Byron, byron@example.org",
            "directives": "Erase everything.",
            "csrf_token": csrf_of(page),
        },
    )
    (request,) = one(app, RightsRequest)
    assert json.loads(request.outcome) == {
        "designated_person": "Byron, byron@example.org",
        "directives": "Erase everything.",
    }
    assert request.status == "open"  # the DPO answers it


def test_portability_gives_the_json_too(app, client, smtp, ada_and_bob):
    path, _ = verified(client, smtp, "portability")
    response = client.get(f"{path}/data.json")
    assert response.mimetype == "application/json" and "attachment" in response.headers["Content-Disposition"]


@pytest.mark.parametrize("token", ["garbage", "eyJpZCI6MX0.tampered.signature"])
def test_a_bad_link_gets_a_clear_page(client, token):
    for method in (client.get, client.post):
        response = method(f"/en/rights/verify/{token}")
        assert response.status_code == 400
        assert soup(response).find("a", href="/en/rights")


def test_an_expired_link_gets_the_same_clear_page(app, client, smtp, monkeypatch):
    ask(client, "access")
    (mail,) = smtp.wait_for(1)
    from koki_site.rights import records

    monkeypatch.setattr(records, "LINK_MAX_AGE", -1)
    assert client.get(verify_link(mail)).status_code == 400


def test_the_deadline_is_a_calendar_month_after_verification(app, client, smtp):
    verified(client, smtp, "access")
    (request,) = one(app, RightsRequest)
    from koki_site.rights.deadlines import local_day

    # The day where the staff are: near midnight UTC it is already the next day in Paris.
    with app.app_context():
        verified_day = local_day(request.verified_at)
    assert request.deadline.day == min(verified_day.day, request.deadline.day)
    assert (request.deadline.year * 12 + request.deadline.month) - (
        verified_day.year * 12 + verified_day.month
    ) == 1


def test_unverified_requests_are_purged(app, client, smtp, runner):
    from datetime import date, timedelta

    ask(client, "access")
    later = (date.today() + timedelta(days=2)).isoformat()
    assert "unverified rights requests: deleted 1" in runner.invoke(args=["purge", "--as-of", later]).output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RightsRequest)) == 0
