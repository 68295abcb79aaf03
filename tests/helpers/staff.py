"""Staff accounts and logging in as a person would: the login page, its CSRF token, the POST."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import select

from koki_site.contact.models import ContactMessage
from koki_site.core.audit import AuditEntry
from koki_site.extensions import db
from koki_site.newsletter.models import Subscription
from koki_site.rights.models import RightsRequest
from koki_site.staff import lockout, two_factor
from koki_site.staff.models import StaffAccount, StaffLoginFailure
from koki_site.staff.password_hashes import hash_password
from tests.helpers import soup
from tests.helpers.contact import send_contact
from tests.helpers.mail import text_of

STAFF_PASSWORD = "staff-password-for-tests"
ATTACKER = "203.0.113.9"  # TEST-NET-3 (RFC 5737): an address the tests fail logins from


def add_account(app, email, *roles, password=STAFF_PASSWORD, totp_secret=None, **fields):
    """A staff account stored as the CLI would store it (and enrolled in 2FA with totp_secret); its id."""
    with app.app_context():
        values = {"enabled": True, "created_at": datetime.now(UTC), **fields}
        if totp_secret:
            values["totp_secret"] = two_factor.fernet().encrypt(totp_secret.encode()).decode()
        account = StaffAccount(
            email=email, password_hash=hash_password(password), role_names=" ".join(roles), **values
        )
        db.session.add(account)
        db.session.commit()
        return account.id


def csrf_token(client, path="/staff/login"):
    """The CSRF token of the first form of the page (the login form, or the layout's logout)."""
    return soup(client.get(path)).find("input", attrs={"name": "csrf_token"})["value"]


def log_in(client, email, password=STAFF_PASSWORD, next_path=None):
    query = f"?{urlencode({'next': next_path})}" if next_path else ""
    data = {"csrf_token": csrf_token(client), "email": email, "password": password}
    return client.post(f"/staff/login{query}", data=data)


def log_out(client):
    return client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")})


def account(app, email):
    with app.app_context():
        return db.session.scalar(select(StaffAccount).where(StaffAccount.email == email))


def update_account(app, email, **values):
    with app.app_context():
        found = db.session.scalar(select(StaffAccount).where(StaffAccount.email == email))
        for name, value in values.items():
            setattr(found, name, value)
        db.session.commit()


def audit_entries(app, action=None):
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return db.session.scalars(query).all()


def add_failures(app, email, count, address=ATTACKER, ago=timedelta(0)):
    """count failed logins to the account of email from address, ago before now."""
    with app.app_context():
        found = db.session.scalar(select(StaffAccount).where(StaffAccount.email == email))
        key, at = lockout.address_key(address), datetime.now(UTC) - ago
        db.session.add_all(StaffLoginFailure(account_id=found.id, address=key, at=at) for _ in range(count))
        db.session.commit()


def failures(app, email=None):
    """The stored failed logins (of one account, or all), oldest first."""
    with app.app_context():
        query = select(StaffLoginFailure).order_by(StaffLoginFailure.id)
        if email:
            query = query.join(StaffAccount).where(StaffAccount.email == email)
        return db.session.scalars(query).all()


def from_address(client, address):
    """client, whose requests now come from address (as ProxyFix would give it)."""
    client.environ_base["REMOTE_ADDR"] = address
    return client


def mailed_link(message):
    """The path of the staff link (login or enrolment) in a mail, which must start with SITE_URL."""
    from tests.conftest import SITE_URL

    found = re.search(re.escape(SITE_URL) + r"(/staff/(?:login/link|enrol)/[\w.-]+)", text_of(message))
    assert found, text_of(message)
    return found.group(1)


def use_link(client, path):
    """Open a mailed link and press its button, as the person would (with the session's CSRF
    token, from the login page: a link that no longer works shows no button)."""
    client.get(path)
    return client.post(path, data={"csrf_token": csrf_token(client)})


def log_in_chromium(page, base, email):
    """Log in through the login page of a Playwright page."""
    page.goto(f"{base}/staff/login")
    page.locator("#email").fill(email)  # by id: the page may be in either language
    page.locator("#password").fill(STAFF_PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()


def seed_back_office(app, client):
    """A message with a long text, a rights request due soon, subscribers: pages with content."""
    send_contact(
        client,
        "fr",
        first_name="Élodie",
        last_name="Rousseau-Delacroix",
        email="elodie.rousseau-delacroix@hopital-universitaire-du-sud.example",
        company="Centre hospitalier universitaire du Sud",
        phone="06 98 76 54 32",
        message="Bonjour, nous souhaitons une démonstration du logiciel de traçabilité " * 4,
    )
    now = datetime.now(UTC)
    with app.app_context():
        message_id = db.session.scalar(select(ContactMessage.id))
        request = RightsRequest(
            reference="KOKI-R-2026-00001",
            email="elodie.rousseau-delacroix@hopital-universitaire-du-sud.example",
            right="access",
            details="",
            language="fr",
            status="open",
            received_at=now - timedelta(days=25),
            verified_at=now - timedelta(days=25),
            deadline=(now + timedelta(days=4)).date(),
        )
        subscription = Subscription(
            email="lecteur@example.org",
            email_hmac="0" * 64,
            language="fr",
            status="confirmed",
            legal_basis="consent",
            source="https://www.koki.test/fr/newsletter",
            policy_version="2026-11-29",
            consent_text_sha256="a" * 64,
            subscribed_at=now - timedelta(days=20),
            confirmed_at=now - timedelta(days=20),
        )
        db.session.add_all([request, subscription])
        db.session.commit()
        return message_id, request.id, subscription.id


def staff_pages(message_id, request_id, subscription_id):
    """Every staff page by name, those of one record with the records seed_back_office wrote."""
    return {
        "home": "/staff/",
        "messages": "/staff/messages",
        "message": f"/staff/messages/{message_id}",
        "saved-replies": "/staff/messages/saved-replies",
        "signature": "/staff/messages/signature",
        "newsletter": "/staff/newsletter",
        "subscriber": f"/staff/newsletter/{subscription_id}",
        "rights": "/staff/rights",
        "rights-request": f"/staff/rights/{request_id}",
        "audit": "/staff/audit",
        "retention": "/staff/retention",
        "register": "/staff/register",
        "stats": "/staff/stats",
        "accounts": "/staff/accounts",
        "mail": "/staff/mail",
        "not-found": "/staff/nowhere",
    }
