"""flask purge: contact data after 12 months, audit entries, consent ledger; in batches."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from koki_site.consent.models import ConsentRecord
from koki_site.contact.models import ContactMessage, ContactNote, ContactReply
from koki_site.core import audit
from koki_site.extensions import db
from tests.helpers.consent import decide
from tests.helpers.contact import send_contact

pytestmark = pytest.mark.db


def count(app, model):
    with app.app_context():
        return len(db.session.scalars(select(model)).all())


def purge(runner, as_of, *flags):
    result = runner.invoke(args=["purge", "--as-of", as_of.isoformat(), *flags])
    assert result.exit_code == 0, result.output
    return result.output


def a_message_with_its_thread(app, client):
    send_contact(client)
    with app.app_context():
        message = db.session.scalars(select(ContactMessage)).one()
        now = datetime.now(UTC)
        db.session.add(
            ContactReply(
                message_id=message.id,
                author="s@koki.test",
                body="Réponse",
                created_at=now,
                delivery_status="sent",
            )
        )
        db.session.add(ContactNote(message_id=message.id, author="s@koki.test", body="Note", created_at=now))
        db.session.commit()
        return message.delete_after.date()


def test_a_message_goes_a_day_after_its_12_months_not_a_day_before(app, client, runner):
    deletion_day = a_message_with_its_thread(app, client)
    assert deletion_day == date(deletion_day.year, *a_year_after_today()[1:])
    assert "contact messages: deleted 0" in purge(runner, deletion_day - timedelta(days=1))
    assert count(app, ContactMessage) == 1
    assert "contact messages: deleted 1" in purge(runner, deletion_day + timedelta(days=1))
    assert count(app, ContactMessage) == count(app, ContactReply) == count(app, ContactNote) == 0
    assert "contact messages: deleted 0" in purge(runner, deletion_day + timedelta(days=1))  # idempotent


def a_year_after_today():
    today = date.today()
    return today.year + 1, today.month, today.day


def test_dry_run_counts_and_deletes_nothing(app, client, runner):
    deletion_day = a_message_with_its_thread(app, client)
    assert "contact messages: would delete 1" in purge(runner, deletion_day + timedelta(days=1), "--dry-run")
    assert count(app, ContactMessage) == 1


def test_audit_entries_and_consent_proof_go_after_their_periods(app, client, runner):
    decide(client, "accept_all")
    with app.app_context():
        audit.log("login", actor="someone@koki.test")
        db.session.commit()
    output = purge(runner, date.today() + timedelta(days=370))
    assert "audit entries: deleted 1" in output
    assert "consent ledger rows: deleted 0" in output
    assert count(app, ConsentRecord) == 1
    assert "consent ledger rows: deleted 1" in purge(runner, date.today() + timedelta(days=5 * 366 + 1))


def test_the_purge_is_audited_with_its_counts(app, runner):
    purge(runner, date.today())
    with app.app_context():
        entry = db.session.scalars(select(audit.AuditEntry).where(audit.AuditEntry.action == "purge")).one()
    assert entry.actor == "cli" and '"contact messages": 0' in entry.details


def test_purge_works_in_batches(app, client, runner, monkeypatch):
    from koki_site.core import batches

    monkeypatch.setattr(batches, "BATCH", 2)
    for n in range(5):
        send_contact(client, email=f"visitor{n}@example.org")
    assert "contact messages: deleted 5" in purge(runner, date.today() + timedelta(days=400))
    assert count(app, ContactMessage) == 0


def test_daily_statistics_go_after_25_months(app, runner):
    from koki_site.statistics.models import PageViews

    old, recent = date.today() - timedelta(days=25 * 31), date.today() - timedelta(days=700)
    with app.app_context():
        for day in (old, recent):
            db.session.add(PageViews(day=day, page="/", language="fr", views=3, visitors=2))
        db.session.commit()
    assert "daily page views: deleted 1" in purge(runner, date.today())
    with app.app_context():
        assert [row.day for row in db.session.scalars(select(PageViews))] == [recent]
