"""Reading the backups written before age: "KOKI-BACKUP 1" files, for verify and restore only.

    KOKI-BACKUP 1\\n
    {"format": "sqlite", "schema": "0012_…", "created_at": "…", "salt": "…", "nonce": "…"}\\n
    AES-256-GCM(dump), under a key scrypt drew from BACKUP_KEY and the salt; the header line as
    associated data

Nothing writes them any more. They go, with their copies, BACKUP_RETENTION_DAYS after the first
age backup; then this module and its test can go.
"""

import base64
import json

from koki_site.backups.archive import BackupError, Header

MAGIC = b"KOKI-BACKUP 1\n"
SUFFIX = ".kbak"


def is_legacy(data):
    return data.startswith(MAGIC)


def open_sealed(data, secret):
    """(header, dump) of a former backup file's bytes, once the whole file is authenticated."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    if not secret:
        raise BackupError("This backup is of the former format: set the BACKUP_KEY it was made with.")
    header_line, _, sealed = data[len(MAGIC) :].partition(b"\n")
    try:
        fields = json.loads(header_line)
        header = Header(fields["format"], fields["schema"], fields["created_at"])
        salt, nonce = (base64.b64decode(fields[name], validate=True) for name in ("salt", "nonce"))
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError("The backup's header is damaged.") from error
    try:
        key = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(secret.encode())
        dump = AESGCM(key).decrypt(nonce, sealed, MAGIC + header_line + b"\n")
    except (InvalidTag, ValueError) as error:
        raise BackupError("The backup is damaged or was made with another BACKUP_KEY.") from error
    return header, dump
