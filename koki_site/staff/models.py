"""Staff accounts: an email, an argon2id hash, roles, and what the lockout needs."""

from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from koki_site.extensions import UTCDateTime, db, login_manager


class StaffAccount(UserMixin, db.Model):
    __tablename__ = "staff_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role_names: Mapped[str] = mapped_column(String(100))  # space-separated, from auth.ROLES
    enabled: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of the id kept in the session cookie: raised at logout, it ends every copy of the cookie.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

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

    def locked_at(self, moment):
        """Whether the account is locked at that moment (after too many failed logins)."""
        return self.locked_until is not None and self.locked_until > moment

    @property
    def is_locked(self):
        return self.locked_at(datetime.now(UTC))


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
