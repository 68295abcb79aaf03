"""The DPO's desk: requests by deadline, answers and extensions, the Art. 30 record."""

import calendar
import csv
import dataclasses
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from babel.dates import format_date
from flask_babel import force_locale, gettext
from sqlalchemy import select

from koki_site.contact.models import ContactMessage
from koki_site.core import register
from koki_site.core.i18n import format_period
from koki_site.extensions import db
from koki_site.mail import OutboxMail
from koki_site.rights import deadlines
from koki_site.rights.models import RightsRequest
from tests.helpers import soup, visible_text
from tests.helpers.mail import text_of
from tests.helpers.staff import audit_entries, csrf_token

pytestmark = pytest.mark.db


def local_today(app):
    with app.app_context():
        return deadlines.today()


def add_request(app, number, status="open", deadline=None, **fields):
    """A request stored as the visitor's side leaves it; verified unless awaiting verification."""
    now = datetime.now(UTC)
    values = {
        "reference": f"KOKI-R-2026-{number:05d}",
        "email": "ada@example.org",
        "right": "access",
        "details": "",
        "language": "en",
        "status": status,
        "received_at": now - timedelta(days=number),
        "verified_at": None if status == "awaiting_verification" else now - timedelta(days=number),
        "deadline": deadline,
        **fields,
    }
    with app.app_context():
        rights_request = RightsRequest(**values)
        db.session.add(rights_request)
        db.session.commit()
        return rights_request.id


def stored(app, request_id):
    with app.app_context():
        rights_request = db.session.get(RightsRequest, request_id)
        db.session.expunge(rights_request)
        return rights_request


def post(client, request_id, action, **fields):
    page = f"/staff/rights/{request_id}"
    return client.post(f"{page}/{action}", data={"csrf_token": csrf_token(client, page), **fields})


def in_language(app, language, message, **values):
    """A message of the catalogue as the visitor's language has it."""
    with app.test_request_context(), force_locale(language):
        return gettext(message, **values)


# The list


def test_the_list_shows_overdue_requests_first_then_by_deadline_then_unverified_then_answered(app, staff):
    today = local_today(app)
    later = add_request(app, 1, deadline=today + timedelta(days=10))
    overdue = add_request(app, 2, deadline=today - timedelta(days=3), right="erasure")
    extended = add_request(app, 3, status="extended", deadline=today + timedelta(days=40))
    due_today = add_request(app, 4, deadline=today)
    unverified = add_request(app, 5, status="awaiting_verification")
    answered = add_request(app, 6, status="done", deadline=today - timedelta(days=20))
    dpo = staff("dpo")
    page = soup(dpo.get("/staff/rights"))
    rows = page.select("table.rights-requests tbody tr")
    ids = [int(row.th.a["href"].rsplit("/", 1)[1]) for row in rows]
    assert ids == [overdue, due_today, later, extended, unverified, answered]
    days = [row.select_one("td.days-left").get_text(" ", strip=True) for row in rows]
    assert days == ["-3 overdue", "0 due soon", "10", "40", "—", "—"]
    assert [row.get("class") for row in rows] == [["due-late"], ["due-soon"], None, None, None, None]
    assert rows[0].select_one("td.right").get_text() == "Erasure"  # the right's label, from the register
    assert rows[0].select_one("td.requester").get_text() == "ada@example.org"

    open_only = soup(dpo.get("/staff/rights?status=open")).select("table.rights-requests tbody th a")
    assert [a.get_text() for a in open_only] == [
        "KOKI-R-2026-00002",
        "KOKI-R-2026-00004",
        "KOKI-R-2026-00001",
    ]


def test_days_left_count_in_the_staff_time_zone(app):
    """Paris is ahead of UTC: at 23:30 UTC on 31 December it is already 1 January there."""
    with app.app_context():
        assert deadlines.local_day(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2027, 1, 1)
        assert deadlines.deadline_after(datetime(2026, 1, 31, 23, 30, tzinfo=UTC)) == date(2026, 3, 1)
    assert deadlines.days_left(date(2026, 3, 1), on=date(2026, 3, 4)) == -3


