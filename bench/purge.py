"""Speed and peak memory of `flask purge` on contact messages, half of them expired.

For each database (SQLite in a temporary file, PostgreSQL at PG_URL) and each size N, creates the
schema with `flask db upgrade`, inserts N messages (every other pair expired, a reply on every 10th
message), then times `flask purge` in its own process under /usr/bin/time (or getrusage).
Prints expired rows deleted per second and peak RSS, then per database the ratio of peak RSS at the
largest N to the smallest: the purge deletes in batches, so it should stay flat (<= 1.25).
PostgreSQL's public schema is dropped and recreated (the tests share that database); it is skipped
with a note if unreachable. Exits 0 either way: it is a measurement; 1 if a purge failed or miscounted.

Run from the project root, after `make install`:
    .venv/bin/python bench/purge.py [--sizes 20000,200000] [--databases sqlite,postgresql]
"""

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.exc import OperationalError

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# A database of the benches' own: the tests' `test` database is never touched.
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/koki_bench")
CHUNK = 5000  # rows per executemany
FLAT = 1.25
TIME = Path("/usr/bin/time")
# Without /usr/bin/time, the same from a small parent: a child forked from this script would count
# this script's memory in its ru_maxrss (Linux keeps the high-water mark across exec).
MINI_TIME = """import resource, subprocess, sys, time
start = time.monotonic()
code = subprocess.run(sys.argv[2:], check=False).returncode
kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
open(sys.argv[1], "w").write(f"{time.monotonic() - start:.2f} {kib}")
sys.exit(code)
"""


def reset_postgresql():
    """An empty public schema in the bench's database (created first if need be)."""
    server, name = PG_URL.rsplit("/", 1)
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    engine = create_engine(PG_URL)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    finally:
        engine.dispose()


def expired(i):
    """Every other pair of messages: expired ones are spread over the table, as in life."""
    return i % 4 < 2


def fill(url, secret, n):
    """N messages with ids 1..N, half of them expired, and a reply on every 10th message."""
    sys.path.insert(0, str(ROOT))
    from koki_site import create_app
    from koki_site.contact.models import ContactMessage, ContactReply
    from koki_site.extensions import db

    now = datetime.now(UTC)
    past, future = now - timedelta(days=30), now + timedelta(days=365)
    common = {"first_name": "Ada", "last_name": "Lovelace", "company": "", "phone": "", "language": "en"}
    common |= {"legal_basis": "legitimate_interest", "purpose": "Answering", "policy_version": "bench"}
    common |= {"received_at": now - timedelta(days=400), "status": "new", "message": "Hello. " * 40}
    reply = {"author": "staff@example.com", "body": "Thank you. " * 20, "created_at": now}
    with create_app({"SECRET_KEY": secret, "SQLALCHEMY_DATABASE_URI": url}).app_context():
        with db.engine.begin() as conn:
            for start in range(1, n + 1, CHUNK):
                ids = range(start, min(start + CHUNK, n + 1))
                messages = [
                    {**common, "id": i, "reference": f"B-{i}", "email": f"visitor{i}@example.com"}
                    | {"delete_after": past if expired(i) else future}
                    for i in ids
                ]
                conn.execute(insert(ContactMessage), messages)
                replies = [{**reply, "message_id": i, "delivery_status": "sent"} for i in ids if i % 10 == 0]
                conn.execute(insert(ContactReply), replies)
        db.engine.dispose()


def counts(url):
    """How many messages and replies are left."""
    engine = create_engine(url)
    with engine.connect() as conn:
        found = [
            conn.scalar(select(func.count()).select_from(text(t)))
            for t in ("contact_message", "contact_reply")
        ]
    engine.dispose()
    return found


def purge(env, tmp):
    """(output, elapsed seconds, peak RSS in KiB) of `flask purge` as of today, in its own process."""
    report = tmp / "time.txt"
    timer = (
        [TIME, "-f", "%e %M", "-o", report] if TIME.exists() else [BIN / "python", "-c", MINI_TIME, report]
    )
    cmd = [BIN / "python", "-m", "flask", "--app", "app", "purge", "--as-of", date.today().isoformat()]
    done = subprocess.run([*timer, *cmd], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"purge exited with code {done.returncode}:\n{done.stderr[-3000:]}")
    seconds, kib = report.read_text().split()[-2:]
    return done.stdout, float(seconds), int(kib)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,200000", help="comma-separated message counts")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite, postgresql or both")
    args = parser.parse_args()
    sizes = sorted({int(size) for size in args.sizes.split(",")})
    databases = list(dict.fromkeys(name.strip() for name in args.databases.split(",") if name.strip()))
    if not databases or set(databases) - {"sqlite", "postgresql"}:
        parser.error(f"--databases: sqlite, postgresql or both, not {args.databases!r}")
    tmp = Path(tempfile.mkdtemp(prefix="koki-bench-"))
    secret = secrets.token_hex(32)
    rows, failed = [], False
    print(f"{'database':<11} {'N':>8} {'deleted':>8} {'seconds':>8} {'rows/s':>8} {'peak MiB':>9}")
    try:
        if "postgresql" in databases:
            try:
                reset_postgresql()
            except OperationalError as error:
                print(f"postgresql skipped: {PG_URL} unreachable ({str(error).splitlines()[0]})")
                databases.remove("postgresql")
        for database in databases:
            for n in sizes:
                if database == "postgresql":
                    reset_postgresql()  # an empty schema for `db upgrade`
                url = PG_URL if database == "postgresql" else f"sqlite:///{tmp}/bench-{n}.db"
                env = {"PATH": f"{BIN}:/usr/bin:/bin", "FLASK_SECRET_KEY": secret}
                env["FLASK_SQLALCHEMY_DATABASE_URI"] = url
                upgrade = [BIN / "flask", "--app", "app", "db", "upgrade"]
                subprocess.run(upgrade, cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
                fill(url, secret, n)
                out, seconds, kib = purge(env, tmp)
                found = re.search(r"^contact messages: deleted (\d+)$", out, re.M)
                deleted = int(found.group(1)) if found else -1
                row = f"{database:<11} {n:>8} {deleted:>8} {seconds:>8.2f} {deleted / seconds:>8.0f}"
                print(f"{row} {kib / 1024:>9.1f}")
                want = sum(map(expired, range(1, n + 1)))
                want_replies = sum(not expired(i) for i in range(10, n + 1, 10))
                left, replies = counts(url)
                if (deleted, left, replies) != (want, n - want, want_replies):
                    print(f"  WRONG COUNT: deleted {deleted}, left {left} messages and {replies} replies;")
                    print(f"  expected {want}, {n - want} and {want_replies}")
                    failed = True
                rows.append((database, n, kib))
        print()
        for database in databases:
            peaks = [kib for name, _, kib in rows if name == database]
            if len(peaks) >= 2:
                ratio = peaks[-1] / peaks[0]
                verdict = "FLAT" if ratio <= FLAT else "GROWS"
                print(f"{database}: peak RSS at N={sizes[-1]} / N={sizes[0]} = {ratio:.2f}: {verdict}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if "postgresql" in databases:
            reset_postgresql()  # leave the shared test database empty
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
