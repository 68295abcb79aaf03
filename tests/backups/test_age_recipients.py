"""Backups to BACKUP_AGE_RECIPIENTS: the host holds public keys only, and the company's identity, with
age alone, gives back a dump that pg_restore, sqlite3 and `flask backup restore` read."""

import shutil
import sqlite3
import subprocess
import tarfile

import pyrage
import pytest

from koki_site import create_app
from tests.conftest import SECRET
from tests.helpers.backups import (
    BACKUP_KEY,
    assert_restored_but_what_changed_since,
    erase_ada_rename_bob_and_unsubscribe_him,
    invoke,
    names,
)

pytestmark = pytest.mark.db
IDENTITY = pyrage.x25519.Identity.generate()  # the company's, kept in its safe


@pytest.fixture
def app_settings(tmp_path):
    return {"BACKUP_AGE_RECIPIENTS": [str(IDENTITY.to_public())], "BACKUP_DIR": str(tmp_path / "backups")}


@pytest.fixture
def identity_file(tmp_path):
    """The identity as age-keygen writes it."""
    path = tmp_path / "company-backup-identity.txt"
    path.write_text(f"# created: 2026-01-05T10:00:00Z\n# public key: {IDENTITY.to_public()}\n{IDENTITY}\n")
    return path


@pytest.fixture
def backup(runner, tmp_path, ada_and_bob):
    path = tmp_path / "site.age"
    code, output = invoke(runner, "backup", "create", "-o", path)
    assert code == 0 and "encrypted to 1 age recipient(s)" in output, output
    return path


def test_the_identity_opens_the_backup_and_its_restore_replays_what_changed_since(
    app, client, runner, smtp, backup, identity_file
):
    assert backup.read_bytes().startswith(b"age-encryption.org/v1\n-> X25519 ")
    assert b"ada@example.org" not in backup.read_bytes()
    code, output = invoke(runner, "backup", "verify", backup)  # the host alone cannot read it
    assert code != 0 and "--identity KEYFILE" in output, output
    code, output = invoke(runner, "backup", "verify", backup, "--identity", identity_file)
    assert code == 0 and "Backup OK" in output and "contact_message" in output, output
    erase_ada_rename_bob_and_unsubscribe_him(app, client, smtp)
    code, output = invoke(runner, "backup", "restore", backup, "--identity", identity_file, input="y\n")
    assert code == 0, output
    assert_restored_but_what_changed_since(app, output)


def test_the_standard_decryption_gives_a_dump_that_restore_takes(app, client, runner, smtp, backup, tmp_path):
    decrypted = tmp_path / "site.tar"
    decrypted.write_bytes(pyrage.decrypt(backup.read_bytes(), [IDENTITY]))
    assert_the_databases_own_tool_reads_it(app, decrypted, tmp_path)
    erase_ada_rename_bob_and_unsubscribe_him(app, client, smtp)
    code, output = invoke(runner, "backup", "restore", decrypted, "--yes")
    assert code == 0, output
    assert_restored_but_what_changed_since(app, output)


@pytest.mark.skipif(shutil.which("age") is None, reason="the age tool is not installed (Debian: age)")
def test_the_age_tool_gives_a_dump_that_restore_takes(
    app, client, runner, smtp, backup, identity_file, tmp_path
):
    decrypted = tmp_path / "site.tar"
    age = ["age", "--decrypt", "--identity", identity_file, "--output", decrypted, backup]
    subprocess.run(age, check=True, capture_output=True, timeout=60)
    assert_the_databases_own_tool_reads_it(app, decrypted, tmp_path)
    erase_ada_rename_bob_and_unsubscribe_him(app, client, smtp)
    code, output = invoke(runner, "backup", "restore", decrypted, "--yes")
    assert code == 0, output
    assert_restored_but_what_changed_since(app, output)


