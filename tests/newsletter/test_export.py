"""The marketing side of the newsletter: counts, list, search, and the audited CSV export."""

import csv
import io
import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from koki_site.extensions import db
from koki_site.newsletter import export
from koki_site.newsletter.models import Subscription, email_hmac
from tests.helpers import soup, visible_text
from tests.helpers.staff import audit_entries

pytestmark = pytest.mark.db

HEADER = ["email", "language", "subscribed_at", "confirmed_at", "source", "policy_version", "legal_basis"]
MARCH_1 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
# 00:30 on 10 March in Paris, where the staff are: "since 2026-03-10" includes it.
MARCH_9_LATE = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)
FR_SINCE_FEB = {"language": "fr", "since": "2026-02-01"}
FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r", "\n"]


def subscription(email, status="confirmed", language="fr", subscribed_at=MARCH_1, **fields):
    confirmed = subscribed_at + timedelta(hours=1) if status != "pending" else None
    values = {
        "email": None if status == "unsubscribed" else email,
        "email_hmac": email_hmac(email),
        "language": language,
        "status": status,
        "legal_basis": "consent",
        "source": f"/{language}/",
        "policy_version": "2026-11-29",
        "consent_text_sha256": "0" * 64,
        "subscribed_at": subscribed_at,
        "confirmed_at": confirmed,
        "unsubscribed_at": subscribed_at + timedelta(days=2) if status == "unsubscribed" else None,
    }
    return {**values, **fields}


def add(app, *subscriptions):
    with app.app_context():
        db.session.execute(insert(Subscription), [subscription(**s) for s in subscriptions])
        db.session.commit()


@pytest.fixture
def seeded(app):
    """One subscription in each state, confirmed ones in French and English."""
    add(
        app,
        {"email": "pending@example.org", "status": "pending"},
        {"email": "ada@example.org"},
        {"email": "grace@example.org", "language": "en", "subscribed_at": MARCH_9_LATE},
        {"email": "gone@example.org", "status": "unsubscribed", "language": "en"},
    )


@pytest.fixture
def marketing(staff):
    return staff("marketing")


def rows(response_or_text, delimiter=","):
    text = response_or_text if isinstance(response_or_text, str) else response_or_text.get_data(as_text=True)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def exports(app):
    """(who, target, details) of each export entry of the audit log, oldest first."""
    return [(e.actor, e.target, json.loads(e.details)) for e in audit_entries(app, "export")]


def test_the_export_has_the_columns_and_the_confirmed_subscribers_only(app, seeded, marketing):
    response = marketing.get("/staff/newsletter/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=newsletter-")
    assert response.headers["Content-Disposition"].endswith(".csv")
    assert response.get_data().endswith(b"\r\n") and not response.get_data().startswith(b"\xef\xbb\xbf")
    ada = ["ada@example.org", "fr", "2026-03-01T10:00:00+00:00", "2026-03-01T11:00:00+00:00", "/fr/"]
    grace = ["grace@example.org", "en", "2026-03-09T23:30:00+00:00", "2026-03-10T00:30:00+00:00", "/en/"]
    proof = ["2026-11-29", "consent"]
    assert rows(response) == [HEADER, [*ada, *proof], [*grace, *proof]]


def test_an_empty_export_is_the_header_alone(app, marketing):
    assert rows(marketing.get("/staff/newsletter/export.csv")) == [HEADER]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?language=fr", ["ada@example.org"]),
        ("?language=en", ["grace@example.org"]),
        ("?since=2026-03-10", ["grace@example.org"]),  # the day in Paris, where the staff are
        ("?since=2026-03-11", []),
        ("?language=fr&since=2026-03-01", ["ada@example.org"]),
        ("?language=&since=", ["ada@example.org", "grace@example.org"]),  # the form's empty fields
    ],
)
def test_the_language_and_since_filters(app, seeded, marketing, query, expected):
    found = rows(marketing.get(f"/staff/newsletter/export.csv{query}"))
    assert [row[0] for row in found[1:]] == expected


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_cell_that_would_be_a_formula_is_neutralised(app, marketing, start):
    add(app, {"email": "plain@example.org", "source": f'{start}HYPERLINK("http://evil.test")'})
    if start in "=+-@":  # an address can start with these (RFC 5322 atext)
        add(app, {"email": f"{start}cmd@example.org", "source": "/fr/"})
    found = rows(marketing.get("/staff/newsletter/export.csv"))
    assert found[1][4] == f'\'{start}HYPERLINK("http://evil.test")'
    if start in "=+-@":
        assert found[2][0] == f"'{start}cmd@example.org"
    for row in found[1:]:  # no other cell was touched
        assert row[1:4] == ["fr", "2026-03-01T10:00:00+00:00", "2026-03-01T11:00:00+00:00"]


