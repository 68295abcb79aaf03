"""Two-factor authentication: TOTP (RFC 6238, pyotp) and ten single-use recovery codes.

The secret is stored encrypted (Fernet, with a key derived from the SECRET_KEY), so that a copy
of the database alone does not give it away; a code is good once (the last time step used is
kept); recovery codes are kept as keyed hashes and each works once. Which roles must use it is
a setting admins change (STAFF_2FA_ROLES, admin by default); anyone may turn it on.
"""

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import delete, select

from koki_site.core import audit, runtime_settings
from koki_site.extensions import db
from koki_site.staff.models import StaffRecoveryCode

RECOVERY_CODES = 10
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper and typed


def required(account):
    return bool(set(account.roles) & set(runtime_settings.get("STAFF_2FA_ROLES")))


def enrolled(account):
    return account.totp_secret is not None


def fernet():
    from cryptography.fernet import Fernet  # the libraries of two factors load when one is used

    key = hashlib.sha256(f"koki-totp:{current_app.secret_key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def secret_of(account):
    from cryptography.fernet import InvalidToken

    try:
        return fernet().decrypt(account.totp_secret.encode()).decode()
    except InvalidToken:  # the SECRET_KEY changed: the account must enrol again (admin reset)
        return None


def new_secret():
    import pyotp

    return pyotp.random_base32()


def qr_code(account, secret):
    """The otpauth:// URI as a QR code, an SVG data URI drawn here (no third party sees it)."""
    import pyotp
    import segno

    uri = pyotp.TOTP(secret).provisioning_uri(
        name=account.email, issuer_name=current_app.config["COMPANY_NAME"]
    )
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def matching_step(secret, code, after):
    """The time step code belongs to (now, or one step either side), if later than after."""
    import pyotp

    totp = pyotp.TOTP(secret)
    now = datetime.now(UTC)
    for drift in (0, -1, 1):
        step = totp.timecode(now) + drift
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def enrol(account, secret, code):
    """Turn the second factor on if code proves the authenticator app holds secret; the recovery codes."""
    step = matching_step(secret, normalise(code), None)
    if step is None:
        return None
    account.totp_secret = fernet().encrypt(secret.encode()).decode()
    account.totp_last_step = step
    audit.log("two_factor_enrolled", target=f"staff:{account.id}", actor=account.email)
    return new_recovery_codes(account)


def check(account, code):
    """Whether code is the account's current TOTP code, unused, or one of its unused recovery codes."""
    code = normalise(code)
    secret = secret_of(account)
    if secret and code.isdigit() and len(code) == 6:
        step = matching_step(secret, code, account.totp_last_step)
        if step is not None:
            account.totp_last_step = step
            return True
        return False
    found = db.session.scalar(
        select(StaffRecoveryCode).where(
            StaffRecoveryCode.account_id == account.id,
            StaffRecoveryCode.code_hash == code_hash(code),
            StaffRecoveryCode.used_at.is_(None),
        )
    )
    if found is None:
        return False
    found.used_at = datetime.now(UTC)
    audit.log("recovery_code_used", target=f"staff:{account.id}", actor=account.email)
    return True


def new_recovery_codes(account):
    """Ten new codes (the earlier ones no longer work), shown once: only their hashes are kept."""
    db.session.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.account_id == account.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(StaffRecoveryCode(account_id=account.id, code_hash=code_hash(normalise(raw))))
    return codes


def reset(account, actor=None):
    """An admin's reset (a lost phone): the account enrols again at its next login."""
    account.totp_secret = None
    account.totp_last_step = None
    db.session.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.account_id == account.id))
    audit.log("two_factor_reset", target=f"staff:{account.id}", details={"email": account.email}, actor=actor)


def normalise(code):
    return "".join(char for char in (code or "").upper() if char.isalnum())


def code_hash(code):
    key = hashlib.sha256(f"koki-recovery-code:{current_app.secret_key}".encode()).digest()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def unused_codes(account):
    query = select(StaffRecoveryCode.id).where(
        StaffRecoveryCode.account_id == account.id, StaffRecoveryCode.used_at.is_(None)
    )
    return len(db.session.scalars(query).all())