def test_the_nav_links_the_desk_and_the_register_for_the_dpo(staff):
    links = {a["href"] for a in soup(staff("dpo").get("/staff/")).select("nav a")}
    assert {"/staff/rights", "/staff/register"} <= links


# One request


def test_a_request_is_shown_with_its_outcome_and_reading_it_is_audited(app, staff):
    outcome = {"removed": {"contact messages": 2}, "kept": ["rights request"]}
    request_id = add_request(
        app,
        7,
        deadline=local_today(app) + timedelta(days=12),
        right="erasure",
        details="Please <b>remove</b> everything.",
        outcome=json.dumps(outcome),
    )
    response = staff("dpo").get(f"/staff/rights/{request_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Please &lt;b&gt;remove&lt;/b&gt; everything." in html  # what the visitor typed, escaped
    text = visible_text(response)
    assert "ada@example.org" in text and "erasure" in text and "12 days left" in text
    assert "erased contact messages: 2 kept, not erased rights request" in text and '{"' not in text
    (entry,) = audit_entries(app, "rights_view")
    assert (entry.target, entry.actor) == ("rights:KOKI-R-2026-00007", "dpo@koki.test")


@pytest.mark.parametrize(
    ("right", "outcome", "words"),
    [
        ("objection", {"restricted": {"contact messages": 1}}, "Restreint : conservé, mais plus utilisé"),
        ("access", {"shown": {"contact": 2, "newsletter": 1}}, "Demandes de contact : 2 Newsletter : 1"),
        (
            "rectification",
            {"changed": ["phone"], "records": {"contact messages": 1}},
            "Coordonnées corrigées Téléphone Enregistrements corrigés Messages de contact : 1",
        ),
    ],
)
def test_what_was_done_reads_in_the_dpos_words_not_in_code(app, staff, right, outcome, words):
    """The DPO's proof of how a request was handled: no key of the stored outcome, no "None"."""
    request_id = add_request(
        app, 8, status="done", right=right, answered_at=datetime.now(UTC), outcome=json.dumps(outcome)
    )
    text = visible_text(staff("dpo").get(f"/staff/rights/{request_id}", headers={"Accept-Language": "fr"}))
    done = text[text.index("actions effectuées") : text.index("ce que nous détenons")]
    assert words.lower() in done  # visible_text makes the no-break spaces plain
    words_shown = text.split()
    for code in ("none", "restricted", "shown", "kept", "removed", "changed", "phone", "records", "contact:"):
        assert code not in words_shown


def test_an_unverified_request_offers_no_action(app, staff):
    request_id = add_request(app, 8, status="awaiting_verification")
    dpo = staff("dpo")
    page = soup(dpo.get(f"/staff/rights/{request_id}"))
    assert page.select("form.staff-form") == []
    assert "proves their address" in page.get_text()
    assert dpo.get(f"/staff/rights/{request_id + 1}").status_code == 404


# Answers


def test_an_answer_is_mailed_in_the_visitors_language_and_closes_the_request(app, staff, smtp):
    request_id = add_request(app, 9, deadline=local_today(app) + timedelta(days=20), language="fr")
    response = post(
        staff("dpo"), request_id, "answer", answer="Voici les données que nous avons.", decision="done"
    )
    assert response.status_code == 303
    (mail,) = smtp.wait_for(1)
    assert mail["To"] == "ada@example.org"
    assert mail["Reply-To"] == app.config["DPO_EMAIL"]
    assert mail["Auto-Submitted"] == "no"  # the DPO wrote it (RFC 3834)
    assert mail["Subject"] == in_language(
        app, "fr", "Your request %(reference)s", reference="KOKI-R-2026-00009"
    )
    body = text_of(mail)
    assert body.startswith("Bonjour,")  # the catalogue's French, not the staff member's English
    assert "Voici les données que nous avons." in body and "CNIL" not in body
    answered = stored(app, request_id)
    assert answered.status == "done" and answered.answer == "Voici les données que nous avons."
    assert answered.answered_at is not None
    with app.app_context():
        assert db.session.scalars(select(OutboxMail)).all() == []  # delivered: out of the outbox
    (entry,) = audit_entries(app, "rights_answer")
    assert json.loads(entry.details) == {"status": "done"}


def test_a_refusal_gives_the_reason_and_the_right_to_complain_to_the_cnil(app, staff, smtp):
    request_id = add_request(app, 10, deadline=local_today(app) + timedelta(days=20), right="erasure")
    reason = "The law requires us to keep the proof of your cookie choices for five years."
    assert post(staff("dpo"), request_id, "answer", answer=reason, decision="refused").status_code == 303
    (mail,) = smtp.wait_for(1)
    assert mail["Subject"] == "Your request KOKI-R-2026-00010"
    body = text_of(mail)
    assert body.startswith("Hello,")
    assert "We cannot grant your request KOKI-R-2026-00010 (Erasure)" in body
    assert reason in body and "complaint with the CNIL" in body and "https://www.cnil.fr" in body
    assert stored(app, request_id).status == "refused"


def test_an_answer_needs_a_text_and_an_open_request(app, staff, smtp):
    dpo = staff("dpo")
    request_id = add_request(app, 11, deadline=local_today(app) + timedelta(days=20))
    response = post(dpo, request_id, "answer", answer="  ", decision="done")
    assert response.status_code == 400 and "Please write the answer." in response.get_data(as_text=True)
    assert post(dpo, request_id, "answer", answer="x", decision="granted").status_code == 400
    unverified = add_request(app, 12, status="awaiting_verification")
    assert post(dpo, unverified, "answer", answer="Hello", decision="done").status_code == 303
    post(dpo, request_id, "answer", answer="First answer.", decision="done")
    post(dpo, request_id, "answer", answer="Second answer.", decision="refused")
    (mail,) = smtp.wait_for(2, timeout=1)  # the first answer alone
    assert "First answer." in text_of(mail)
    assert stored(app, unverified).status == "awaiting_verification"
    assert (stored(app, request_id).status, stored(app, request_id).answer) == ("done", "First answer.")


# Extensions


def test_an_extension_mails_the_reason_and_the_new_deadline_two_calendar_months_later_once(app, staff, smtp):
    today = local_today(app)
    deadline = date(today.year, 12, 31)  # never past: the last day of this year
    request_id = add_request(app, 13, deadline=deadline, language="fr")
    dpo = staff("dpo")
    reason = "Votre demande porte sur plusieurs années de messages."
    assert post(dpo, request_id, "extend", reason=reason).status_code == 303
    year = today.year + 1
    new_deadline = date(year, 2, calendar.monthrange(year, 2)[1])  # 31 Dec + 2 months: end of February
    after = stored(app, request_id)
    assert (after.status, after.deadline, after.extension_reason) == ("extended", new_deadline, reason)
    (mail,) = smtp.wait_for(1)
    body = text_of(mail)
    assert reason in body
    assert format_date(new_deadline, "long", locale="fr") in body  # "28 février 2027"
    (entry,) = audit_entries(app, "rights_extend")
    assert json.loads(entry.details) == {"from": deadline.isoformat(), "to": new_deadline.isoformat()}

    assert "extend by two months" not in visible_text(dpo.get(f"/staff/rights/{request_id}"))
    assert post(dpo, request_id, "extend", reason="Once more.").status_code == 303
    assert stored(app, request_id).deadline == new_deadline
    assert smtp.wait_for(2, timeout=0.5) == [mail]


def test_an_extension_is_in_english_for_an_english_request(app, staff, smtp):
    deadline = local_today(app) + timedelta(days=3)
    request_id = add_request(app, 14, deadline=deadline, right="portability")
    post(staff("dpo"), request_id, "extend", reason="Many requests this month.")
    body = text_of(smtp.wait_for(1)[0])
    expected = format_date(deadlines.extended(deadline), "long", locale="en")
    assert f"request KOKI-R-2026-00014 (Portability). We will answer by {expected} at the latest." in body


def test_an_extension_needs_a_reason_and_comes_before_the_deadline(app, staff, smtp):
    dpo = staff("dpo")
    today = local_today(app)
    request_id = add_request(app, 15, deadline=today + timedelta(days=3))
    response = post(dpo, request_id, "extend", reason="")
    assert response.status_code == 400 and "Please give the reason" in response.get_data(as_text=True)
    overdue = add_request(app, 16, deadline=today - timedelta(days=1))
    overdue_page = visible_text(dpo.get(f"/staff/rights/{overdue}"))
    assert "overdue by 1 day" in overdue_page and "extend by two months" not in overdue_page
    assert post(dpo, overdue, "extend", reason="Too late.").status_code == 303
    assert (stored(app, overdue).status, stored(app, overdue).deadline) == ("open", today - timedelta(days=1))
    assert smtp.wait_for(1, timeout=0.5) == []
    assert audit_entries(app, "rights_extend") == []


# Lifting a restriction


def add_contact_message(app, email, restricted):
    now = datetime.now(UTC)
    with app.app_context():
        message = ContactMessage(
            reference="KOKI-2026-00001",
            first_name="Ada",
            last_name="Lovelace",
            email=email,
            message="m",
            language="en",
            legal_basis="legitimate_interests",
            purpose="p",
            policy_version="v",
            received_at=now,
            delete_after=now + timedelta(days=365),
            restricted=restricted,
        )
        db.session.add(message)
        db.session.commit()
        return message.id


def is_restricted(app, message_id):
    with app.app_context():
        return db.session.get(ContactMessage, message_id).restricted


def test_a_restriction_is_lifted_through_the_register_once_the_request_is_answered(app, staff):
    message_id = add_contact_message(app, "ada@example.org", restricted=True)
    dpo = staff("dpo")
    still_open = add_request(app, 17, deadline=local_today(app), right="restriction")
    assert "lift the restriction" not in visible_text(dpo.get(f"/staff/rights/{still_open}"))
    assert post(dpo, still_open, "lift").status_code == 303
    access = add_request(app, 18, status="done", right="access")
    post(dpo, access, "lift")
    assert is_restricted(app, message_id)

    done = add_request(app, 19, status="done", right="restriction")
    assert "lift the restriction" in visible_text(dpo.get(f"/staff/rights/{done}"))
    assert post(dpo, done, "lift").status_code == 303
    assert not is_restricted(app, message_id)
    (entry,) = audit_entries(app, "rights_lift_restriction")
    assert entry.target == "rights:KOKI-R-2026-00019"
    assert json.loads(entry.details)["contact messages"] == 1
    assert "last lifted on" in visible_text(dpo.get(f"/staff/rights/{done}"))


# Roles

DESK_PAGES = ("/staff/rights", "/staff/rights/{id}", "/staff/register", "/staff/register.csv")
DESK_ACTIONS = ("answer", "extend", "lift")


@pytest.mark.parametrize("role", ["support", "marketing", "admin"])
def test_only_the_dpo_reaches_the_desk_and_the_register(app, client, staff, role):
    request_id = add_request(app, 20, deadline=local_today(app) + timedelta(days=5), right="restriction")
    member = staff(role)
    token = csrf_token(member, "/staff/")
    for path in DESK_PAGES:
        url = path.format(id=request_id)
        assert member.get(url).status_code == 403, (role, url)
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/staff/login")
    for action in DESK_ACTIONS:
        url = f"/staff/rights/{request_id}/{action}"
        data = {"csrf_token": token, "answer": "x", "decision": "done", "reason": "x"}
        assert member.post(url, data=data).status_code == 403, (role, url)
    assert stored(app, request_id).status == "open"


# The record of processing activities


def expected_retention(rule):
    return f"{format_period(rule.period())} {rule.when}" if rule.config_key else str(rule.when)


def card_labels(page):
    """The column names, as the register's cards give them: the name, then each <dt>."""
    first = page.select_one(".processing-card")
    return ["Processing", *(dt.get_text() for dt in first.find_all("dt"))]


def test_the_register_page_lists_every_processing_with_its_legal_basis_and_retention(app, staff):
    """One card per processing: every column readable without scrolling sideways."""
    page = soup(staff("dpo").get("/staff/register"))
    headers = card_labels(page)
    assert len(headers) == 10 and headers[2] == "Legal basis" and headers[6] == "Transfers outside the EU"
    assert page.find("table") is None
    with app.test_request_context(headers={"Accept-Language": "en"}):
        for processing in register.PROCESSINGS:
            row = page.find("section", id=f"processing-{processing.key}")
            text = " ".join(row.get_text(" ").split())
            assert row.h2.get_text() == str(processing.name)
            assert str(processing.legal_basis_label) in text
            for rule in processing.retention:
                assert expected_retention(rule) in text
            assert str(register.RIGHTS[processing.rights[0]][0]) in text
            assert str(register.SECURITY_MEASURES) in text and str(register.TRANSFERS) in text
    assert len(page.select(".processing-card")) == len(register.PROCESSINGS)


def read_csv(response):
    data = response.get_data(as_text=True)
    assert data.startswith("\ufeff")
    return list(csv.reader(io.StringIO(data.removeprefix("\ufeff"))))


def test_the_register_csv_has_the_same_rows_and_columns(app, staff):
    dpo = staff("dpo")
    response = dpo.get("/staff/register.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert b"\r\n" in response.data  # RFC 4180 line ends
    header, *rows = read_csv(response)
    page = soup(dpo.get("/staff/register"))
    assert header == card_labels(page)
    assert [row[0] for row in rows] == [str(p.name) for p in register.PROCESSINGS]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        for row, processing in zip(rows, register.PROCESSINGS, strict=True):
            assert len(row) == len(header)
            assert row[2] == str(processing.legal_basis_label)
            assert row[7] == "; ".join(expected_retention(rule) for rule in processing.retention)
            assert row[9].split(", ") == [str(register.RIGHTS[key][0]) for key in processing.rights]


def test_the_register_csv_is_in_the_pages_language(staff):
    dpo = staff("dpo")
    rows = read_csv(dpo.get("/staff/register.csv", headers={"Accept-Language": "fr"}))
    assert "12\xa0mois à compter de la réception du message" in rows[1][7]


def test_a_register_cell_that_a_spreadsheet_would_run_is_neutralised(staff, monkeypatch):
    formula = dataclasses.replace(register.PROCESSINGS[0], purpose='=HYPERLINK("http://evil.example")')
    monkeypatch.setattr(register, "PROCESSINGS", (formula,))
    (_header, row) = read_csv(staff("dpo").get("/staff/register.csv"))
    assert row[1] == '\'=HYPERLINK("http://evil.example")'


# Deadline arithmetic: calendar months, month ends


@pytest.mark.parametrize(
    ("verified", "deadline"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),  # a leap year
        (date(2026, 11, 30), date(2026, 12, 30)),
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 12, 31), date(2027, 1, 31)),
        (date(2026, 12, 15), date(2027, 1, 15)),
    ],
)
def test_the_deadline_is_one_calendar_month_after_the_verification_day(verified, deadline):
    assert deadlines.deadline_after(verified) == deadline


@pytest.mark.parametrize(
    ("deadline", "extended"),
    [
        (date(2026, 2, 28), date(2026, 4, 28)),
        (date(2026, 12, 31), date(2027, 2, 28)),
        (date(2027, 12, 31), date(2028, 2, 29)),
        (date(2026, 11, 30), date(2027, 1, 30)),
    ],
)
def test_an_extension_adds_two_calendar_months(deadline, extended):
    assert deadlines.extended(deadline) == extended
