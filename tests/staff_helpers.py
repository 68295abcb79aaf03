"""Staff accounts and logging in as a person would: the login page, its CSRF token, the POST."""

from datetime import UTC, datetime
from urllib.parse import urlencode

from sqlalchemy import select

from koki_site.audit import AuditEntry
from koki_site.extensions import db
from koki_site.staff.models import StaffAccount
from koki_site.staff.passwords import hash_password
from tests.helpers import soup

STAFF_PASSWORD = "staff-password-for-tests"


def add_account(app, email, *roles, password=STAFF_PASSWORD, **fields):
    """A staff account stored as the CLI would store it; its id."""
    with app.app_context():
        values = {"enabled": True, "failed_logins": 0, "created_at": datetime.now(UTC), **fields}
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
