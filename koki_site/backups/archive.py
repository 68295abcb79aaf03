"""What a backup holds once decrypted: a tar of two files, which the standard tools read.

    header.json       {"format": "postgresql-custom", "schema": "0012_…", "created_at": "…"}
    database.dump     pg_dump --format=custom, for pg_restore
    (database.sqlite  an SQLite database file, for sqlite3, when the format is "sqlite")

The backup file is this tar encrypted with age (encryption.py): `age -d` gives the tar back,
`tar -xf` the dump, and `flask backup restore` takes the age file or the tar.
"""

import io
import json
import tarfile
from dataclasses import asdict, dataclass
from datetime import datetime

from koki_site.core.logs import AppError

HEADER = "header.json"
DUMPS = {"sqlite": "database.sqlite", "postgresql-custom": "database.dump"}  # format: file in the tar


class BackupError(AppError):
    """A backup that cannot be made or read, with a message for the operator (logged as written)."""


@dataclass(frozen=True)
class Header:
    format: str  # "sqlite" or "postgresql-custom" (pg_dump --format=custom)
    schema: str  # the Alembic revision of the database
    created_at: str  # ISO 8601, UTC


def pack(header, dump):
    """The tar holding header and dump."""
    buffer = io.BytesIO()
    moment = datetime.fromisoformat(header.created_at).timestamp()
    header_json = json.dumps(asdict(header), indent=2).encode() + b"\n"
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in ((HEADER, header_json), (DUMPS[header.format], dump)):
            member = tarfile.TarInfo(name)
            member.size, member.mtime, member.mode = len(data), moment, 0o600
            tar.addfile(member, io.BytesIO(data))
    return buffer.getvalue()


def unpack(data):
    """(header, dump) of a tar made by pack()."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
            header = read_header(member_bytes(tar, HEADER))
            return header, member_bytes(tar, DUMPS[header.format])
    except tarfile.TarError as error:
        raise BackupError("This is not a KOKI backup file.") from error


def read_header(raw):
    try:
        fields = json.loads(raw)
        header = Header(fields["format"], fields["schema"], fields["created_at"])
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"The backup's {HEADER} is damaged.") from error
    if header.format not in DUMPS:
        raise BackupError("This backup's format (%s) is not one this code reads.", header.format)
    return header


def member_bytes(tar, name):
    """The content of the regular file name in tar (nothing is extracted to disk)."""
    try:
        member = tar.getmember(name)
    except KeyError as error:
        raise BackupError(f"The backup holds no {name}.") from error
    if not member.isfile():
        raise BackupError(f"The backup's {name} is not a file.")
    return tar.extractfile(member).read()