def test_the_excel_format_has_a_bom_and_semicolons(app, seeded, marketing):
    response = marketing.get("/staff/newsletter/export.csv?format=excel")
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbfemail;language;subscribed_at;")
    assert b"\r\n" in data
    found = rows(data.decode("utf-8-sig"), delimiter=";")
    assert found[0] == HEADER and [row[0] for row in found[1:]] == ["ada@example.org", "grace@example.org"]


@pytest.mark.parametrize(
    ("query", "options"),
    [
        ("", []),
        ("?language=en&since=2026-03-10&format=excel", ["--language=en", "--since=2026-03-10", "--excel"]),
    ],
)
def test_the_cli_writes_the_same_bytes_as_the_page(app, seeded, marketing, runner, tmp_path, query, options):
    web = marketing.get(f"/staff/newsletter/export.csv{query}").get_data()
    path = tmp_path / "export.csv"
    result = runner.invoke(args=["newsletter", "export", "-o", str(path), *options])
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == web
    assert os.stat(path).st_mode & 0o777 == 0o600  # personal data: the owner's only
    expected = 1 if options else 2
    assert f"Exported {expected} confirmed subscribers" in result.output


def test_every_export_is_audited_with_its_filters_and_row_count(app, seeded, marketing, runner, tmp_path):
    marketing.get("/staff/newsletter/export.csv").get_data()
    marketing.get("/staff/newsletter/export.csv?language=fr&since=2026-02-01&format=excel").get_data()
    runner.invoke(args=["newsletter", "export", "-o", str(tmp_path / "x.csv"), "--language", "en"])
    assert exports(app) == [
        ("marketing@koki.test", "newsletter", {"language": None, "since": None, "format": "csv", "rows": 2}),
        ("marketing@koki.test", "newsletter", {**FR_SINCE_FEB, "format": "excel", "rows": 1}),
        ("cli", "newsletter", {"language": "en", "since": None, "format": "csv", "rows": 1}),
    ]


def test_a_long_export_is_streamed_and_an_interrupted_one_audited(app, marketing):
    add(app, *({"email": f"reader{i}@example.org"} for i in range(2500)))
    response = marketing.get("/staff/newsletter/export.csv", buffered=False)
    chunks = iter(response.response)
    first = next(chunks)
    assert exports(app) == []  # the audit waits for the end of the stream
    rest = list(chunks)
    assert len(rest) >= 2  # 1,000 rows a chunk
    assert len(rows("".join(c.decode() for c in [first, *rest]))) == 2501
    response.close()
    assert exports(app)[0][2]["rows"] == 2500
    stopped = marketing.get("/staff/newsletter/export.csv", buffered=False)
    next(iter(stopped.response))
    stopped.close()  # the download stops after the first 1,000 rows
    interrupted = {"language": None, "since": None, "format": "csv", "rows": 1000, "interrupted": True}
    assert exports(app)[1][2] == interrupted


TRICKY = {  # row number: the cells that need quotes (or hold nothing), among plain rows
    10: {"source": "/fr/, then /en/"},
    1500: {"source": 'the "pricing" page', "policy_version": "v2;draft"},
    1501: {"source": "/fr/\r\nsecond line", "confirmed_at": None},
    2499: {"email": "=last@example.org", "policy_version": "=1,2"},
}


