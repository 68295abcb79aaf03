"""Staff accounts (an email, an argon2id hash, roles) and the failed logins the lockout counts."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from koki_site.extensions import UTCDateTime, db, login_manager


class StaffAccount(UserMixin, db.Model):
    __tablename__ = "staff_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(100))  # "Claire Martin": signs replies
    password_hash: Mapped[str] = mapped_column(String(255))
    role_names: Mapped[str] = mapped_column(String(100))  # space-separated, from auth.ROLES
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of the id kept in the session cookie: raised at logout, it ends every copy of the cookie.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Two-factor authentication (two_factor.py): the TOTP secret, encrypted with a key derived from
    # the SECRET_KEY, and the last time step used, so that a code is good once.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_last_step: Mapped[int | None]
    # The nonce of the account's one valid login or enrolment link (links.py); None once used.
    link_nonce: Mapped[str | None] = mapped_column(String(32))

    @property
    def name(self):
        """How the person is named to visitors and colleagues: their display name, else their address."""
        return self.display_name or self.email

    def get_id(self):
        return f"{self.id}.{self.session_version}"

    def end_sessions(self):
        """Every session of this account ends, here and in any copy of its cookie."""
        self.session_version += 1

    @property
    def roles(self):
        return tuple(self.role_names.split())

    @property
    def is_active(self):
        return self.enabled


class StaffLoginFailure(db.Model):
    """A refused login to an existing account: when, and from where (a keyed hash, never the address)."""

    __tablename__ = "staff_login_failure"
    __table_args__ = (Index("ix_staff_login_failure_account_at", "account_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("staff_account.id"))
    address: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256 of the client address, hex
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


@login_manager.user_loader
def load_account(session_id):
    """The account of a session id "<account id>.<session version>", while that session lasts."""
    account_id, _, version = session_id.partition(".")
    if not (account_id.isdigit() and version.isdigit()):
        return None
    account = db.session.get(StaffAccount, int(account_id))
    if account is None or not account.enabled or account.session_version != int(version):
        return None
    return account


class StaffRecoveryCode(db.Model):
    """A single-use code that stands in for the second factor (a lost phone), kept as a keyed hash."""

    __tablename__ = "staff_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("staff_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
