"""A backup's encryption: age, to the company's public keys or with a passphrase (age's scrypt mode).

pyrage (bindings to rage, a Rust implementation of age) writes the standard file, which `age -d`
opens. Encrypted to recipients (BACKUP_AGE_RECIPIENTS), the host holds public keys only: it writes
backups it cannot read, and the identities that open them stay in the company's safe. age
authenticates the whole file, so a changed byte fails decryption; it does not say who wrote it:
whoever has the public keys can write a backup, so restore only files from the site's own backups.
pyrage is loaded by the backup commands only (and at start-up when recipients are set).
"""

from koki_site.backups.archive import BackupError

AGE_MAGIC = b"age-encryption.org/v1\n"
MIN_PASSPHRASE_LENGTH = 32
RECIPIENT_PREFIX, IDENTITY_PREFIX = "age1", "AGE-SECRET-KEY-1"


def parse_recipients(value):
    """The age recipients of BACKUP_AGE_RECIPIENTS, a list of "age1…" keys; BackupError on a bad one.

    The message gives an entry's position, never its text: a secret key pasted by mistake stays
    out of the log.
    """
    if not value:
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise BackupError('BACKUP_AGE_RECIPIENTS must be a list of age public keys: ["age1…", …].')
    from pyrage import RecipientError, x25519

    recipients = []
    for position, entry in enumerate(value, start=1):
        text = entry.strip() if isinstance(entry, str) else ""
        if text.upper().startswith(IDENTITY_PREFIX):
            raise BackupError(
                f"BACKUP_AGE_RECIPIENTS entry {position} is a secret key: put its public key there "
                "(`age-keygen -y KEYFILE` prints it) and keep the identity off this host."
            )
        try:
            recipients.append(x25519.Recipient.from_str(text))
        except (RecipientError, TypeError):
            raise BackupError(
                f"BACKUP_AGE_RECIPIENTS entry {position} is not an age public key "
                f"({RECIPIENT_PREFIX}…, as age-keygen prints it)."
            ) from None
    return recipients


def check_passphrase(passphrase):
    if not passphrase or len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise BackupError(f"BACKUP_KEY must be set, {MIN_PASSPHRASE_LENGTH} characters or more.")


def encrypt(payload, recipients, passphrase=None):
    """The age file of payload: to recipients when there are any, else with passphrase."""
    import pyrage

    if recipients:
        return pyrage.encrypt(payload, recipients)
    check_passphrase(passphrase)
    return pyrage.passphrase.encrypt(payload, passphrase)


def is_age(data):
    return data.startswith(AGE_MAGIC)


def uses_passphrase(data):
    """Whether an age file was encrypted with a passphrase: its header's stanza is "scrypt"."""
    header, _, _ = data[len(AGE_MAGIC) :].partition(b"\n---")
    return any(line.startswith(b"-> scrypt ") for line in header.split(b"\n"))


def decrypt(data, identities, passphrase):
    """The payload of an age file, with the passphrase or the identities its header calls for."""
    import pyrage

    if uses_passphrase(data):
        if not passphrase:
            raise BackupError("This backup was encrypted with a passphrase: set BACKUP_KEY to read it.")
        try:
            return pyrage.passphrase.decrypt(data, passphrase)
        except pyrage.DecryptError:
            raise BackupError("The backup is damaged or was made with another BACKUP_KEY.") from None
    if not identities:
        raise BackupError(
            "This backup is encrypted to age public keys (BACKUP_AGE_RECIPIENTS): "
            "give the identity that opens it, --identity KEYFILE."
        )
    try:
        return pyrage.decrypt(data, identities)
    except pyrage.DecryptError:
        raise BackupError(
            "The backup is damaged, or the identity given is not one it was encrypted to."
        ) from None


def read_identities(text):
    """The age identities of an identity file's text: AGE-SECRET-KEY-1… lines, # comments (age-keygen's)."""
    from pyrage import IdentityError, x25519

    lines = [line.strip() for line in text.splitlines()]
    keys = [line for line in lines if line and not line.startswith("#")]
    if not keys:
        raise BackupError(f"The identity file holds no age identity ({IDENTITY_PREFIX}…).")
    try:
        return [x25519.Identity.from_str(key) for key in keys]
    except IdentityError:
        raise BackupError(
            f"The identity file holds a line that is not an age identity ({IDENTITY_PREFIX}…)."
        ) from None
