"""The inbox at 100,000 messages on PostgreSQL: a search, the last page, the counts.

Creates its own database (BENCH_URL, default koki_inbox_bench on the local server; dropped and
created again), migrates it with the app's migrations, inserts N messages of plausible French and
English text over two years (search_text folded as the app folds it), then asks the running app,
through Flask's test client logged in as support, for each inbox page ROUNDS times, and times the
SQL of the list alone too. Prints the median and 95th percentile in milliseconds, and the target
(50 ms). The database is dropped at the end unless --keep.

Run from the project root, after `make install`:
    .venv/bin/python bench/inbox.py [--messages 100000] [--rounds 30] [--keep]
"""

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BENCH_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/koki_inbox_bench"
SECRET = "bench-inbox-secret-key-0123456789abcdef"
TARGET_MS = 50
CHUNK = 5000


def words(text):
    return text.split()


FIRST = words("Élodie Camille Léa Chloé Manon Inès Jade Louise Hugo Lucas Théo Nathan Jules Raphaël Zoë Noé")
FIRST += words("Emma Olivia Ada Grace Linus Margaret Alan Barbara Edsger Frances John Mary Peter Sarah")
LAST = words("Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefèbvre")
LAST += words("Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Mercier Dupont Lambert")
COMPANIES = ["Hôpital Sud", "Clinique des Lilas", "Nettoyage Pro", "Agroalimentaire du Nord", "Hôtel Bel"]
COMPANIES += ["Mairie de Lyon", "EHPAD Les Tilleuls", "Cuisine Centrale", "Propreté Services", "", "", ""]
FRENCH = words(
    "bonjour nous souhaitons une démonstration du logiciel de traçabilité pour nos équipes de nettoyage "
    "dans les blocs opératoires et les chambres du service ; pouvez-vous nous envoyer un devis pour "
    "douze sites avec les protocoles de désinfection, les plans de nettoyage, les contrôles qualité, "
    "la formation des agents et l'export des rapports pour l'audit de certification merci d'avance"
)
ENGLISH = words(
    "hello we would like a demonstration of your cleaning traceability software for our hospital wards "
    "could you send a quote for twelve sites including disinfection protocols cleaning schedules quality "
    "checks staff training and report exports for the certification audit thank you in advance regards"
)
STATUSES = ["closed"] * 70 + ["answered"] * 15 + ["open"] * 5 + ["new"] * 5 + ["spam"] * 5
QUERIES = {
    "search, no match": "q=zyzzyvaz",
    "search, a name": "q=lefebvre",
    "search, a partial word": "q=désinf",
    "search, two common words": "q=devis nettoyage",
    "search, one very common word": "q=bonjour",
}


def recreate(url):
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = make_url(url).database
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def drop(url):
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def message(i, n, now, rng):
    english = rng.random() < 0.3
    words = ENGLISH if english else FRENCH
    first, last = rng.choice(FIRST), rng.choice(LAST)
    body = " ".join(rng.choice(words) for _ in range(rng.randint(20, 120))).capitalize() + "."
    # Two years, in the order they came (ids and times grow together, as in life), a few hours apart.
    received = now - timedelta(seconds=(n - i) * 730 * 86400 / n + rng.randint(0, 600))
    return {
        "reference": f"KOKI-B-{i:06d}",
        "first_name": first,
        "last_name": last,
        "email": f"{first}.{last}.{i}@example.org".lower(),
        "company": rng.choice(COMPANIES),
        "phone": "",
        "message": body,
        "language": "en" if english else "fr",
        "legal_basis": "legitimate_interests",
        "purpose": "bench",
        "policy_version": "bench",
        "received_at": received,
        "activity_at": received,
        "delete_after": received + timedelta(days=365),
        "status": rng.choice(STATUSES),
        "restricted": False,
    }


def fill(app, n):
    from koki_site.contact.models import ContactMessage
    from koki_site.contact.search import document
    from koki_site.extensions import db

    rng, now = random.Random(13), datetime.now(UTC)
    with app.app_context(), db.engine.begin() as connection:
        for start in range(n // CHUNK + 1):
            rows = [message(i, n, now, rng) for i in range(start * CHUNK, min((start + 1) * CHUNK, n))]
            for row in rows:
                row["search_text"] = document(type("M", (), row))
                row["email_key"] = row["email"]
            if rows:
                connection.execute(insert(ContactMessage), rows)
    with app.app_context(), db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))  # as autovacuum would have done by then


def timed(function, rounds):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), sorted(times)[int(len(times) * 0.95) - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--url", default=BENCH_URL)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade

    from koki_site import create_app
    from tests.helpers.staff import add_account, log_in

    recreate(args.url)
    settings = {"TESTING": True, "SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": args.url}
    settings |= {"RATELIMIT_ENABLED": False, "SESSION_COOKIE_SECURE": False, "MAIL_DELIVERY": "worker"}
    app = create_app(settings)
    with app.app_context():
        upgrade()
    started = time.perf_counter()
    fill(app, args.messages)
    print(f"{args.messages:,} messages inserted in {time.perf_counter() - started:.0f} s", flush=True)
    add_account(app, "bench@koki.test", "support")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert log_in(client, "bench@koki.test").status_code == 303
    pages = {"first page": "", "last page": "oldest=1", "status New": "status=new", **QUERIES}
    rows = []
    for name, query in pages.items():
        response = client.get(f"/staff/messages?{query}")
        assert response.status_code == 200, (name, response.status_code)
        count = response.get_data(as_text=True).split('id="list-count">', 1)[1].split("<", 1)[0]
        median, p95 = timed(lambda q=query: client.get(f"/staff/messages?{q}"), args.rounds)
        rows.append((name, query, count, median, p95))
    sql = sql_timings(app, args.rounds)
    print(f"\nPostgreSQL, {args.messages:,} messages, {args.rounds} rounds; target < {TARGET_MS} ms\n")
    print("| page (HTTP, whole answer) | query | listed | median ms | p95 ms |\n|---|---|---|---|---|")
    for name, query, count, median, p95 in rows:
        print(f"| {name} | `{query or '—'}` | {count} | {median:.1f} | {p95:.1f} |")
    print("\n| SQL alone | median ms | p95 ms |\n|---|---|---|")
    for name, (median, p95) in sql.items():
        print(f"| {name} | {median:.1f} | {p95:.1f} |")
    worst = max(max(r[3] for r in rows), max(m for m, _ in sql.values()))
    print(f"\nslowest median: {worst:.1f} ms ({'under' if worst < TARGET_MS else 'OVER'} {TARGET_MS} ms)")
    if not args.keep:
        drop(args.url)


def sql_timings(app, rounds):
    """The list's statements alone: counts per status, a capped search count, a search's page."""
    from koki_site.contact import listing

    results = {}
    with app.test_request_context():
        for name, function in {
            "counts per status": listing.counts,
            "matches (count), 'bonjour'": lambda: listing.ListState(q="bonjour").matches(0),
            "matches (count), no match": lambda: listing.ListState(q="zyzzyvaz").matches(0),
            "page, 'devis nettoyage'": lambda: listing.page(listing.ListState(q="devis nettoyage"), 0),
            "last page": lambda: listing.page(listing.ListState(), 0, oldest=True),
        }.items():
            results[name] = timed(function, rounds)
    return results


if __name__ == "__main__":
    main()