@pytest.mark.parametrize(("query", "delimiter"), [("", ","), ("?format=excel", ";")])
def test_every_batch_is_what_the_csv_module_writes(app, marketing, query, delimiter):
    """The plain lines (SQLite) or COPY (PostgreSQL), and the quoted rows among them, 1,000 a batch."""
    add(app, *({"email": f"reader{i}@example.org"} | TRICKY.get(i, {}) for i in range(2500)))
    expected = io.StringIO(newline="")
    writer = csv.writer(expected, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    with app.app_context():  # the addresses' HMAC
        stored = [subscription(f"reader{i}@example.org") | TRICKY.get(i, {}) for i in range(2500)]
    for row in stored:
        dates = [row[name].isoformat() if row[name] else "" for name in ("subscribed_at", "confirmed_at")]
        guarded = ["'" * row[name].startswith("=") + row[name] for name in export.GUARDED]
        writer.writerow([guarded[0], row["language"], *dates, *guarded[1:], row["legal_basis"]])
    data = marketing.get(f"/staff/newsletter/export.csv{query}").get_data().decode("utf-8-sig")
    assert data == expected.getvalue()
    assert exports(app)[0][2]["rows"] == 2500


@pytest.mark.parametrize(
    "query", ["?since=yesterday", "?since=2026-02-30", "?since=20260301", "?language=de", "?format=xlsx"]
)
def test_a_bad_filter_is_a_400_and_nothing_is_exported(app, seeded, marketing, query):
    response = marketing.get(f"/staff/newsletter/export.csv{query}")
    assert response.status_code == 400
    assert "text/html" in response.content_type and "@example.org" not in response.get_data(as_text=True)
    assert exports(app) == []


def test_the_cli_refuses_a_bad_filter(app, seeded, runner, tmp_path):
    result = runner.invoke(args=["newsletter", "export", "-o", str(tmp_path / "x.csv"), "--since", "soon"])
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output
    assert not (tmp_path / "x.csv").exists() and exports(app) == []


@pytest.mark.parametrize("path", ["/staff/newsletter", "/staff/newsletter/export.csv"])
def test_only_marketing_may_see_the_list_and_the_export(app, client, staff, path):
    assert staff("support").get(path).status_code == 403
    assert staff("dpo", "admin").get(path).status_code == 403
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/staff/login?next=")
    assert staff("marketing").get(path).status_code == 200


def test_the_page_shows_the_counts_and_the_list(app, seeded, marketing):
    response = marketing.get("/staff/newsletter")
    assert response.status_code == 200
    page = soup(response)
    tabs = [a.get_text(" ", strip=True) for a in page.find("nav", class_="tabs").find_all("a")]
    assert tabs == ["All (4)", "Pending (1)", "Confirmed (2)", "Unsubscribed (1)"]
    by_language = page.find(id="by-language").get_text(" ", strip=True)
    assert by_language == "French 1 English 1"  # in the staff member's language
    rows = page.find("table", class_="subscribers").tbody.find_all("tr")
    addresses = [tr.th.get_text(strip=True) for tr in rows]
    assert addresses == [
        "grace@example.org",
        "Address erased (unsubscribed)",
        "ada@example.org",
        "pending@example.org",
    ]
    assert "gone@example.org" not in response.get_data(as_text=True)
    form = page.find("form", action="/staff/newsletter/export.csv")
    assert form["method"] == "get"
    assert {f["name"] for f in form.find_all(["input", "select"])} == {"language", "since", "format"}


def test_the_status_filter_and_the_search(app, seeded, marketing):
    def addresses(query):
        page = soup(marketing.get(f"/staff/newsletter{query}"))
        rows = page.find("table", class_="subscribers").tbody.find_all("tr")
        return [tr.find(["th", "td"]).get_text(strip=True) for tr in rows]

    assert addresses("?status=confirmed") == ["grace@example.org", "ada@example.org"]
    assert addresses("?q=GRACE") == ["grace@example.org"]
    assert addresses("?q=example.org&status=pending") == ["pending@example.org"]
    assert "no subscription matches" in visible_text(marketing.get("/staff/newsletter?q=%25"))  # % is literal
    assert "no subscription matches" in visible_text(marketing.get("/staff/newsletter?q=_race"))


def test_the_list_has_pages_of_50(app, marketing):
    add(app, *({"email": f"reader{i:03}@example.org"} for i in range(120)))
    first = soup(marketing.get("/staff/newsletter"))
    assert len(first.find("table", class_="subscribers").tbody.find_all("tr")) == 50
    assert first.find("a", rel="next")["href"] == "/staff/newsletter?page=2"
    last = soup(marketing.get("/staff/newsletter?page=3"))
    assert len(last.find("table", class_="subscribers").tbody.find_all("tr")) == 20


def test_copy_lines_end_in_crlf_but_not_inside_a_quoted_cell():
    """PostgreSQL's COPY ends lines in LF; the export in CRLF, whatever the blocks' boundaries."""
    blocks = ["email,source\n", 'a@x.test,"/fr/\nodd', ' ""quote"", yes"\n', "b@x.test,/en/\n"]
    inside, out, lines = False, [], 0
    for block in blocks:
        text, inside, ended = export.crlf(block, inside)
        out.append(text)
        lines += ended
    assert "".join(out) == 'email,source\r\na@x.test,"/fr/\nodd ""quote"", yes"\r\nb@x.test,/en/\r\n'
    assert lines == 3 and not inside
