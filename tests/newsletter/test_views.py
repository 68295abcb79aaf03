"""The newsletter: double opt-in from the mail, one-click unsubscribe, the same answer for all."""

import time
from datetime import UTC, date, datetime, timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from koki_site.extensions import db
from koki_site.newsletter.models import Subscription, email_hmac
from tests.conftest import SECRET
from tests.helpers import LANGS, soup, visible_text
from tests.helpers.consent import decide
from tests.helpers.newsletter import header_path, links, subscribe

pytestmark = pytest.mark.db


def subscriptions(app):
    with app.app_context():
        return db.session.scalars(select(Subscription).order_by(Subscription.id)).all()


@pytest.mark.parametrize("lang", LANGS)
def test_the_double_opt_in_read_from_the_mail(app, client, smtp, lang):
    response = subscribe(client, "ada@example.org", lang)
    assert response.status_code == 303
    (mail,) = smtp.wait_for(1)
    assert mail["To"] == "ada@example.org"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header_path(mail) == links(mail)["unsubscribe"]
    assert (
        mail["Subject"]
        == {
            "en": "Confirm your subscription to the KOKI SOFTWARE newsletter",
            "fr": "Confirmez votre abonnement à la newsletter de KOKI SOFTWARE",
        }[lang]
    )
    confirm = links(mail)["confirm"]
    assert confirm.startswith(f"/{lang}/")

    page = client.get(confirm)  # what a mail scanner does
    assert page.status_code == 200 and soup(page).find("form", method="post")
    assert "Set-Cookie" not in page.headers
    assert subscriptions(app)[0].status == "pending"

    assert client.post(confirm).status_code == 200
    (subscription,) = subscriptions(app)
    assert subscription.status == "confirmed" and subscription.confirmed_at is not None
    assert (subscription.language, subscription.legal_basis) == (lang, "consent")
    assert subscription.source == f"/{lang}/newsletter"
    assert subscription.policy_version == app.config["POLICY_VERSION"]
    assert len(subscription.consent_text_sha256) == 64


