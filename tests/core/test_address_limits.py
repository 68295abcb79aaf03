"""Other people's mailboxes: one subscription per address whatever its case, a few
verification mails per address whichever client asks, and an answer that tells none of it."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from koki_site.extensions import db
from koki_site.newsletter import records
from koki_site.newsletter.models import Subscription
from koki_site.rights import limits
from koki_site.rights.models import RightsRequest
from tests.helpers import soup, visible_text
from tests.helpers.consent import decide
from tests.helpers.contact import send_contact
from tests.helpers.newsletter import subscribe
from tests.helpers.rights import ask, verify_link

pytestmark = pytest.mark.db


def visitor(app, ip):
    """A browser at client address ip that accepted every cookie (so every cookie is set)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    decide(client, "accept_all")
    return client


def cookie_shapes(response):
    """The cookies a response sets, by name and attributes, without their values (nor Expires)."""
    shapes = []
    for line in response.headers.getlist("Set-Cookie"):
        name, attributes = line.split("=", 1)[0], line.split(";")[1:]
        kept = tuple(sorted(a.strip() for a in attributes if not a.strip().lower().startswith("expires")))
        shapes.append((name, kept))
    return tuple(sorted(shapes))


def answer(client, response):
    """All a visitor learns from a form's answer: status, where it leads, that page, the cookies."""
    page = client.get(response.headers["Location"])
    return response.status_code, response.headers["Location"], visible_text(page), cookie_shapes(response)


def rows(app, model):
    with app.app_context():
        return db.session.scalars(select(model).order_by(model.id)).all()


def test_one_subscription_and_one_mail_per_address_whatever_its_case(app, smtp):
    first = visitor(app, "192.0.2.1")
    second = visitor(app, "198.51.100.2")
    assert answer(first, subscribe(first, "Dup.Case@example.org")) == answer(
        second, subscribe(second, "dup.case@example.org")
    )
    (subscription,) = rows(app, Subscription)
    assert subscription.email == "dup.case@example.org"  # stored, and mailed, lower-cased
    assert [m["To"] for m in smtp.wait_for(2, timeout=1)] == ["dup.case@example.org"]


def test_the_newsletter_answer_is_the_same_mailed_held_back_or_already_confirmed(app, smtp):
    mailed = visitor(app, "192.0.2.1")
    mailed_answer = answer(mailed, subscribe(mailed, "Known@Example.org"))
    held_back = visitor(app, "192.0.2.2")
    held_back_answer = answer(held_back, subscribe(held_back, "KNOWN@example.org"))
    with app.app_context():
        db.session.execute(update(Subscription).values(status="confirmed"))
        db.session.commit()
    confirmed = visitor(app, "192.0.2.3")
    assert mailed_answer == held_back_answer == answer(confirmed, subscribe(confirmed, "known@example.org"))
    assert len(smtp.wait_for(2, timeout=1)) == 1


@pytest.mark.parametrize("app_settings", [{"NEWSLETTER_MAIL_INTERVAL_MINUTES": 0}])
def test_the_newsletter_interval_is_the_configured_one(app, smtp):
    subscribe(visitor(app, "192.0.2.1"), "Ada@example.org")
    subscribe(visitor(app, "192.0.2.2"), "ada@example.org")
    assert len(smtp.wait_for(2)) == 2 and len(rows(app, Subscription)) == 1


def asked(app, right, email, ip):
    """Ask for right from a new browser at client address ip: what that visitor learns."""
    client = visitor(app, ip)
    return answer(client, ask(client, right, email))


def test_the_same_right_twice_within_the_interval_one_mail_one_row_the_same_answer(app, smtp):
    first = asked(app, "access", "Ada@Example.org", "192.0.2.1")
    second = asked(app, "access", "ada@example.org", "198.51.100.2")
    assert first == second
    assert [r.email for r in rows(app, RightsRequest)] == ["Ada@example.org"]
    assert len(smtp.wait_for(2, timeout=1)) == 1


def test_two_different_rights_two_mails(app, smtp):
    asked(app, "access", "Ada@Example.org", "192.0.2.1")
    asked(app, "erasure", "ada@example.org", "198.51.100.2")
    assert len(smtp.wait_for(2)) == 2
    assert [r.right for r in rows(app, RightsRequest)] == ["access", "erasure"]


@pytest.mark.parametrize("app_settings", [{}, {"RIGHTS_MAILS_PER_ADDRESS_PER_HOUR": 2}])
def test_over_the_hourly_cap_no_more_mail_and_the_same_answer(app, smtp, app_settings):
    cap = app.config["RIGHTS_MAILS_PER_ADDRESS_PER_HOUR"]
    rights = ("access", "erasure", "restriction", "objection", "rectification", "portability")[: cap + 2]
    answers = {asked(app, right, "ADA@example.org", f"192.0.2.{n}") for n, right in enumerate(rights, 1)}
    assert len(answers) == 1
    assert len(smtp.wait_for(cap + 1, timeout=1)) == cap
    assert [r.right for r in rows(app, RightsRequest)] == list(rights[:cap])


