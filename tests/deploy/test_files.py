"""deploy/'s files agree with each other and with the app, where the running tests cannot see it
(they give gunicorn and nginx their own ports and paths)."""

import configparser
import multiprocessing
import re
import runpy
import shlex

from koki_site import config
from koki_site.core.security import HSTS
from koki_site.core.static_files import ROOT_FILES
from tests.helpers.deploy import GUNICORN_CONF, ROOT, SITE_CONF

SYSTEMD = ROOT / "deploy" / "systemd"


def unit(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read_string((SYSTEMD / name).read_text().replace("\\\n", " "))
    return parser


def command(section):
    return shlex.split(section["ExecStart"])


def environment(name):
    """{variable: value} of a unit's Environment= lines (the parser keeps only the last)."""
    lines = re.findall(r"^Environment=(.*)$", (SYSTEMD / name).read_text(), re.M)
    return dict(assignment.split("=", 1) for line in lines for assignment in shlex.split(line))


def nginx_directives(name):
    """The values of a one-line directive (`server` finds the upstream, not the server blocks)."""
    return re.findall(rf"^[ \t]*{name}[ \t]+([^;{{\n]+);", SITE_CONF.read_text(), re.M)


def test_nginx_sends_to_gunicorn_what_the_app_expects(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    gunicorn = runpy.run_path(str(GUNICORN_CONF))
    assert nginx_directives("server") == [gunicorn["bind"]]  # the upstream
    # The app's limit; none where nginx's own error pages are (an HTTP/2 413 is sent there).
    size = nginx_directives("client_max_body_size")
    assert size == [f"{config.MAX_CONTENT_LENGTH // 1024}k", "0"]
    assert f'add_header Strict-Transport-Security "{HSTS}" always;' in SITE_CONF.read_text()
    assert gunicorn["workers"] == multiprocessing.cpu_count() * 2 + 1
    assert gunicorn["secure_scheme_headers"] == {}  # the scheme comes from ProxyFix alone


def test_the_units_run_the_site_and_the_worker_from_the_same_place():
    site, worker = unit("koki-site.service")["Service"], unit("koki-worker.service")["Service"]
    home = site["WorkingDirectory"]
    assert worker["WorkingDirectory"] == home and (site["User"], worker["User"]) == ("koki", "koki")
    assert command(site) == [f"{home}/.venv/bin/gunicorn", "-c", "deploy/gunicorn.conf.py", "app:app"]
    assert command(worker) == [f"{home}/.venv/bin/flask", "--app", "app", "worker"]
    assert environment("koki-site.service")["FLASK_MAIL_DELIVERY"] == "worker"  # pages leave mail to it
    assert f"alias {home}/instance/static-build/;" in SITE_CONF.read_text()  # the app's build
    # systemd waits for gunicorn's graceful stop before it kills.
    graceful = runpy.run_path(str(GUNICORN_CONF))["graceful_timeout"]
    assert int(site["TimeoutStopSec"]) > graceful
    # Both may write instance/ (the backups), and nothing else.
    assert site["ReadWritePaths"] == worker["ReadWritePaths"] == f"{home}/instance"


def test_the_copy_off_the_host_mirrors_the_default_backup_dir():
    copy = unit("koki-backup-copy.service")["Service"]
    home = unit("koki-site.service")["Service"]["WorkingDirectory"]
    arguments = command(copy)
    assert config.BACKUP_DIR is None  # so the worker writes to instance/backups/
    assert arguments[-2] == f"{home}/instance/backups/"
    assert "--delete" in arguments  # the copies follow BACKUP_RETENTION_DAYS
    assert unit("koki-backup-copy.timer")["Timer"]["OnCalendar"] == "hourly"


def test_gunicorn_s_workers_count_their_responses_in_a_folder_of_their_own(tmp_path, monkeypatch):
    # /metrics adds up the counts each worker writes there (prometheus_client's multi-process mode).
    site = unit("koki-site.service")["Service"]
    folder = environment("koki-site.service")["PROMETHEUS_MULTIPROC_DIR"]
    assert folder == f"/run/{site['RuntimeDirectory']}"  # systemd makes it, writable, at each start
    assert "PROMETHEUS_MULTIPROC_DIR" not in environment("koki-worker.service")  # it answers no request
    # gunicorn empties it as it starts: a previous run's counts are not this one's.
    left = tmp_path / "counts"
    left.mkdir()
    (left / "counter_1234.db").write_bytes(b"old")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(left))
    runpy.run_path(str(GUNICORN_CONF))["on_starting"](None)
    assert list(left.iterdir()) == []
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "new"))
    runpy.run_path(str(GUNICORN_CONF))["on_starting"](None)
    assert (tmp_path / "new").is_dir()


def test_nginx_never_serves_metrics():
    # An exact location wins over `location /`, wherever it stands (test_tls.py asks nginx).
    text = SITE_CONF.read_text()
    location = re.search(r"location = /metrics \{([^}]*)\}", text)
    assert location and "return 404;" in location.group(1)
    assert text.index("listen 443") < location.start()  # in the HTTPS server, the one that proxies


def test_nginx_answers_the_root_files_from_static_as_the_app_does():
    # The file of /static/ with that location's headers (test_tls.py asks nginx for it).
    locations = dict(
        re.findall(r"location = (\S+) \{\s*rewrite \^ /static/(\S+) last;\s*\}", SITE_CONF.read_text())
    )
    assert locations == ROOT_FILES
    assert all((ROOT / "static" / name).is_file() for name in ROOT_FILES.values())