def test_one_click_unsubscribe_from_the_header_keeps_only_a_keyed_hash(app, client, smtp):
    subscribe(client, "ada@example.org")
    (mail,) = smtp.wait_for(1)
    client.post(links(mail)["confirm"])
    mail_client = app.test_client()  # the mail provider: no cookie, no token, no Origin
    response = mail_client.post(header_path(mail), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    (subscription,) = subscriptions(app)
    assert subscription.status == "unsubscribed" and subscription.email is None
    assert subscription.subscribed_at and subscription.confirmed_at and subscription.unsubscribed_at
    with app.app_context():
        assert subscription.email_hmac == email_hmac("ada@example.org")
        assert "ada@example.org" not in repr(vars(subscription))


def test_unsubscribe_get_shows_a_button_and_changes_nothing(app, client, smtp):
    subscribe(client, "ada@example.org")
    (mail,) = smtp.wait_for(1)
    page = soup(client.get(links(mail)["unsubscribe"]))
    assert page.find("form", method="post").find("button")
    assert subscriptions(app)[0].status == "pending"


def answer(client, email):
    response = subscribe(client, email)
    follow = client.get(response.headers["Location"])
    return response.status_code, response.headers["Location"], visible_text(follow)


def test_the_answer_is_the_same_for_a_new_a_pending_and_a_confirmed_address(app, smtp):
    new = answer(app.test_client(), "new@example.org")
    pending = answer(app.test_client(), "new@example.org")
    with app.app_context():
        db.session.add(
            Subscription(
                email="known@example.org",
                email_hmac=email_hmac("known@example.org"),
                language="en",
                status="confirmed",
                legal_basis="consent",
                source="/en/newsletter",
                policy_version="v",
                consent_text_sha256="0" * 64,
                subscribed_at=datetime.now(UTC),
                confirmed_at=datetime.now(UTC),
            )
        )
        db.session.commit()
    confirmed = answer(app.test_client(), "known@example.org")
    assert new == pending == confirmed
    assert [m["To"] for m in smtp.wait_for(1, timeout=1)] == ["new@example.org"]  # not twice at once


def test_a_pending_address_gets_the_mail_again_after_a_while(app, client, smtp):
    subscribe(client, "ada@example.org")
    with app.app_context():
        subscription = db.session.scalars(select(Subscription)).one()
        subscription.last_mailed_at -= timedelta(minutes=11)
        db.session.commit()
    subscribe(client, "ada@example.org")
    assert len(smtp.wait_for(2)) == 2
    assert len(subscriptions(app)) == 1


def expired_token(subscription_id, hash_prefix):
    class EightDaysAgo(TimestampSigner):
        def get_timestamp(self):
            return int(time.time() - 8 * 86400)

    serializer = URLSafeTimedSerializer(SECRET, salt="koki-newsletter-confirm", signer=EightDaysAgo)
    return serializer.dumps({"id": subscription_id, "h": hash_prefix})


@pytest.mark.parametrize("kind", ["expired", "tampered", "garbage", "unsubscribe-token-to-confirm"])
def test_a_bad_link_gets_a_clear_page_with_a_way_to_subscribe_again(app, client, smtp, kind):
    subscribe(client, "ada@example.org")
    (mail,) = smtp.wait_for(1)
    confirm, unsubscribe = links(mail)["confirm"], links(mail)["unsubscribe"]
    subscription = subscriptions(app)[0]
    path = {
        "expired": f"/en/newsletter/confirm/{expired_token(subscription.id, subscription.email_hmac[:16])}",
        "tampered": confirm[:-2] + ("AA" if not confirm.endswith("AA") else "BB"),
        "garbage": "/en/newsletter/confirm/not-a-token",
        "unsubscribe-token-to-confirm": "/en/newsletter/confirm/" + unsubscribe.rsplit("/", 1)[1],
    }[kind]
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 400
        assert soup(response).find("a", href="/en/newsletter")
    assert subscriptions(app)[0].status == "pending"


def test_subscribing_again_after_leaving_starts_a_new_double_opt_in(app, client, smtp):
    subscribe(client, "ada@example.org")
    (first,) = smtp.wait_for(1)
    client.post(links(first)["unsubscribe"])
    smtp.messages.clear()
    subscribe(client, "ada@example.org")
    (second,) = smtp.wait_for(1)
    old, new = subscriptions(app)
    assert (old.status, old.email) == ("unsubscribed", None)
    assert (new.status, new.email) == ("pending", "ada@example.org")
    assert client.post(links(first)["confirm"]).status_code == 400  # the old link confirms nothing new
    client.post(links(second)["confirm"])
    assert subscriptions(app)[1].status == "confirmed"


@pytest.mark.parametrize("email", ["not an address", "ada@example.org\r\nBcc: all@example.org", ""])
def test_an_invalid_address_gets_400_with_the_input_kept(app, client, email):
    response = subscribe(client, email)
    assert response.status_code == 400
    page = soup(response)
    assert page.find(id="email-error") and page.find(id="email")["value"] == email.strip()
    assert subscriptions(app) == []


def test_with_enhancement_the_address_is_prefilled(client, smtp):
    decide(client, "custom", purposes=("enhancement",))
    subscribe(client, "ada@example.org")
    assert soup(client.get("/en/newsletter")).find(id="email")["value"] == "ada@example.org"


def test_purge_removes_unconfirmed_subscriptions_after_30_days(app, client, runner, smtp):
    subscribe(client, "pending@example.org")
    subscribe(client, "confirmed@example.org")
    confirm = links(smtp.wait_for(2)[1])["confirm"]
    client.post(confirm)
    later = (date.today() + timedelta(days=31)).isoformat()
    assert "unconfirmed subscriptions: deleted 1" in runner.invoke(args=["purge", "--as-of", later]).output
    assert [s.email for s in subscriptions(app)] == ["confirmed@example.org"]


@pytest.mark.parametrize("lang", LANGS)
def test_subscribe_confirm_appear_in_the_export_unsubscribe_and_disappear(app, client, smtp, staff, lang):
    marketing = staff("marketing")
    subscribe(client, "ada@example.org", lang)
    (mail,) = smtp.wait_for(1)
    assert "ada@example.org" not in marketing.get("/staff/newsletter/export.csv").get_data(as_text=True)
    client.post(links(mail)["confirm"])
    export = marketing.get("/staff/newsletter/export.csv").get_data(as_text=True)
    assert f"ada@example.org,{lang}," in export
    app.test_client().post(header_path(mail), data={"List-Unsubscribe": "One-Click"})
    assert "ada@example.org" not in marketing.get("/staff/newsletter/export.csv").get_data(as_text=True)


def test_the_page_says_what_subscribers_get_from_configuration_or_a_neutral_text(app, client):
    pitch = soup(client.get("/en/newsletter")).find(class_="newsletter-pitch").get_text()
    assert "practical notes on cleaning traceability" in pitch
    assert not any(word in pitch for word in ("month", "week", "every"))  # no frequency promised
    app.config["NEWSLETTER_PITCH"] = {
        "fr": "Chaque trimestre, les nouveautés.",
        "en": "Each quarter, what is new.",
    }
    assert soup(client.get("/fr/newsletter")).find(class_="newsletter-pitch").get_text() == (
        "Chaque trimestre, les nouveautés."
    )
