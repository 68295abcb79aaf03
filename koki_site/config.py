"""Package defaults: the first link of the configuration chain.

Every value here can be overridden by ``instance/config.py`` and then by a ``FLASK_``-prefixed
environment variable (``FLASK_CONTACT_RETENTION_MONTHS=12``). Periods that the policy pages state
are read from here by the processing register, the same values the purge and the cookies enforce.
"""

# Security
SECRET_KEY = None  # required outside debug and tests; see check_secret_key()
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# SESSION_COOKIE_SECURE defaults to "not debug" in create_app; set it to false to serve on plain HTTP.
MAX_CONTENT_LENGTH = 64 * 1024  # the largest form (contact: 5,000 characters) fits many times
SEND_FILE_MAX_AGE_DEFAULT = 3600
# Fingerprinted and compressed static files are written here at start-up (koki_site/core/static_files.py);
# default <instance>/static-build. nginx may serve /static/ from it.
STATIC_BUILD_DIR = None
# The site's public address: every absolute URL it writes (mails, canonical, hreflang) starts so,
# whatever Host the request names (koki_site/core/site_url.py).
SITE_URL = "http://127.0.0.1:5000"
# Flask's own key, a list of host names: a request naming another Host gets a 400 page.
TRUSTED_HOSTS = None
# How many proxies in front of the app to trust for the client address and the scheme (ProxyFix).
# The rate limits and the login lockout count the address this gives; 0 trusts no header.
PROXY_FIX_X_FOR = 0
PROXY_FIX_X_PROTO = 0
# GET /metrics (Prometheus' text format) answers only clients of these networks, a 404 to anyone
# else: a list of CIDRs (FLASK_METRICS_ALLOWED_NETWORKS='["127.0.0.0/8", "10.0.0.0/8"]').
METRICS_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
# GET /.well-known/security.txt (RFC 9116, koki_site/pages/security_txt.py): where to report a
# vulnerability, a mailto: or https: URI or a list of them, and the date after which that should no
# longer be trusted, an ISO 8601 date and time with its offset ("2027-06-30T00:00:00+02:00"),
# required with a contact. No contact: no such file (404).
SECURITY_CONTACT = ""
SECURITY_TXT_EXPIRES = ""

# Database
SQLALCHEMY_DATABASE_URI = None  # defaults to sqlite:///<instance>/koki.db in create_app
# hide_parameters: an error message never carries the values of a query (a visitor's address).
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
# PostgreSQL: a statement waiting longer (a lock, an overloaded server) is cancelled, and the
# visitor gets a 503 with their text kept, rather than a worker hung with them. 0: no limit.
DATABASE_STATEMENT_TIMEOUT_MS = 5000

# Languages
LANGUAGES = ("fr", "en")
BABEL_DEFAULT_LOCALE = "fr"
BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
BABEL_TRANSLATION_DIRECTORIES = "../translations"

# The policy text: its version is the date it was last changed. Change it whenever the text of
# the privacy or cookie policy changes (consent given under an older version is asked again).
POLICY_VERSION = "2026-12-07"

# Retention periods (the processing register states them; the purge and the cookies enforce them)
CONTACT_RETENTION_MONTHS = 12
NEWSLETTER_PENDING_DAYS = 30
NEWSLETTER_PROOF_RETENTION_MONTHS = 36
CONSENT_COOKIE_MONTHS = 13
CONSENT_PROOF_RETENTION_MONTHS = 60
STATISTICS_RETENTION_MONTHS = 25
AUDIT_RETENTION_MONTHS = 12
RIGHTS_RETENTION_MONTHS = 36
MAIL_RETENTION_DAYS = 30  # an email that could not be delivered, kept for diagnosis

# Backups are age files, encrypted to BACKUP_AGE_RECIPIENTS (the company's age public keys,
# "age1…"; the identities that open them stay off the host) or, without recipients, with the
# BACKUP_KEY passphrase (32 characters or more). Recipients win when both are set; BACKUP_KEY still
# opens the backups made with it. Without either, backups are off.
BACKUP_AGE_RECIPIENTS = []
BACKUP_KEY = None
BACKUP_DIR = None  # default: <instance>/backups; keep a copy off the host (docs/operations.md)
BACKUP_RETENTION_DAYS = 35
BACKUP_HOUR = 2  # the worker's daily backup, Paris time

# Page views wait in memory and are written this often, per process (0: at each request)
STATS_FLUSH_SECONDS = 5

# The same error logged again within this many seconds is counted, not written (koki_site/core/logs.py)
LOG_REPEAT_SECONDS = 60

# `flask worker`: how often it looks for mail to deliver, and the hour of its daily jobs (Paris time)
WORKER_POLL_SECONDS = 1.0
PURGE_HOUR = 3

