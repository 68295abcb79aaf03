"""gunicorn's configuration for the site: `gunicorn -c deploy/gunicorn.conf.py app:app`.

Run by deploy/systemd/koki-site.service behind the nginx site of deploy/nginx/, and by the tests
(tests/deploy/test_tls.py, tests/core/test_several_hosts.py) exactly so. Command-line options win over
this file (the tests give `-b` a free port); WEB_CONCURRENCY, gunicorn's own variable, sets the
number of workers.
"""

import glob
import multiprocessing
import os
import runpy
from pathlib import Path

from gunicorn import glogging

# The file each worker writes once its app is loaded, which deploy/reload.py waits for: its own
# definition, read from beside this file (gunicorn reads this file as a script, with no package).
ready_file = runpy.run_path(str(Path(__file__).with_name("reload.py")))["ready_file"]

# nginx, on the same host, is the only client.
bind = "127.0.0.1:8000"

# Sync workers: a page is a few milliseconds of CPU and never waits on SMTP (the worker sends the
# mail), and nginx buffers requests and answers, so a slow client never holds a worker.
# gunicorn's rule of thumb: two per core, plus one.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)

# A worker silent this long is killed and replaced: far above any page (PostgreSQL cancels a
# statement after DATABASE_STATEMENT_TIMEOUT_MS, 5 s). On a stop or a reload, the requests in
# progress get graceful_timeout to finish (the unit's TimeoutStopSec is a little longer).
timeout = 30
graceful_timeout = 20

# The scheme and the client address come from ProxyFix (PROXY_FIX_X_PROTO, PROXY_FIX_X_FOR), the
# one place that counts proxies: gunicorn itself reads no X-Forwarded-Proto.
secure_scheme_headers = {}

# stdout and stderr: the systemd journal keeps them.
accesslog = "-"
errorlog = "-"
# Method, path (its tokens masked, below), status, bytes and time. No query string (a `?q=` may
# be a searched address), client address, referrer (the previous page's query string) or user
# agent: the site's logs hold nothing personal. The client address counts in the rate limits.
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

# The links the site mails carry a signed token in their path (/fr/rights/verify/<token>,
# /en/newsletter/unsubscribe/<token>): whoever reads it may act as the visitor. The site's own
# path segments are shorter than this (the longest, a sector's name, has 18 characters).
TOKEN_LENGTH = 20
MASK = "<token>"


def masked(target):
    """A request's path or URI without its query string, each segment of TOKEN_LENGTH or more masked."""
    path = target.partition("?")[0]
    return "/".join(MASK if len(segment) >= TOKEN_LENGTH else segment for segment in path.split("/"))


class Logger(glogging.Logger):
    """gunicorn's logger, writing a request's path and request line with masked()."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        uri = masked(environ.get("RAW_URI") or "")
        atoms.update(r=f"{atoms['m']} {uri} {atoms['H']}", U=masked(atoms["U"] or ""), q="")
        return atoms

    def exception(self, msg, *args, **kwargs):
        # A request that fails outside the app is logged with its method and raw URI.
        args = [masked(arg) if isinstance(arg, str) else arg for arg in args]
        super().exception(msg, *args, **kwargs)


logger_class = Logger

# No control socket: its default place, ~/.gunicorn/, is not the service's to write, and two
# instances on one host would fight over it.
control_socket_disable = True

proc_name = "koki-site"


def on_starting(server):
    """GET /metrics counts from this start: the counts the workers of a previous run left in
    PROMETHEUS_MULTIPROC_DIR (koki-site.service) are dropped. A reload keeps them: the new workers
    add to them, as a counter must."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for path in glob.glob(os.path.join(folder, "*.db")):
            os.remove(path)


def post_worker_init(worker):
    """Each worker, its app loaded: the pages nginx shows while no worker answers (core.outage_pages),
    then the file that tells deploy/reload.py this worker is ready to answer.

    Written at every start and reload, so they follow the templates and catalogues of the code
    that runs. A failure costs nginx's own pages, never the worker.
    """
    from gunicorn.util import import_app

    from koki_site.core import outage_pages

    try:
        outage_pages.write(import_app(worker.app.app_uri))
    except OSError:
        worker.log.exception("the outage pages were not written")
    ready_file(worker.pid).touch()


def worker_exit(server, worker):
    ready_file(worker.pid).unlink(missing_ok=True)
