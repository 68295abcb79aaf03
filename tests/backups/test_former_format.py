"""The backups written before age ("KOKI-BACKUP 1", AES-256-GCM under BACKUP_KEY) are still read,
until they expire: verify and restore take them; nothing writes them any more."""

import base64
import json
import os
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from koki_site.backups import dumps
from tests.helpers.backups import (
    BACKUP_KEY,
    assert_restored_but_what_changed_since,
    erase_ada_rename_bob_and_unsubscribe_him,
    invoke,
    names,
)

pytestmark = pytest.mark.db


@pytest.fixture
def app_settings():
    return {"BACKUP_KEY": BACKUP_KEY}


def former_backup(app, path, secret=BACKUP_KEY):
    """A backup file as the former code wrote it."""
    with app.app_context():
        kind, dump = dumps.dump()
        schema = dumps.schema_revision()
    salt, nonce = os.urandom(16), os.urandom(12)
    taken_at = datetime.now(UTC).isoformat(timespec="seconds")
    fields = {"format": kind, "schema": schema, "created_at": taken_at}
    fields |= {"salt": base64.b64encode(salt).decode(), "nonce": base64.b64encode(nonce).decode()}
    header = b"KOKI-BACKUP 1\n" + json.dumps(fields, sort_keys=True).encode() + b"\n"
    key = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(secret.encode())
    path.write_bytes(header + AESGCM(key).encrypt(nonce, dump, header))
    return path


def test_a_former_backup_is_verified_and_restored(app, client, runner, smtp, tmp_path, ada_and_bob):
    path = former_backup(app, tmp_path / "koki-old.kbak")
    code, output = invoke(runner, "backup", "verify", path)
    assert code == 0 and "Backup OK (the former format)" in output and "contact_message" in output, output
    erase_ada_rename_bob_and_unsubscribe_him(app, client, smtp)
    code, output = invoke(runner, "backup", "restore", path, "--yes")
    assert code == 0, output
    assert_restored_but_what_changed_since(app, output)


def test_a_former_backup_needs_its_key_whole(app, runner, tmp_path, ada_and_bob):
    path = former_backup(app, tmp_path / "site.kbak")
    damaged = bytearray(path.read_bytes())
    damaged[-20] ^= 1
    (tmp_path / "damaged.kbak").write_bytes(bytes(damaged))
    code, output = invoke(runner, "backup", "verify", tmp_path / "damaged.kbak")
    assert code != 0 and "damaged" in output, output
    app.config["BACKUP_KEY"] = "another backup key of more than thirty-two characters"
    code, output = invoke(runner, "backup", "restore", path, "--yes")
    assert code != 0 and "another BACKUP_KEY" in output, output
    app.config["BACKUP_KEY"] = None
    code, output = invoke(runner, "backup", "verify", path)
    assert code != 0 and "set the BACKUP_KEY it was made with" in output, output
    assert names(app) == ["Ada", "Bob"]
