"""What is not ready to go live: `flask --app app check --deploy`, and the admins' staff home.

Django's `check --deploy`, for this site. Each check is a plain function returning findings: the
configuration key (or the thing) to look at, and what to do, in the reader's language
(core/go_live_words.py holds the words). Nothing here changes anything. The one probe over the
network, whether the SMTP server answers, is for the command only: the page never waits on it.
"""

import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.sansio.utils import host_is_trusted

from koki_site.core import formats, jobs, metrics, rate_limits, schema, secret_keys
from koki_site.core import go_live_words as words
from koki_site.extensions import db

BACKUP_WITHIN = timedelta(hours=26)  # a daily backup, and two hours for it to run late
BEAT_WITHIN = timedelta(minutes=1)  # a worker beats every 30 s (jobs.BEAT_EVERY)
SECURITY_TXT_NOTICE = timedelta(days=30)  # time to renew security.txt's expiry before it passes
PROBE_TIMEOUT = 5  # seconds, for each exchange with the SMTP server
UPGRADE = "flask --app app db upgrade"
POSTGRESQL = "postgresql+psycopg:///koki"  # what docs/operations.md sets up
REDIS = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True)
class Finding:
    key: str  # the configuration key to set, or what to look at (schema, backups, worker)
    message: str  # what is wrong and what to do, in the reader's language


def say(key, text, **values):
    """A finding, its text read now in the reader's language."""
    return Finding(key, str(text) % values if values else str(text))


def findings(probe_mail=True):
    """Everything not ready to go live; probe_mail: also connect to the SMTP server (the command)."""
    config = current_app.config
    found = [finding for check in CONFIG_CHECKS for finding in check(config)]
    if probe_mail:
        found += mail_answers(config)
    return found + database_findings(datetime.now(UTC), deploy=True)


def local_findings():
    """What matters on any install, a developer's too: the schema, and a configured SMTP server."""
    return mail_answers(current_app.config) + database_findings(datetime.now(UTC), deploy=False)


def debug(config):
    return [say("DEBUG", words.DEBUG_ON)] if current_app.debug else []


def strong_keys(config):
    """SECRET_KEY and BACKUP_KEY by the rule the start applies (debug and tests skip it there)."""
    found = []
    key = config.get("SECRET_KEY") or ""
    if not key or secret_keys.weakness(key) is not None:
        found.append(weak_key("SECRET_KEY", key))
    backup_key = config.get("BACKUP_KEY")
    if backup_key and secret_keys.weakness(backup_key) is not None:  # it opens the backups made with it
        found.append(weak_key("BACKUP_KEY", backup_key))
    elif not backup_key and not config.get("BACKUP_AGE_RECIPIENTS"):
        found.append(say("BACKUP_KEY", words.BACKUPS_OFF, command=secret_keys.HOW_TO_DRAW))
    return found


def weak_key(name, key):
    why = secret_keys.weakness(key) if key else words.KEY_NOT_SET
    return say(name, words.WEAK_KEY, why=why, command=secret_keys.HOW_TO_DRAW)


def https_and_hosts(config):
    found = []
    site = urlsplit(config["SITE_URL"])
    if site.scheme != "https":
        found.append(say("SITE_URL", words.NOT_HTTPS, value=config["SITE_URL"]))
    trusted = config.get("TRUSTED_HOSTS")
    if not trusted:
        found.append(say("TRUSTED_HOSTS", words.NO_TRUSTED_HOSTS))
    elif isinstance(trusted, str):
        found.append(say("TRUSTED_HOSTS", words.TRUSTED_HOSTS_TEXT, value=trusted))
    elif site.netloc and not host_is_trusted(site.netloc, trusted):
        found.append(say("TRUSTED_HOSTS", words.SITE_HOST_NOT_TRUSTED, host=site.hostname))
    if not config.get("SESSION_COOKIE_SECURE"):
        found.append(say("SESSION_COOKIE_SECURE", words.COOKIES_NOT_SECURE))
    if site.scheme == "https":  # behind nginx, which ends TLS: one proxy to trust, for each
        for key, unset in (
            ("PROXY_FIX_X_FOR", words.NO_PROXY_FOR),
            ("PROXY_FIX_X_PROTO", words.NO_PROXY_PROTO),
        ):
            value = config.get(key)
            if not value:
                found.append(say(key, unset))
            elif value != 1:
                found.append(say(key, words.TOO_MANY_PROXIES, value=value))
    return found


def mail_settings(config):
    found = []
    if config.get("MAIL_DELIVERY") != "worker":
        found.append(say("MAIL_DELIVERY", words.MAIL_INLINE, value=config.get("MAIL_DELIVERY")))
    if not config.get("MAIL_SERVER"):
        found.append(say("MAIL_SERVER", words.NO_MAIL_SERVER))
    return found