# The company, as the legal notice and the policy name it. Names come from the policy text;
# the addresses and registration are the operator's to set (docs/configuration.md, "Before going
# live"). A value left empty is left out of the pages.
COMPANY_NAME = "KOKI SOFTWARE"
COMPANY_LEGAL_FORM = ""
COMPANY_ADDRESS = ""
COMPANY_REGISTRATION = ""
COMPANY_EMAIL = "contact@koki-software.fr"
COMPANY_PHONE = ""
PUBLICATION_DIRECTOR = ""
DPO_NAME = "Rémi LEBRE"
DPO_EMAIL = "dpo@koki-software.fr"
DPO_ADDRESS = ""
# The contact page's sentence on when we answer, per language ({"fr": "…", "en": "…"}) or one
# text for all; empty: no such sentence (the site never states a delay the company has not set).
CONTACT_RESPONSE_TIME = ""
# The demonstration request's page (/contact?topic=demo), per language or one text, like the above:
# how long a demonstration takes, and when we offer a time. Empty: not said.
DEMO_LENGTH = ""
DEMO_RESPONSE_TIME = ""
# The newsletter page's two or three lines on what subscribers get, per language or one text;
# empty: a neutral text that promises no frequency.
NEWSLETTER_PITCH = ""
HOST_NAME = "XEFI"
HOST_ADDRESS = ""
HOST_WEBSITE = "https://www.xefi.com"
# What only the company can show on the home page (customer logos, quotes, figures): a TOML file,
# default <instance>/showcase.toml (see instance/showcase.example.toml). No file: nothing shown.
SHOWCASE_CONTENT_FILE = None

# Rendered public pages are kept in memory (koki_site/pages/cache.py); off in debug.
PAGE_CACHE = True

# Mail. Without MAIL_SERVER, mail is written as .eml files under instance/mail/.
MAIL_SERVER = None
MAIL_PORT = 25
MAIL_USE_TLS = False
MAIL_USE_SSL = False
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_TIMEOUT = 10  # seconds, for each exchange with the SMTP server
MAIL_DEFAULT_SENDER = "KOKI SOFTWARE <no-reply@koki-software.fr>"
MAIL_MAX_ATTEMPTS = 8  # then the mail stays in the outbox, marked failed, with its error
# "worker": pages only queue their mail, `flask worker` (and `flask mail send`) deliver it;
# "inline": before the response, so that tests read the mailbox at once (tests only).
MAIL_DELIVERY = "worker"
SUPPORT_EMAIL = "support@koki-software.fr"  # told of each new contact message
# Replies to visitors carry Reply-To: support+<reference>.<signature>@… built from this address;
# the mail server pipes what comes back to `flask mail receive` (koki_site/mail/inbound.py).
REPLY_ADDRESS = "support@koki-software.fr"
MAIL_RECEIVE_MAX_BYTES = 10 * 1024 * 1024  # a larger mail is refused (exit 65): attachments count
MAIL_RECEIVE_MAX_CHARS = 20000  # of text kept from one mail; the rest is cut, and marked so

# Rate limits (Flask-Limiter); RATELIMIT_ENABLED=false turns them off.
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_HEADERS_ENABLED = False
# Redis unreachable: count in memory meanwhile (logged once), never refuse a form for it.
RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
# Meanwhile each process counts apart, so each allows its share of every limit: the limit divided by
# this, rounded down, at least 1 (koki_site/core/rate_limits.py). The gunicorn workers of every host that
# shares the Redis; unset: WEB_CONCURRENCY, else deploy/gunicorn.conf.py's two per core plus one.
RATE_LIMIT_WORKERS = None
RATELIMIT_SWALLOW_ERRORS = True
CONTACT_RATE_LIMIT = "5 per minute;20 per hour"
CONSENT_RATE_LIMIT = "30 per minute"
LOGIN_RATE_LIMIT = "10 per minute;50 per hour"

# Staff accounts
STAFF_MIN_PASSWORD_LENGTH = 12
# Failed logins count per account and client address: this many within STAFF_LOCKOUT_MINUTES lock
# that address out of that account (the person, from elsewhere, still logs in).
STAFF_MAX_FAILED_LOGINS = 5
STAFF_LOCKOUT_MINUTES = 15
# From all addresses together, in the last hour: past this, admins are told, and only a browser that
# logged in to the account before (its known-device cookie) may still try a password.
STAFF_ACCOUNT_MAX_FAILED_LOGINS = 20
STAFF_DEVICE_COOKIE_DAYS = 90  # the known-device cookie, renewed at each login
STAFF_LOGIN_FAILURE_RETENTION_DAYS = 1  # failed logins (the address as a keyed hash), then purged
STAFF_IDLE_MINUTES = 30
STAFF_MIN_PASSWORD_SCORE = 3  # zxcvbn: 3 "safely unguessable"
STAFF_2FA_ROLES = ["admin"]  # roles that must log in with a second factor (TOTP)
# An account that must set up a second factor does so through a link mailed (or printed by
# `flask staff create`) to its address, valid this long: the password alone reaches no setup page.
STAFF_ENROL_LINK_HOURS = 24
# Admins change the settings above (and the rate limits) at /staff/settings: read through a cache
# of this life, so every worker and host follows within seconds (koki_site/core/runtime_settings.py).
SETTINGS_CACHE_SECONDS = 5
ARGON2_TIME_COST = 3
ARGON2_MEMORY_COST = 65536  # KiB
NEWSLETTER_RATE_LIMIT = "5 per minute;20 per hour"
RIGHTS_RATE_LIMIT = "5 per minute;20 per hour"
RIGHTS_UNVERIFIED_DAYS = 1  # a request whose address was never verified (its link lasts 24 hours)

# Mail to one address, whichever client asks (counted in the database): the forms must not be a
# way to fill somebody else's mailbox.
NEWSLETTER_MAIL_INTERVAL_MINUTES = 10  # a pending subscription's confirmation mail, at most so often
RIGHTS_MAIL_INTERVAL_MINUTES = 10  # a verification mail per right, at most so often
RIGHTS_MAILS_PER_ADDRESS_PER_HOUR = 4  # verification mails, all rights together
