"""Backups with the BACKUP_KEY passphrase: age files, checked whole; a restore never brings back
what was erased."""

import json
import logging
import os
import tarfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyrage
import pytest
from sqlalchemy import select, update

from koki_site.backups import archive, encryption
from koki_site.contact.models import ContactMessage
from koki_site.core import jobs, secret_keys
from koki_site.extensions import db
from koki_site.mail import worker
from koki_site.rights.models import RightsRequest
from tests.helpers import soup, visible_text
from tests.helpers.backups import (
    BACKUP_KEY,
    assert_restored_but_what_changed_since,
    erase_ada_rename_bob_and_unsubscribe_him,
    invoke,
    names,
    verified,
)
from tests.helpers.staff import csrf_token

pytestmark = pytest.mark.db


@pytest.fixture
def app_settings(tmp_path):
    return {"BACKUP_KEY": BACKUP_KEY, "BACKUP_DIR": str(tmp_path / "backups")}


def test_a_backup_is_verified_whole_and_a_changed_byte_fails(app, runner, tmp_path, ada_and_bob):
    path = tmp_path / "site.age"
    code, output = invoke(runner, "backup", "create", "-o", str(path))
    assert code == 0 and "Backup written" in output and "BACKUP_KEY passphrase" in output, output
    assert b"ada@example.org" not in path.read_bytes()  # encrypted
    assert path.read_bytes().startswith(b"age-encryption.org/v1\n-> scrypt ")  # age's passphrase mode
    code, output = invoke(runner, "backup", "verify", str(path))
    assert code == 0 and "Backup OK" in output, output
    assert "contact_message" in output  # it says what it holds
    damaged = bytearray(path.read_bytes())
    damaged[len(damaged) // 2] ^= 1
    path.write_bytes(bytes(damaged))
    code, output = invoke(runner, "backup", "verify", str(path))
    assert code != 0 and "damaged" in output


def test_another_passphrase_opens_nothing(app, runner, tmp_path, ada_and_bob):
    path = tmp_path / "site.age"
    assert invoke(runner, "backup", "create", "-o", path)[0] == 0
    app.config["BACKUP_KEY"] = "another backup key of more than thirty-two characters"
    for command in (["verify"], ["restore", "--yes"]):
        code, output = invoke(runner, "backup", *command, path)
        assert code != 0 and "another BACKUP_KEY" in output, output
    assert names(app) == ["Ada", "Bob"]


def test_the_standard_decryption_gives_a_tar_of_the_header_and_the_dump(app, runner, tmp_path, ada_and_bob):
    path = tmp_path / "site.age"
    assert invoke(runner, "backup", "create", "-o", path)[0] == 0
    decrypted = tmp_path / "site.tar"
    decrypted.write_bytes(pyrage.passphrase.decrypt(path.read_bytes(), BACKUP_KEY))
    with tarfile.open(decrypted) as tar:
        assert tar.getnames()[0] == "header.json"
        header = json.load(tar.extractfile("header.json"))
        assert set(header) == {"format", "schema", "created_at"}
        assert tar.getnames()[1] == archive.DUMPS[header["format"]]
    code, output = invoke(runner, "backup", "verify", decrypted)
    assert code == 0 and "Backup OK (decrypted already" in output and "contact_message" in output, output


def test_without_a_key_no_backup_is_made(app, runner, tmp_path):
    app.config["BACKUP_KEY"] = None
    code, output = invoke(runner, "backup", "create", "-o", str(tmp_path / "x.age"))
    assert code != 0 and "neither BACKUP_AGE_RECIPIENTS nor BACKUP_KEY is set" in output
    assert not (tmp_path / "x.age").exists()
    app.config["BACKUP_KEY"] = "too short"
    code, output = invoke(runner, "backup", "create", "-o", str(tmp_path / "x.age"))
    assert code != 0 and "BACKUP_KEY must be set, 32 characters or more." in output
    assert not (tmp_path / "x.age").exists()


def test_a_restore_brings_everything_back_but_what_was_erased_since(
    app, client, runner, smtp, tmp_path, ada_and_bob
):
    path = tmp_path / "site.age"
    assert invoke(runner, "backup", "create", "-o", str(path))[0] == 0
    erase_ada_rename_bob_and_unsubscribe_him(app, client, smtp)
    code, output = invoke(runner, "backup", "restore", str(path), input="y\n")
    assert code == 0, output
    assert_restored_but_what_changed_since(app, output)


def restricted(app, email):
    with app.app_context():
        return db.session.scalars(select(ContactMessage.restricted).filter_by(email=email)).all()


def test_a_restore_keeps_a_restriction_lifted_since(app, client, runner, smtp, staff, tmp_path, ada_and_bob):
    objection = verified(client, smtp, "objection", "ada@example.org")
    assert "no longer use it" in visible_text(client.post(objection, data={"action": "restrict"}))
    assert restricted(app, "ada@example.org") == [True]
    path = tmp_path / "site.age"
    assert invoke(runner, "backup", "create", "-o", path)[0] == 0
    dpo = staff("dpo")  # rejects the objection: Ada's message is processed again
    with app.app_context():
        request_id = db.session.scalar(select(RightsRequest.id).filter_by(right="objection"))
    page = f"/staff/rights/{request_id}"
    refusal = {"csrf_token": csrf_token(dpo, page), "reason": "Our legitimate grounds prevail."}
    assert dpo.post(f"{page}/refuse", data=refusal).status_code == 303
    assert restricted(app, "ada@example.org") == [False]
    code, output = invoke(runner, "backup", "restore", path, "--yes")
    assert code == 0 and "done again since: restrict" in output, output
    assert restricted(app, "ada@example.org") == [False]


def test_a_restore_asks_first_and_refuses_a_newer_schema(app, runner, tmp_path, ada_and_bob):
    path = tmp_path / "site.age"
    invoke(runner, "backup", "create", "-o", str(path))
    code, output = invoke(runner, "backup", "restore", str(path), input="n\n")
    assert code != 0 and "Aborted" in output
    future = archive.Header("sqlite", "9999_from_the_future", datetime.now(UTC).isoformat())
    newer = tmp_path / "newer.age"
    newer.write_bytes(encryption.encrypt(archive.pack(future, b"not a database"), [], BACKUP_KEY))
    code, output = invoke(runner, "backup", "restore", str(newer), "--yes")
    assert code != 0 and "newer" in output
    assert names(app) == ["Ada", "Bob"]  # nothing was touched


def test_the_worker_takes_a_backup_daily_and_deletes_those_past_their_period(app, tmp_path):
    folder = Path(app.config["BACKUP_DIR"])
    folder.mkdir(parents=True)
    # Files of the former format (.kbak) go after the same period.
    old, recent = folder / "koki-old.age", folder / "koki-recent.age"
    old_former, recent_former = folder / "koki-old.kbak", folder / "koki-recent.kbak"
    for path, days in ((old, 36), (recent, 34), (old_former, 36), (recent_former, 34)):
        path.write_bytes(b"age-encryption.org/v1\n")
        moment = time.time() - days * 86400
        os.utime(path, (moment, moment))
    with app.app_context():
        assert "backup" in jobs.run_due(datetime.now(UTC))
        (state,) = [
            s for s in jobs.states(datetime.now(UTC) + timedelta(minutes=1)) if s.job.name == "backup"
        ]
    assert state.run.status == "ok", state.summary
    assert not old.exists() and recent.exists()
    assert not old_former.exists() and recent_former.exists()
    assert len(list(folder.glob("*.age"))) == 2  # the one kept, and today's


@pytest.mark.parametrize("app_settings", [{}])  # a new site: no BACKUP_KEY nor BACKUP_AGE_RECIPIENTS
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
    assert "Backups are off: neither BACKUP_AGE_RECIPIENTS nor BACKUP_KEY is set. To turn them on" in words
    assert secret_keys.HOW_TO_DRAW in words and "FLASK_BACKUP_KEY" in words
    assert "Traceback" not in caplog.text and "withheld" not in caplog.text


def test_the_privacy_page_states_the_backup_period_from_the_same_key(app, client):
    app.config["BACKUP_RETENTION_DAYS"] = 21
    rows = [row.get_text(" ") for row in soup(client.get("/en/privacy")).find_all("tr")]
    assert any("Backups" in row and "21 days" in row for row in rows)