def mail_answers(config):
    """The SMTP server greets, takes EHLO, STARTTLS and the login when configured, and NOOP; no mail."""
    if not config.get("MAIL_SERVER"):
        return []
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    try:
        with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=PROBE_TIMEOUT) as smtp:
            smtp.ehlo_or_helo_if_needed()
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
                smtp.ehlo()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            code, answer = smtp.noop()
            if code != 250:
                raise smtplib.SMTPResponseException(code, answer)
    except (OSError, smtplib.SMTPException) as error:
        server = f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}"
        return [
            say(
                "MAIL_SERVER",
                words.MAIL_SERVER_SILENT,
                server=server,
                error=f"{type(error).__name__}: {error}",
            )
        ]
    return []


def legal_notice(config):
    """The legal notice's mentions that only the company knows: an empty one is left off the pages."""
    return [
        say(key, text) for key, text in words.LEGAL_NOTICE.items() if not str(config.get(key) or "").strip()
    ]


def security_contact(config):
    """Where to report a vulnerability (/.well-known/security.txt), and a date that is not past."""
    if not config.get("SECURITY_CONTACT"):
        return [say("SECURITY_CONTACT", words.NO_SECURITY_CONTACT)]
    expires = config["SECURITY_TXT_EXPIRES"]  # its form was checked as the app started
    expires = expires if isinstance(expires, datetime) else datetime.fromisoformat(expires)
    if expires - datetime.now(UTC) < SECURITY_TXT_NOTICE:
        return [say("SECURITY_TXT_EXPIRES", words.SECURITY_TXT_EXPIRING, date=expires.date().isoformat())]
    return []


def workers(config):
    """What one process cannot share with gunicorn's others (its count: deploy/gunicorn.conf.py's rule)."""
    count = rate_limits.workers(current_app)
    if count < 2:
        return []
    found = []
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        found.append(say("SQLALCHEMY_DATABASE_URI", words.SQLITE_WORKERS, count=count, example=POSTGRESQL))
    storage = str(config.get("RATELIMIT_STORAGE_URI", ""))
    if config.get("RATELIMIT_ENABLED", True) and storage.startswith("memory"):
        found.append(
            say("RATELIMIT_STORAGE_URI", words.MEMORY_LIMITS, value=storage, count=count, example=REDIS)
        )
    return found


def rate_limits_on(config):
    return [] if config.get("RATELIMIT_ENABLED", True) else [say("RATELIMIT_ENABLED", words.LIMITS_OFF)]


CONFIG_CHECKS = (
    debug,
    strong_keys,
    https_and_hosts,
    mail_settings,
    legal_notice,
    security_contact,
    workers,
    rate_limits_on,
)


def database_findings(now, deploy):
    """The schema at the code's newest migration; then, to go live, a recent backup and a worker."""
    found = schema_findings()
    if found or not deploy:  # the jobs and the heartbeats are read from tables the migrations make
        return found
    return backup_findings(now) + worker_findings(now)


@cache
def code_heads():
    """The newest revisions of the migrations: the code's, the same for the life of the process."""
    return frozenset(schema.script_directory().get_heads())


def schema_findings():
    from alembic.runtime.migration import MigrationContext  # loaded here only: the CLI starts faster

    try:
        with db.engine.connect() as connection:
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        return [say("SQLALCHEMY_DATABASE_URI", words.DATABASE_SILENT, error=type(error).__name__)]
    heads = code_heads()
    if current == heads:
        return []
    if not current:
        return [say("schema", words.NO_SCHEMA, command=UPGRADE)]
    revision = ", ".join(sorted(current))
    if current - {script.revision for script in schema.script_directory().walk_revisions()}:
        return [say("schema", words.UNKNOWN_REVISION, revision=revision)]
    return [
        say("schema", words.OLD_SCHEMA, revision=revision, head=", ".join(sorted(heads)), command=UPGRADE)
    ]


def backup_findings(now):
    """A backup succeeded within BACKUP_WITHIN (the time supervision reads at GET /metrics)."""
    succeeded = metrics.last_successes().get("backup", 0.0)  # Unix time; 0: never
    last = datetime.fromtimestamp(succeeded, UTC) if succeeded else None
    if last is None:
        return [say("backups", words.NO_BACKUP_YET, hour=current_app.config["BACKUP_HOUR"])]
    if now - last > BACKUP_WITHIN:
        hours = BACKUP_WITHIN // timedelta(hours=1)
        return [say("backups", words.BACKUP_LATE, when=formats.moment(last), hours=hours)]
    return []


def worker_findings(now):
    """A worker went round its loop within BEAT_WITHIN (its heartbeat, as GET /metrics reads it)."""
    last = jobs.last_beat()
    if last is None:
        return [say("worker", words.NO_WORKER_YET)]
    if now - last > BEAT_WITHIN:
        return [say("worker", words.WORKER_SILENT, when=formats.moment(last))]
    return []
