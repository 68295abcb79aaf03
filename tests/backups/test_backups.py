"""Backups (SPEC §8): encrypted and authenticated; a restore never brings back what was erased."""

import logging
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from koki_site.backups import archive
from koki_site.contact.models import ContactMessage
from koki_site.core import jobs, secret_keys
from koki_site.extensions import db
from koki_site.mail import worker
from koki_site.newsletter.models import Subscription
from tests.helpers import soup, tables_holding
from tests.helpers.contact import send_contact
from tests.helpers.newsletter import links, subscribe
from tests.helpers.rights import ask, verify_link

pytestmark = pytest.mark.db
KEY = "a backup key of more than thirty-two characters"


@pytest.fixture
def app_settings(tmp_path):
    return {"BACKUP_KEY": KEY, "BACKUP_DIR": str(tmp_path / "backups")}


@pytest.fixture
def ada_and_bob(app, smtp):
    """Ada and Bob wrote and subscribed (confirmed)."""
    for email, first_name in (("ada@example.org", "Ada"), ("bob@example.org", "Bob")):
        send_contact(app.test_client(), "en", email=email, first_name=first_name)
        subscribe(app.test_client(), email)
    for message in smtp.wait_for(4):
        if "confirm" in links(message):
            app.test_client().post(links(message)["confirm"])
    smtp.messages.clear()


def invoke(runner, *args, input=None):
    result = runner.invoke(args=list(args), input=input)
    return result.exit_code, result.output


def verified(client, smtp, right, email):
    ask(client, right, email)
    (mail,) = [m for m in smtp.wait_for(1) if m["To"] == email]
    smtp.messages.clear()
    path = verify_link(mail)
    client.post(path, data={"action": "verify"})
    return path


def names(app):
    with app.app_context():
        return sorted(db.session.scalars(select(ContactMessage.first_name)).all())


