"""The backup file: a readable header, then the database dump encrypted and authenticated.

    KOKI-BACKUP 1\\n
    {"format": "sqlite", "schema": "0012_…", "created_at": "…", "salt": "…", "nonce": "…"}\\n
    AES-256-GCM(dump), with the header line as associated data

The key is derived from BACKUP_KEY with scrypt and the file's own salt, so two backups never
share a key. GCM authenticates the dump and the header together: a changed byte anywhere fails.
The dump is encrypted in one piece, in memory: this site's database is megabytes, not gigabytes.
"""

import base64
import json
import os
from dataclasses import dataclass

from koki_site.core.logs import AppError

MAGIC = b"KOKI-BACKUP 1\n"
MIN_KEY_LENGTH = 32


class BackupError(AppError):
    """A backup that cannot be made or read, with a message for the operator (logged as written)."""


@dataclass(frozen=True)
class Header:
    format: str  # "sqlite" or "postgresql-custom" (pg_dump --format=custom)
    schema: str  # the Alembic revision of the database
    created_at: str  # ISO 8601, UTC


def derive_key(secret, salt):
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt  # loaded by the backup commands only

    if not secret or len(secret) < MIN_KEY_LENGTH:
        raise BackupError(f"BACKUP_KEY must be set, {MIN_KEY_LENGTH} characters or more.")
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(secret.encode())


def seal(header, dump, secret):
    """The bytes of a backup file holding dump."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = os.urandom(16), os.urandom(12)
    fields = {**header.__dict__, "salt": b64(salt), "nonce": b64(nonce)}
    header_line = json.dumps(fields, sort_keys=True).encode() + b"\n"
    sealed = AESGCM(derive_key(secret, salt)).encrypt(nonce, dump, MAGIC + header_line)
    return MAGIC + header_line + sealed


def read_header(data):
    """The header of a backup file's bytes, unchecked (verify with open_sealed)."""
    if not data.startswith(MAGIC):
        raise BackupError("This is not a KOKI backup file.")
    header_line, _, _ = data[len(MAGIC) :].partition(b"\n")
    try:
        fields = json.loads(header_line)
        return Header(fields["format"], fields["schema"], fields["created_at"]), fields
    except (ValueError, KeyError) as error:
        raise BackupError("The backup's header is damaged.") from error


def open_sealed(data, secret):
    """(header, dump) of a backup file's bytes, once the whole file is authenticated."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    header, fields = read_header(data)
    header_line, _, sealed = data[len(MAGIC) :].partition(b"\n")
    try:
        key = derive_key(secret, unb64(fields["salt"]))
        dump = AESGCM(key).decrypt(unb64(fields["nonce"]), sealed, MAGIC + header_line + b"\n")
    except (InvalidTag, ValueError) as error:
        raise BackupError("The backup is damaged or was made with another BACKUP_KEY.") from error
    return header, dump


def b64(raw):
    return base64.b64encode(raw).decode()


def unb64(text):
    return base64.b64decode(text, validate=True)