def assert_the_databases_own_tool_reads_it(app, decrypted, folder):
    """`tar -xf` gives header.json and the dump, which sqlite3 or pg_restore reads as it is."""
    with tarfile.open(decrypted) as tar:
        tar.extractall(folder / "extracted", filter="data")
    extracted = folder / "extracted"
    assert sorted(path.name for path in extracted.iterdir()) in (
        ["database.dump", "header.json"],
        ["database.sqlite", "header.json"],
    )
    if (extracted / "database.sqlite").exists():
        with sqlite3.connect(extracted / "database.sqlite") as copy:
            assert copy.execute("SELECT count(*) FROM contact_message").fetchone() == (2,)
    else:
        listing = subprocess.run(
            ["pg_restore", "--list", extracted / "database.dump"], check=True, capture_output=True, text=True
        ).stdout
        assert "TABLE DATA public contact_message" in listing


def test_another_identity_or_a_changed_byte_opens_nothing(app, runner, backup, tmp_path):
    stranger = tmp_path / "stranger.txt"
    stranger.write_text(f"{pyrage.x25519.Identity.generate()}\n")
    for command in (["verify"], ["restore", "--yes"]):
        code, output = invoke(runner, "backup", *command, backup, "--identity", stranger)
        assert code != 0 and "not one it was encrypted to" in output, output
    assert names(app) == ["Ada", "Bob"]
    damaged = bytearray(backup.read_bytes())
    damaged[len(damaged) // 2] ^= 1
    backup.write_bytes(bytes(damaged))
    code, output = invoke(runner, "backup", "verify", backup, "--identity", "-", input=f"{IDENTITY}\n")
    assert code != 0 and "damaged" in output, output
    not_a_key = tmp_path / "notes.txt"
    not_a_key.write_text("the safe's combination\n")
    code, output = invoke(runner, "backup", "verify", backup, "--identity", not_a_key)
    assert code != 0 and "not an age identity" in output, output


def test_the_identity_may_come_from_standard_input(runner, backup):
    code, output = invoke(runner, "backup", "verify", backup, "--identity", "-", input=f"{IDENTITY}\n")
    assert code == 0 and "Backup OK" in output, output


@pytest.mark.parametrize("app_settings", [{"BACKUP_AGE_RECIPIENTS": [str(IDENTITY.to_public())]}])
def test_recipients_win_over_the_passphrase(app, runner, tmp_path, identity_file):
    app.config["BACKUP_KEY"] = BACKUP_KEY
    path = tmp_path / "site.age"
    assert invoke(runner, "backup", "create", "-o", path)[0] == 0
    assert b"-> X25519 " in path.read_bytes() and b"-> scrypt " not in path.read_bytes()
    code, output = invoke(runner, "backup", "verify", path)  # BACKUP_KEY does not open it
    assert code != 0 and "--identity KEYFILE" in output, output
    assert invoke(runner, "backup", "verify", path, "--identity", identity_file)[0] == 0
    # And BACKUP_KEY still opens the backups made with it before.
    app.config["BACKUP_AGE_RECIPIENTS"] = []
    assert invoke(runner, "backup", "create", "-o", path)[0] == 0
    assert b"-> scrypt " in path.read_bytes()
    assert invoke(runner, "backup", "verify", path)[0] == 0


def test_a_recipient_that_is_not_an_age_public_key_stops_the_start_and_the_backup(app, runner, tmp_path):
    settings = {"SECRET_KEY": SECRET, "TESTING": True}
    with pytest.raises(RuntimeError, match="BACKUP_AGE_RECIPIENTS entry 2 is not an age public key"):
        create_app({**settings, "BACKUP_AGE_RECIPIENTS": [str(IDENTITY.to_public()), "age1nope"]}, tmp_path)
    with pytest.raises(RuntimeError, match="entry 1 is a secret key") as refused:
        create_app({**settings, "BACKUP_AGE_RECIPIENTS": [str(IDENTITY)]}, tmp_path)
    assert str(IDENTITY) not in str(refused.value)  # a secret pasted by mistake stays out of the log
    app.config["BACKUP_AGE_RECIPIENTS"] = str(IDENTITY.to_public())  # a string, not a list
    code, output = invoke(runner, "backup", "create", "-o", tmp_path / "x.age")
    assert code != 0 and "BACKUP_AGE_RECIPIENTS must be a list of age public keys" in output, output
    assert not (tmp_path / "x.age").exists()