def test_a_backup_is_verified_whole_and_a_changed_byte_fails(app, runner, tmp_path, ada_and_bob):
    path = tmp_path / "site.kbak"
    code, output = invoke(runner, "backup", "create", "-o", str(path))
    assert code == 0 and "Backup written" in output, output
    assert b"ada@example.org" not in path.read_bytes()  # encrypted
    code, output = invoke(runner, "backup", "verify", str(path))
    assert code == 0 and "Backup OK" in output, output
    assert "contact_message" in output  # it says what it holds
    damaged = bytearray(path.read_bytes())
    damaged[len(damaged) // 2] ^= 1
    path.write_bytes(bytes(damaged))
    code, output = invoke(runner, "backup", "verify", str(path))
    assert code != 0 and "damaged" in output


def test_without_a_key_no_backup_is_made(app, runner, tmp_path):
    app.config["BACKUP_KEY"] = None
    code, output = invoke(runner, "backup", "create", "-o", str(tmp_path / "x.kbak"))
    assert code != 0 and "BACKUP_KEY" in output
    assert not (tmp_path / "x.kbak").exists()


def test_a_restore_brings_everything_back_but_what_was_erased_since(
    app, client, runner, smtp, tmp_path, ada_and_bob
):
    path = tmp_path / "site.kbak"
    assert invoke(runner, "backup", "create", "-o", str(path))[0] == 0
    # After the backup: Ada has everything erased; Bob corrects his name, then unsubscribes.
    erasure = verified(client, smtp, "erasure", "ada@example.org")
    assert client.post(erasure, data={"action": "erase"}).status_code == 200
    bob = app.test_client()
    rectification = verified(bob, smtp, "rectification", "bob@example.org")
    token = soup(bob.get(rectification)).find("input", attrs={"name": "csrf_token"})["value"]
    corrected = {"action": "rectify", "csrf_token": token, "first_name": "Robert", "last_name": "Lovelace"}
    assert bob.post(rectification, data=corrected).status_code == 200
    assert names(app) == ["Robert"]
    withdrawal = verified(bob, smtp, "withdraw_consent", "bob@example.org")
    assert bob.post(withdrawal, data={"action": "withdraw"}).status_code == 200
    assert tables_holding(app, "ada@example.org") == {"rights_request"}

    code, output = invoke(runner, "backup", "restore", str(path), input="y\n")
    assert code == 0, output
    assert "done again since: erase × 1" in output
    # Everything of the backup is back, but Ada's data, Bob's old name and Bob's subscription.
    assert tables_holding(app, "ada@example.org") == set()
    assert names(app) == ["Robert"]
    with app.app_context():
        (bob_subscription,) = db.session.scalars(select(Subscription)).all()
    assert bob_subscription.status == "unsubscribed" and bob_subscription.email is None


def test_a_restore_asks_first_and_refuses_a_newer_schema(app, runner, tmp_path, ada_and_bob):
    path = tmp_path / "site.kbak"
    invoke(runner, "backup", "create", "-o", str(path))
    code, output = invoke(runner, "backup", "restore", str(path), input="n\n")
    assert code != 0 and "Aborted" in output
    future = archive.Header("sqlite", "9999_from_the_future", datetime.now(UTC).isoformat())
    newer = tmp_path / "newer.kbak"
    newer.write_bytes(archive.seal(future, b"not a database", KEY))
    code, output = invoke(runner, "backup", "restore", str(newer), "--yes")
    assert code != 0 and "newer" in output
    assert names(app) == ["Ada", "Bob"]  # nothing was touched


def test_the_worker_takes_a_backup_daily_and_deletes_those_past_their_period(app, tmp_path):
    folder = Path(app.config["BACKUP_DIR"])
    folder.mkdir(parents=True)
    old, recent = folder / "koki-old.kbak", folder / "koki-recent.kbak"
    for path, days in ((old, 36), (recent, 34)):
        path.write_bytes(b"KOKI-BACKUP 1\n")
        moment = time.time() - days * 86400
        os.utime(path, (moment, moment))
    with app.app_context():
        assert "backup" in jobs.run_due(datetime.now(UTC))
        (state,) = [
            s for s in jobs.states(datetime.now(UTC) + timedelta(minutes=1)) if s.job.name == "backup"
        ]
    assert state.run.status == "ok", state.summary
    assert not old.exists() and recent.exists()
    assert len(list(folder.glob("*.kbak"))) == 2  # the one kept, and today's


@pytest.mark.parametrize("app_settings", [{}])  # a new site: no BACKUP_KEY
def test_without_a_key_the_worker_says_once_in_words_that_backups_are_off(app, caplog):
    caplog.set_level(logging.INFO)
    runs = []
    with app.app_context():
        for _ in range(2):
            worker.work_once(app)
            backup = db.session.get(jobs.JobRun, "backup")
            runs.append((backup.started_at, backup.status))
            # An hour and more later, when the worker tries a failed job again.
            db.session.execute(
                update(jobs.JobRun)
                .where(jobs.JobRun.name == "backup")
                .values(finished_at=backup.finished_at - timedelta(hours=2))
            )
            db.session.commit()
    assert len({started for started, _ in runs}) == 2  # run twice, and
    assert {status for _, status in runs} == {"failed"}  # failed twice: the staff home shows it
    (said,) = [record for record in caplog.records if record.levelno >= logging.WARNING]
    words = said.getMessage()
    assert said.levelname == "WARNING" and said.exc_info is None, words
    assert "Backups are off: BACKUP_KEY is not set. To turn them on" in words
    assert secret_keys.HOW_TO_DRAW in words and "FLASK_BACKUP_KEY" in words
    assert "Traceback" not in caplog.text and "withheld" not in caplog.text


def test_the_privacy_page_states_the_backup_period_from_the_same_key(app, client):
    app.config["BACKUP_RETENTION_DAYS"] = 21
    rows = [
        row.get_text(" ")
        for row in __import__("tests.helpers").helpers.soup(client.get("/en/privacy")).find_all("tr")
    ]
    assert any("Backups" in row and "21 days" in row for row in rows)
