"""What the go-live check says (core/go_live.py): what is wrong, then what to do, one text per case.

Lazy: each is read in the reader's language when the check formats it, English for the command,
the admin's language on the staff home.
"""

from flask_babel import lazy_gettext as _l

DEBUG_ON = _l(
    "On: a debug app shows its errors, and its cookies lose Secure. Start it without --debug and "
    "without FLASK_DEBUG."
)
KEY_NOT_SET = _l("it is not set")
WEAK_KEY = _l("Too easy to guess (%(why)s). Draw one with %(command)s and put it in instance/config.py.")
BACKUPS_OFF = _l(
    "Not set, nor BACKUP_AGE_RECIPIENTS: backups are off. Put the company's age public keys in "
    "BACKUP_AGE_RECIPIENTS (the identity stays off this host), or a passphrase drawn with %(command)s "
    "in BACKUP_KEY."
)

NOT_HTTPS = _l(
    "It is %(value)s, and every link of the mails and pages starts so. Set the site's public https:// "
    "address, e.g. https://www.koki-software.fr."
)
NO_TRUSTED_HOSTS = _l(
    "Not set: the site answers whatever host a request names. Set the names it answers to, e.g. "
    '["www.koki-software.fr"].'
)
TRUSTED_HOSTS_TEXT = _l('A text, not a list: write ["%(value)s"].')
SITE_HOST_NOT_TRUSTED = _l(
    "It does not name %(host)s, SITE_URL's host: every visitor would get a 400 page. Add it."
)
COOKIES_NOT_SECURE = _l(
    "Off: the session and consent cookies would also travel over plain HTTP. Turn it on (True, the "
    "default outside debug); off is for a local run on plain HTTP only."
)
NO_PROXY_FOR = _l(
    "0: every visitor has nginx's address, so the rate limits and the lockout count them all as one. "
    "Set it to 1 behind nginx."
)
NO_PROXY_PROTO = _l(
    "0: the app takes every request for plain HTTP. Set it to 1 behind nginx, which ends TLS."
)
TOO_MANY_PROXIES = _l(
    "%(value)s: nginx is the one proxy, and trusting more lets a visitor write their own "
    "X-Forwarded-* headers. Set it to 1 (behind a load balancer too, with nginx's realip module: "
    "docs/operations.md)."
)

MAIL_INLINE = _l(
    "It is %(value)s: pages would wait on the SMTP server. Set it to worker, the default: flask worker "
    "delivers the mail."
)
NO_MAIL_SERVER = _l(
    "Not set: mail is written to instance/mail/ as .eml files and reaches nobody. Set the company's "
    "SMTP server, with MAIL_PORT, MAIL_USE_TLS, MAIL_USERNAME and MAIL_PASSWORD."
)
MAIL_SERVER_SILENT = _l(
    "%(server)s does not answer (%(error)s). Check MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS or "
    "MAIL_USE_SSL, MAIL_USERNAME and MAIL_PASSWORD, and that this host may reach it."
)

# What French law (LCEN, art. 6) asks a company's legal notice to give, and the DPO's postal address.
LEGAL_NOTICE = {
    "COMPANY_LEGAL_FORM": _l(
        "Empty: the legal notice must give the company's legal form and share capital, e.g. "
        "“SAS au capital de 10 000 €”."
    ),
    "COMPANY_ADDRESS": _l("Empty: the legal notice must give the registered office's address."),
    "COMPANY_REGISTRATION": _l(
        "Empty: the legal notice must give the company's registration number, e.g. “RCS Lyon 123 456 789”."
    ),
    "COMPANY_PHONE": _l("Empty: the legal notice must give the company's telephone number."),
    "PUBLICATION_DIRECTOR": _l(
        "Empty: the legal notice must name the director of publication, usually the company's legal "
        "representative."
    ),
    "HOST_NAME": _l("Empty: the legal notice must name the site's host."),
    "HOST_ADDRESS": _l("Empty: the legal notice must give the host's address."),
    "DPO_ADDRESS": _l(
        "Empty: the privacy policy gives no postal address to write to the DPO. Set the address where "
        "the DPO receives mail."
    ),
}

NO_SECURITY_CONTACT = _l(
    "Empty: /.well-known/security.txt is not served, so whoever finds a vulnerability does not know "
    "where to write. Set a mailto: or https: address, and SECURITY_TXT_EXPIRES less than a year ahead."
)
SECURITY_TXT_EXPIRING = _l(
    "security.txt expires on %(date)s: after it, its contact should no longer be trusted. Set a date "
    "less than a year ahead."
)

SQLITE_WORKERS = _l(
    "SQLite, with %(count)d gunicorn workers (WEB_CONCURRENCY, else two per core plus one): SQLite "
    "lets one process write at a time. Use PostgreSQL, %(example)s (docs/operations.md)."
)
MEMORY_LIMITS = _l(
    "%(value)s, with %(count)d gunicorn workers: each counts apart, so a visitor gets %(count)d times "
    "each limit. Use Redis, %(example)s."
)
LIMITS_OFF = _l(
    "Off: nothing slows down bots on the forms and on the staff login. Remove it, or set it to True."
)

DATABASE_SILENT = _l(
    "The database does not answer (%(error)s). Check its address, its role, and that its server runs."
)
NO_SCHEMA = _l("The database has no schema yet. Run %(command)s.")
UNKNOWN_REVISION = _l(
    "The database is at revision %(revision)s, which this code does not know. Deploy the code that made it."
)
OLD_SCHEMA = _l("The database is at revision %(revision)s, the code at %(head)s. Run %(command)s.")
NO_BACKUP_YET = _l(
    "No backup has succeeded yet. The worker takes one each day at BACKUP_HOUR (%(hour)d h, Paris "
    "time) once BACKUP_AGE_RECIPIENTS or BACKUP_KEY is set: look again the next day."
)
BACKUP_LATE = _l(
    "The last backup succeeded on %(when)s, more than %(hours)d hours ago. See the scheduled jobs on the "
    "staff home and the worker's log (journalctl -u koki-worker)."
)
NO_WORKER_YET = _l(
    "No worker has ever run: nothing delivers the mail or runs the purge and the backups. Start it: "
    "systemctl enable --now koki-worker (flask --app app worker)."
)
WORKER_SILENT = _l(
    "No worker has gone round its loop since %(when)s. See systemctl status koki-worker and its log "
    "(journalctl -u koki-worker)."
)
