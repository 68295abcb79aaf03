"""The staff inbox (SPEC §6): the thread, replies mailed through the outbox, notes, roles, escaping."""

import pytest
from sqlalchemy import select

from koki_site.audit import AuditEntry
from koki_site.contact.models import ContactMessage, ContactReply
from koki_site.extensions import db
from koki_site.mail import OutboxMail
from tests.contact_helpers import send_contact
from tests.helpers import soup, visible_text
from tests.staff_helpers import csrf_token

pytestmark = pytest.mark.db


def one_message(app, client, lang="fr", **fields):
    send_contact(client, lang, **fields)
    with app.app_context():
        return db.session.scalars(select(ContactMessage).order_by(ContactMessage.id.desc())).first().id


def post_form(client, page, action, **fields):
    return client.post(action, data={"csrf_token": csrf_token(client, page), **fields})


def reply(client, message_id, body):
    page = f"/staff/messages/{message_id}"
    return post_form(client, page, f"{page}/reply", body=body)


def audit_actions(app):
    with app.app_context():
        return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_a_message_goes_from_the_form_to_the_inbox_to_a_mailed_reply(app, client, staff, smtp):
    message_id = one_message(app, client, "fr")
    support = staff("support")
    inbox = soup(support.get("/staff/messages"))
    link = inbox.find("a", href=f"/staff/messages/{message_id}")
    assert link is not None
    page = soup(support.get(link["href"]))
    assert "Bonjour, je voudrais une démonstration." in page.get_text()
    smtp.messages.clear()  # the notification to support
    response = reply(support, message_id, "Merci, voici nos disponibilités.")
    assert response.status_code == 303
    (mail,) = smtp.wait_for(1)
    assert mail["To"] == "ada@example.org"
    assert mail["Subject"].startswith("Votre message KOKI-")
    assert mail["Reply-To"] == app.config["COMPANY_EMAIL"]
    body = mail.get_content()
    assert body.startswith("Bonjour Ada,") and "Merci, voici nos disponibilités." in body
    with app.app_context():
        message = db.session.get(ContactMessage, message_id)
        assert message.status == "answered"
        (stored,) = message.replies
        assert (stored.delivery_status, stored.author) == ("sent", "support@koki.test")
        assert db.session.scalars(select(OutboxMail)).all() == []
    assert {"message_view", "reply"} <= set(audit_actions(app))


def test_the_reply_is_in_the_language_of_the_message(app, client, staff, smtp):
    message_id = one_message(app, client, "en")
    support = staff("support")
    smtp.messages.clear()
    reply(support, message_id, "Thanks.")
    (mail,) = smtp.wait_for(1)
    assert mail["Subject"].startswith("Your message KOKI-")
    assert mail.get_content().startswith("Hello Ada,")


def test_with_the_smtp_server_down_the_reply_waits_and_a_later_send_delivers_it(
    app, client, staff, smtp_server, runner
):
    message_id = one_message(app, client)
    support = staff("support")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
    assert reply(support, message_id, "Réponse qui attendra.").status_code == 303
    with app.app_context():
        (stored,) = db.session.scalars(select(ContactReply)).all()
        assert stored.delivery_status == "queued"
        waiting = db.session.scalars(
            select(OutboxMail).where(OutboxMail.to_address == "ada@example.org")
        ).one()
        assert "ConnectionRefused" in waiting.last_error
        waiting.next_attempt_at = waiting.created_at  # as if the backoff had passed
        db.session.commit()
    smtp_server.messages.clear()
    app.config.update(MAIL_PORT=smtp_server.port)
    runner.invoke(args=["mail", "send"])
    assert [m["To"] for m in smtp_server.wait_for(1)] == ["ada@example.org"]
    with app.app_context():
        assert db.session.scalars(select(ContactReply)).one().delivery_status == "sent"


def test_a_note_is_kept_in_the_thread_and_never_mailed(app, client, staff, smtp):
    message_id = one_message(app, client)
    support = staff("support")
    smtp.messages.clear()
    page = f"/staff/messages/{message_id}"
    assert post_form(support, page, f"{page}/note", body="Client important, rappeler.").status_code == 303
    assert "client important, rappeler." in visible_text(support.get(page))
    assert smtp.wait_for(1, timeout=0.5) == []
    assert "note" in audit_actions(app)


def test_status_assignment_and_filters(app, client, staff):
    first = one_message(app, client, first_name="Grace", company="Navy")
    second = one_message(
        app, client, first_name="Linus", email="linus@example.org", message="Kernel question"
    )
    support = staff("support")
    page = f"/staff/messages/{first}"
    post_form(support, page, f"{page}/assign", assign="me")
    post_form(support, page, f"{page}/status", status="closed")

    def listed(query):
        return {a.get_text() for a in soup(support.get(f"/staff/messages?{query}")).select("tbody th a")}

    with app.app_context():
        refs = {m.id: m.reference for m in db.session.scalars(select(ContactMessage))}
    assert listed("assigned=mine") == {refs[first]}
    assert listed("assigned=unassigned") == {refs[second]}
    assert listed("status=closed") == {refs[first]}
    assert listed("status=new") == {refs[second]}
    assert listed("q=navy") == {refs[first]}
    assert listed("q=LINUS@example") == {refs[second]}
    assert listed("q=kernel") == {refs[second]}
    assert listed("q=100%25") == set()  # a LIKE wildcard is searched for, not obeyed
    assert {"assign", "status_change"} <= set(audit_actions(app))


def test_the_inbox_pages_through_many_messages(app, staff):
    with app.app_context():
        from datetime import UTC, datetime, timedelta

        now = datetime.now(UTC)
        for n in range(30):
            db.session.add(
                ContactMessage(
                    reference=f"KOKI-2026-{n + 1:05d}",
                    first_name="V",
                    last_name=str(n),
                    email=f"v{n}@example.org",
                    company="",
                    phone="",
                    message="m",
                    language="fr",
                    legal_basis="legitimate_interests",
                    purpose="p",
                    policy_version="v",
                    received_at=now - timedelta(minutes=n),
                    delete_after=now + timedelta(days=365),
                )
            )
        db.session.commit()
    support = staff("support")
    first_page = soup(support.get("/staff/messages"))
    assert len(first_page.select("tbody tr")) == 25
    second_page = soup(support.get("/staff/messages?page=2"))
    assert len(second_page.select("tbody tr")) == 5


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_what_a_visitor_typed_is_shown_escaped_to_staff(app, client, staff):
    message_id = one_message(app, client, first_name=XSS[:100], last_name=XSS[:100], company=XSS, message=XSS)
    support = staff("support")
    for path in ("/staff/messages", f"/staff/messages/{message_id}"):
        html = support.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert" in html


STAFF_PAGES = {
    "/staff/": (),
    "/staff/messages": ("support",),
    "/staff/messages/{id}": ("support",),
    "/staff/audit": ("dpo",),
    "/staff/retention": ("dpo",),
    "/staff/stats": (),
    "/staff/accounts": ("admin",),
}


@pytest.mark.parametrize("role", ["support", "marketing", "dpo", "admin"])
def test_the_role_matrix_over_every_staff_page(app, client, staff, role):
    message_id = one_message(app, client)
    member = staff(role)
    for path, roles in STAFF_PAGES.items():
        url = path.format(id=message_id)
        expected = 200 if not roles or role in roles else 403
        assert member.get(url).status_code == expected, (role, url)
        assert client.get(url).status_code == 302  # a visitor goes to the login page
    if role != "support":
        page = "/staff/"
        assert post_form(member, page, f"/staff/messages/{message_id}/reply", body="x").status_code == 403
