"""The processing register (GDPR Art. 30): every processing of personal data, declared once.

The privacy and cookie policy pages render purposes, legal bases and retention periods from these
declarations, and the retention periods are read from configuration (koki_site/config.py), so the
text a visitor reads and the code that deletes data use one value.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from koki_site.core import capabilities
from koki_site.core.periods import Period

LEGAL_BASES = {
    "consent": _l("Consent (GDPR Art. 6(1)(a))"),
    "contract": _l("Performance of a contract (GDPR Art. 6(1)(b))"),
    "legal_obligation": _l("Legal obligation (GDPR Art. 6(1)(c))"),
    "legitimate_interests": _l("Legitimate interests (GDPR Art. 6(1)(f))"),
}


# The rights of GDPR Art. 15 to 22 and of the French Data Protection Act (Art. 85), by the form's values.
RIGHTS = {
    "access": (_l("Access"), _l("Know what data we hold about you and receive a copy of it.")),
    "portability": (
        _l("Portability"),
        _l("Receive the data you gave us in a machine-readable file, to keep or to pass on."),
    ),
    "rectification": (
        _l("Rectification"),
        _l("Correct your name, company or telephone where they are wrong."),
    ),
    "erasure": (_l("Erasure"), _l("Have the data we hold about you deleted.")),
    "restriction": (
        _l("Restriction"),
        _l(
            "Have your data kept but no longer used (no answer, no newsletter) until the question is settled."
        ),
    ),
    "objection": (_l("Objection"), _l("Object to our use of your data based on our legitimate interests.")),
    "withdraw_consent": (
        _l("Withdraw consent"),
        _l("Withdraw a consent you gave: unsubscribe from the newsletter, change your cookie choices."),
    ),
    "post_mortem": (
        _l("Directives after death"),
        _l("Tell us what should become of your data after your death, and who is to see to it."),
    ),
}
COMMON_RIGHTS = ("access", "rectification", "restriction", "post_mortem")
RIGHTS_BY_BASIS = {
    "consent": (*COMMON_RIGHTS, "erasure", "portability", "withdraw_consent"),
    "contract": (*COMMON_RIGHTS, "erasure", "portability"),
    "legitimate_interests": (*COMMON_RIGHTS, "erasure", "objection"),
    "legal_obligation": COMMON_RIGHTS,  # Art. 17(3)(b): no erasure of what the law requires us to keep
}
TRANSFERS = _l("None: the data stays in the European Union.")
SECURITY_MEASURES = _l(
    "Hosting in the EU with replication to a second data center; HTTPS; access by role with "
    "individual accounts, argon2id passwords and lockout; an audit log of staff actions; "
    "deletion at the end of the retention period."
)


@dataclass(frozen=True)
class Retention:
    """How long one kind of record is kept: a configured period, or a condition alone."""

    when: str  # what the period counts from, or the condition that ends it
    config_key: str | None = None
    unit: str = "month"

    def period(self):
        return Period.from_config(self.config_key, self.unit) if self.config_key else None


@dataclass(frozen=True)
class Processing:
    key: str
    name: str
    purpose: str
    legal_basis: str  # a key of LEGAL_BASES
    data_categories: str
    data_subjects: str
    recipients: str
    retention: tuple[Retention, ...]

    @property
    def legal_basis_label(self):
        return LEGAL_BASES[self.legal_basis]

    @property
    def rights(self):
        """The rights a person has over this processing, by its legal basis."""
        return RIGHTS_BY_BASIS[self.legal_basis]


PROCESSINGS = (
    Processing(
        key="contact",
        name=_l("Contact requests"),
        purpose=_l("Answering the requests for information sent through the contact form."),
        legal_basis="legitimate_interests",
        data_categories=_l("First and last name, email address, company, telephone, message."),
        data_subjects=_l("Visitors who write to us"),
        recipients=_l("KOKI SOFTWARE support staff, and our host acting on our instructions"),
        retention=(Retention(_l("from receipt of the message"), "CONTACT_RETENTION_MONTHS"),),
    ),
    Processing(
        key="newsletter",
        name=_l("Newsletter"),
        purpose=_l("Sending our newsletter to the people who asked for it."),
        legal_basis="consent",
        data_categories=_l("Email address, language, proof of consent (dates, policy version, text shown)."),
        data_subjects=_l("Subscribers"),
        recipients=_l("KOKI SOFTWARE marketing staff, and our host acting on our instructions"),
        retention=(
            Retention(_l("until you unsubscribe")),
            Retention(_l("for a subscription that was never confirmed"), "NEWSLETTER_PENDING_DAYS", "day"),
            Retention(
                _l("after unsubscribing, for the proof of consent (the address is no longer kept in clear)"),
                "NEWSLETTER_PROOF_RETENTION_MONTHS",
            ),
        ),
    ),
    Processing(
        key="consent_proof",
        name=_l("Proof of cookie choices"),
        purpose=_l("Proving the choices made about cookies, as the CNIL requires."),
        legal_basis="legal_obligation",
        data_categories=_l(
            "Random choice identifier, choices, date, policy version, language; no IP address."
        ),
        data_subjects=_l("Visitors who make a cookie choice"),
        recipients=_l("The Data Protection Officer"),
        retention=(Retention(_l("from the choice"), "CONSENT_PROOF_RETENTION_MONTHS"),),
    ),
    Processing(
        key="statistics",
        name=_l("Audience statistics"),
        purpose=_l("Counting page views anonymously, per day, page and language, to improve the site."),
        legal_basis="consent",
        data_categories=_l(
            "A random visitor identifier in a cookie, hashed with a key that changes every day."
        ),
        data_subjects=_l("Visitors who accept statistics cookies"),
        recipients=_l("KOKI SOFTWARE staff"),
        retention=(
            Retention(_l("for the identifier cookie"), "CONSENT_COOKIE_MONTHS"),
            Retention(_l("for the anonymous daily totals"), "STATISTICS_RETENTION_MONTHS"),
        ),
    ),
    Processing(
        key="audit",
        name=_l("Staff audit log"),
        purpose=_l("Keeping track of who did what in the back office, to secure your data."),
        legal_basis="legitimate_interests",
        data_categories=_l("Staff account, action, date, reference of the record concerned."),
        data_subjects=_l("KOKI SOFTWARE staff"),
        recipients=_l("The Data Protection Officer"),
        retention=(Retention(_l("from the action"), "AUDIT_RETENTION_MONTHS"),),
    ),
    Processing(
        key="staff_login",
        name=_l("Back-office login protection"),
        purpose=_l(
            "Stopping password guessing on staff accounts: an address that fails too often is locked out."
        ),
        legal_basis="legitimate_interests",
        data_categories=_l(
            "Staff account tried, time of each failed login, the IP address as a keyed hash (never in clear)."
        ),
        data_subjects=_l("Anyone who fails to log in to a staff account"),
        recipients=_l("KOKI SOFTWARE administrators (counts only)"),
        retention=(Retention(_l("from the failed login"), "STAFF_LOGIN_FAILURE_RETENTION_DAYS", "day"),),
    ),
    Processing(
        key="rights",
        name=_l("Rights requests"),
        purpose=_l("Handling the requests to exercise your data protection rights, and proving it."),
        legal_basis="legal_obligation",
        data_categories=_l("Email address, right exercised, details given, dates, our answer."),
        data_subjects=_l("People who exercise a right"),
        recipients=_l("The Data Protection Officer"),
        retention=(
            Retention(_l("from the answer"), "RIGHTS_RETENTION_MONTHS"),
            Retention(_l("for a request whose address was never verified"), "RIGHTS_UNVERIFIED_DAYS", "day"),
        ),
    ),
    Processing(
        key="backups",
        name=_l("Backups"),
        purpose=_l(
            "Restoring the data above after an incident. Backups are encrypted; restoring one "
            "erases again what was erased since it was taken."
        ),
        legal_basis="legitimate_interests",
        data_categories=_l(
            "The data of the processings above; a record of the erasures and corrections made "
            "since, where people are named by a keyed hash of their address."
        ),
        data_subjects=_l("The people concerned by the processings above"),
        recipients=_l("Our host, acting on our instructions"),
        retention=(Retention(_l("from the day the backup is taken"), "BACKUP_RETENTION_DAYS", "day"),),
    ),
    Processing(
        key="mail",
        name=_l("Outgoing email"),
        purpose=_l(
            "Delivering the emails of the processings above (confirmation links, answers), "
            "and finding out why one could not be delivered."
        ),
        legal_basis="legitimate_interests",
        data_categories=_l("Recipient's email address, subject and text of the email, delivery error."),
        data_subjects=_l("People we send an email to"),
        recipients=_l("Our host and our email provider, acting on our instructions"),
        retention=(
            Retention(_l("until it is delivered, usually within minutes")),
            Retention(
                _l("for an email that could not be delivered, from when it was written"),
                "MAIL_RETENTION_DAYS",
                "day",
            ),
        ),
    ),
)

BY_KEY = {processing.key: processing for processing in PROCESSINGS}


def get(key):
    """The processing declared under key."""
    return BY_KEY[key]


# What each capability knows how to do with its records, provided when it is installed
# (as WordPress registers its privacy exporters and erasers): the purge and the rights code work
# through these and never reach into another capability's tables.
@dataclass(frozen=True)
class Handlers:
    purge: object = None  # purge(as_of: datetime, dry_run: bool) -> {kind: count}
    due: object = None  # due(start: datetime, end: datetime) -> {kind: count}: what a purge would remove
    track: object = None  # track(references) -> [{reference, received_at, status}] for /<lang>/my-requests
    # One person's records, by email address (the GDPR rights):
    find: object = None  # find(email) -> [{"kind": str, "reference": str, "fields": {name: value}}]
    erase: object = None  # erase(email) -> {kind: count}
    restrict: object = None  # restrict(email, restricted: bool) -> {kind: count}
    rectify: object = None  # rectify(email, {field: value}) -> {kind: count}
    withdraw: object = None  # withdraw(email) -> {kind: count}: consents withdrawn
    addresses: object = None  # addresses() -> the addresses it holds (a restored backup's replay)
    present: object = None  # present(record) -> [(label, text)]: a found record in plain words


def handlers_of(app):
    """(processing, handlers) of every processing that has any, in the register's order."""
    provided = capabilities.provided(app).handlers
    assert set(provided) <= set(BY_KEY), f"undeclared processing: {set(provided) - set(BY_KEY)}"
    return [
        (processing, provided[processing.key]) for processing in PROCESSINGS if processing.key in provided
    ]


def carry_out(app, handler_name, address, *args):
    """Call one handler of every processing for one person's address; {kind: count}."""
    counts = {}
    for _, handlers in handlers_of(app):
        handler = getattr(handlers, handler_name)
        if handler:
            counts.update(handler(address, *args))
    return counts


def offered_rights(app):
    """The rights a visitor can exercise here: those of every processing that can find a person."""
    offered = {
        right for processing, handlers in handlers_of(app) if handlers.find for right in processing.rights
    }
    return [right for right in RIGHTS if right in offered]