def earlier(app, minutes):
    """Every rights request, as if it had come that many minutes earlier."""
    with app.app_context():
        for request in db.session.scalars(select(RightsRequest)):
            request.received_at -= timedelta(minutes=minutes)
        db.session.commit()


def test_the_interval_and_the_hour_pass(app, smtp):
    asked(app, "access", "ada@example.org", "192.0.2.1")
    earlier(app, 11)
    asked(app, "access", "Ada@example.org", "192.0.2.2")  # the interval has passed
    asked(app, "erasure", "ada@example.org", "192.0.2.3")
    asked(app, "objection", "ada@example.org", "192.0.2.4")  # the fourth of the hour
    asked(app, "restriction", "ada@example.org", "192.0.2.5")  # over the cap
    assert len(rows(app, RightsRequest)) == 4
    earlier(app, 61)
    asked(app, "restriction", "ada@example.org", "192.0.2.6")  # a new hour
    assert len(rows(app, RightsRequest)) == 5
    assert len(smtp.wait_for(5)) == 5


def test_the_earlier_link_still_works_when_a_request_is_held_back(app, smtp):
    asked(app, "access", "ada@example.org", "192.0.2.1")
    (mail,) = smtp.wait_for(1)
    asked(app, "access", "ada@example.org", "192.0.2.2")
    page = app.test_client().post(verify_link(mail), data={"action": "verify"})
    assert page.status_code == 200 and rows(app, RightsRequest)[0].verified_at is not None


def test_the_rights_answer_is_the_same_mailed_held_back_or_for_an_unknown_address(app, smtp):
    send_contact(app.test_client(), "en", email="ada@example.org")  # something is held for Ada
    smtp.messages.clear()
    known = asked(app, "access", "ada@example.org", "192.0.2.1")
    held_back = asked(app, "access", "Ada@example.org", "192.0.2.2")
    unknown = asked(app, "access", "nobody@example.org", "192.0.2.3")
    assert known == held_back == unknown
    assert sorted(m["To"] for m in smtp.wait_for(3, timeout=1)) == ["ada@example.org", "nobody@example.org"]


def slowed(monkeypatch, module, name):
    """module.name made 0.3 s slower, so that a request sent at the same moment arrives meanwhile."""
    original = getattr(module, name)

    def slow(*args, **kwargs):
        result = original(*args, **kwargs)
        threading.Event().wait(0.3)
        return result

    monkeypatch.setattr(module, name, slow)


def post_at_once(app, path, forms):
    """POST each form from its own browser and client address, all at the same moment: the statuses."""
    clients = [visitor(app, f"192.0.2.{n}") for n in range(1, len(forms) + 1)]
    tokens = [soup(c.get(path)).find("input", attrs={"name": "csrf_token"})["value"] for c in clients]
    statuses, start = [], threading.Barrier(len(forms))

    def post(client, data):
        start.wait()
        statuses.append(client.post(path, data=data).status_code)

    threads = [
        threading.Thread(target=post, args=(client, {**form, "csrf_token": token}))
        for client, form, token in zip(clients, forms, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return statuses


def test_the_rights_limits_hold_when_two_workers_ask_at_the_same_moment(app, smtp, monkeypatch):
    """Between the count and the insert the other request waits: one row and one mail, not two."""
    slowed(monkeypatch, limits, "may_mail")
    forms = [{"right": "access", "email": email} for email in ("Ada@example.org", "ada@example.org")]
    assert post_at_once(app, "/en/rights", forms) == [303, 303]
    assert len(rows(app, RightsRequest)) == 1
    assert len(smtp.wait_for(2, timeout=1)) == 1


def test_two_subscriptions_at_the_same_moment_make_one(app, smtp, monkeypatch):
    slowed(monkeypatch, records, "consent_text_sha256")  # between the look-up and the insert
    forms = [{"email": "Dup.Case@example.org"}, {"email": "dup.case@example.org"}]
    assert post_at_once(app, "/en/newsletter", forms) == [303, 303]
    assert len(rows(app, Subscription)) == 1
    assert len(smtp.wait_for(2, timeout=1)) == 1


def test_two_resends_at_the_same_moment_send_one_mail(app, smtp, monkeypatch):
    subscribe(visitor(app, "192.0.2.9"), "ada@example.org")
    with app.app_context():
        subscription = db.session.scalars(select(Subscription)).one()
        subscription.last_mailed_at -= timedelta(minutes=11)
        db.session.commit()
    smtp.wait_for(1)
    smtp.messages.clear()
    slowed(monkeypatch, records, "queue_confirmation")
    forms = [{"email": "Ada@example.org"}, {"email": "ada@example.org"}]
    assert post_at_once(app, "/en/newsletter", forms) == [303, 303]
    assert len(smtp.wait_for(2, timeout=1)) == 1
