"""The back office's other pages as their users read them: error pages in the staff layout, the home's
to-do per role, the audit log and the DPO's pages in French, undelivered mail, the marketing pages."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from koki_site import mail
from koki_site.core.audit import AuditEntry
from koki_site.extensions import db
from koki_site.mail import OutboxMail
from koki_site.newsletter.models import Subscription
from tests.helpers import soup, visible_text
from tests.helpers.inbox import one_message, post_form
from tests.helpers.mail import text_of
from tests.helpers.staff import csrf_token
from tests.rights.test_desk import add_request, local_today

pytestmark = pytest.mark.db
FR = {"Accept-Language": "fr"}


@pytest.mark.parametrize(
    ("path", "code"), [("/staff/audit", 403), ("/staff/nowhere", 404), ("/staff/messages/999", 404)]
)
@pytest.mark.parametrize(
    ("language", "title"), [("fr", {403: "Accès refusé", 404: "Page introuvable"}), ("en", None)]
)
def test_staff_errors_are_in_the_staff_layout_in_the_staffs_language(staff, path, code, language, title):
    support = staff("support")
    response = support.get(path, headers={"Accept-Language": language})
    assert response.status_code == code
    page = soup(response)
    assert page.body["class"] == ["staff"] and page.find("nav", class_="staff-nav") is not None
    assert page.find(class_="consent-banner") is None and page.find("footer") is None
    assert page.html["lang"] == language
    if title:
        assert page.h1.get_text() == title[code]
    assert page.find("a", href="/staff/") is not None


def test_a_visitors_404_under_staff_has_no_banner_nor_menu(client):
    response = client.get("/staff/nowhere", headers=FR)
    page = soup(response)
    assert response.status_code == 404 and page.find(class_="consent-banner") is None
    assert page.find("nav", class_="staff-nav") is None and page.find("a", href="/staff/login")


def tasks(client):
    return [
        (li.get_text(strip=True), li.a["href"], "urgent" in (li.get("class") or []))
        for li in soup(client.get("/staff/")).select(".tasks li")
    ]


def test_the_home_says_what_needs_doing_per_role(app, client, staff, runner):
    one_message(app, client)
    today = local_today(app)
    add_request(app, 1, deadline=today - timedelta(days=2))
    add_request(app, 2, deadline=today + timedelta(days=3))
    add_request(app, 3, deadline=today + timedelta(days=20))
    assert tasks(staff("support")) == [("1 new message", "/staff/messages?status=new", True)]
    dpo_tasks = tasks(staff("dpo"))
    assert [task for task in dpo_tasks if "rights" in task[1]] == [
        ("1 rights request is overdue", "/staff/rights", True),
        ("1 rights request is due within 7 days", "/staff/rights", True),
        ("1 other rights request to answer", "/staff/rights", False),
    ]
    # Urgent or not as the purge is late, which depends on the hour (the worker has never run here).
    assert [task[:2] for task in dpo_tasks if "rights" not in task[1]] == [
        ("No purge has run yet.", "/staff/retention")
    ]
    runner.invoke(args=["purge"])
    (purge_task,) = [task for task in tasks(staff("dpo")) if task[1] == "/staff/retention"]
    assert "Last purge: " in purge_task[0] and purge_task[0].endswith("0 records removed")
    with app.test_request_context():
        queued = mail.queue("someone@example.org", "Subject", "Text")
        db.session.flush()
        queued.next_attempt_at, queued.attempts, queued.last_error = None, 8, "SMTPRecipientsRefused: 550"
        db.session.commit()
    admin_tasks = tasks(staff("admin"))
    assert admin_tasks[0] == ("1 mail could not be delivered", "/staff/mail", True)
    assert tasks(staff("support", "dpo"))[:1] == [("1 new message", "/staff/messages?status=new", True)]


def test_an_admin_sees_undelivered_mail_and_tries_it_again(app, staff, smtp):
    with app.test_request_context():
        queued = mail.queue("someone@example.org", "Votre demande", "Texte")
        db.session.flush()
        queued.next_attempt_at, queued.attempts, queued.last_error = (
            None,
            8,
            "ConnectionRefusedError: refused",
        )
        db.session.commit()
        mail_id = queued.id
    admin = staff("admin")
    page = visible_text(admin.get("/staff/mail"))
    assert "someone@example.org" in page and "connectionrefusederror: refused" in page
    response = post_form(admin, "/staff/mail", "/staff/mail/retry", ids=mail_id)
    assert response.status_code == 303
    assert [m["To"] for m in smtp.wait_for(1)] == ["someone@example.org"]
    with app.app_context():
        assert db.session.scalars(select(OutboxMail)).all() == []
    assert staff("dpo").get("/staff/mail").status_code == 403


def test_the_audit_log_is_in_french_with_names_and_links(app, client, staff):
    message_id = one_message(app, client)
    request_id = add_request(app, 4, deadline=local_today(app) + timedelta(days=9))
    both = staff("support", "dpo")
    both.get(f"/staff/messages/{message_id}")
    both.get(f"/staff/rights/{request_id}")
    page = soup(both.get("/staff/audit", headers=FR))
    rows = page.find("table").tbody.find_all("tr")
    text = [" ".join(row.get_text(" ").split()) for row in rows]
    request_read = "Demande d’exercice de droits consultée Demande d’exercice de droits KOKI-R-2026-00004"
    assert text[0].endswith(f"support-dpo@koki.test {request_read}")
    assert "Message lu Message KOKI-2026-00001" in text[1]
    assert "Connexion Compte du personnel support-dpo@koki.test" in text[2]
    links = [a["href"] for a in page.select("td.target a")]
    assert links == ["/staff/rights/ref/KOKI-R-2026-00004", "/staff/messages/ref/KOKI-2026-00001"]
    assert both.get(links[0]).headers["Location"] == f"/staff/rights/{request_id}"
    assert both.get(links[1]).headers["Location"] == f"/staff/messages/{message_id}"
    assert "rights_view" not in str(page.find("table")) and "staff:" not in page.find("table").get_text()
    # A DPO who is not support sees the message's reference, without a link to a page they cannot open.
    dpo_only = soup(staff("dpo").get("/staff/audit?action=message_view"))
    assert dpo_only.select("td.target a") == [] and "KOKI-2026-00001" in dpo_only.find("table").get_text()


def test_the_dpo_sees_who_what_how_long_and_what_we_hold_in_french(app, client, staff):
    one_message(app, client, "fr", phone="06 12 34 56 78")
    request_id = add_request(
        app, 5, deadline=local_today(app) + timedelta(days=3), right="erasure", language="fr"
    )
    dpo = staff("dpo")
    row = soup(dpo.get("/staff/rights", headers=FR)).find("table").tbody.tr
    cells = " ".join(row.get_text(" ").split())
    assert "ada@example.org Effacement" in cells and "3 échéance proche" in cells
    assert row["class"] == ["due-soon"]
    page = soup(dpo.get(f"/staff/rights/{request_id}", headers=FR))
    assert page.h1.get_text() == "Effacement — ada@example.org"
    assert "3\xa0jours restants" in page.get_text() or "3 jours restants" in page.get_text()
    held = " ".join(page.find("section", class_="held-data").get_text(" ").split())
    assert "Demandes de contact" in held and "Prénom Ada" in held and "Téléphone 06 12 34 56 78" in held
    assert "Base légale Intérêts légitimes" in held and "first_name" not in held
    answer, refuse = page.find("form", class_="answer-form"), page.find("form", class_="refuse-form")
    assert answer.find("textarea")["name"] == "answer" and refuse.find("textarea")["name"] == "reason"
    assert len(answer.find_all("button")) == 1 and len(refuse.find_all("button")) == 1


def test_a_refusal_has_its_own_reason_box(app, staff, smtp):
    request_id = add_request(app, 6, deadline=local_today(app) + timedelta(days=3), right="erasure")
    dpo = staff("dpo")
    page = f"/staff/rights/{request_id}"
    empty = dpo.post(f"{page}/refuse", data={"csrf_token": csrf_token(dpo, page), "reason": " "})
    assert empty.status_code == 400 and "Please give the reason" in empty.get_data(as_text=True)
    reason = "We must keep the proof of your consent for five years."
    assert (
        dpo.post(f"{page}/refuse", data={"csrf_token": csrf_token(dpo, page), "reason": reason}).status_code
        == 303
    )
    body = text_of(smtp.wait_for(1)[0])
    assert reason in body and "CNIL" in body


def test_the_retention_page_is_in_words(app, staff, runner):
    runner.invoke(args=["purge"])
    page = visible_text(staff("dpo").get("/staff/retention", headers=FR))
    assert "flask" not in page and "purge" in page
    assert "messages de contact" in page and "entrées du journal d’audit" in page
    assert "la dernière purge a eu lieu le" in page


def add_subscription(app, **fields):
    now = datetime.now(UTC)
    values = {
        "email": "lecteur@example.org",
        "email_hmac": "0" * 64,
        "language": "fr",
        "status": "confirmed",
        "legal_basis": "consent",
        "source": "https://www.koki.test/fr/newsletter",
        "policy_version": "2026-11-29",
        "consent_text_sha256": "ab" * 32,
        "subscribed_at": now - timedelta(days=3),
        "confirmed_at": now - timedelta(days=3),
        **fields,
    }
    with app.app_context():
        subscription = Subscription(**values)
        db.session.add(subscription)
        db.session.commit()
        return subscription.id


def test_the_growth_per_week_and_a_subscribers_page_with_its_proof(app, staff):
    now = datetime.now(UTC)
    five_weeks_ago = now - timedelta(weeks=5)
    add_subscription(app, confirmed_at=now)
    add_subscription(app, email="ancien@example.org", email_hmac="1" * 64, confirmed_at=five_weeks_ago)
    gone = add_subscription(
        app,
        email=None,
        email_hmac="2" * 64,
        status="unsubscribed",
        confirmed_at=five_weeks_ago,
        unsubscribed_at=now,
    )
    marketing = staff("marketing")
    page = soup(marketing.get("/staff/newsletter?weeks=12"))
    numbers = page.find("table", id="growth-chart-numbers").tbody.find_all("tr")
    assert len(numbers) == 12
    counts = [[td.get_text() for td in row.find_all("td")] for row in numbers]
    assert sum(int(c[0]) for c in counts) == 3 and sum(int(c[1]) for c in counts) == 1
    assert counts[-1] == ["1", "1"] and counts[-6] == ["2", "0"]  # this week; five weeks ago
    assert len(page.select("#growth-chart rect.bar")) == 24
    assert page.find(id="total-unsubscribed").get_text() == "1"
    export = page.find("label", attrs={"for": "export-excel"}).get_text()
    assert "BOM" not in export and "semicolon" not in export
    subscriber = soup(marketing.get(f"/staff/newsletter/{gone}", headers=FR))
    text = " ".join(subscriber.get_text(" ").split())
    assert "Adresse effacée (désabonné)" in text and "Désabonné" in text
    assert "2026-11-29" in text and "https://www.koki.test/fr/newsletter" in text and "ab" * 32 in text
    assert len(subscriber.select("ol.history li")) == 3
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
        assert (entry.action, entry.target, entry.details) == (
            "subscriber_view",
            f"subscription:{gone}",
            None,
        )
