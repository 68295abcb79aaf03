"""gunicorn's configuration for the site: `gunicorn -c deploy/gunicorn.conf.py app:app`.

Run by deploy/systemd/koki-site.service behind the nginx site of deploy/nginx/, and by the tests
(tests/test_deploy_tls.py, tests/test_several_hosts.py) exactly so. Command-line options win over
this file (the tests give `-b` a free port); WEB_CONCURRENCY, gunicorn's own variable, sets the
number of workers.
"""

import multiprocessing
import os

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
# Method, path without its query string (a `?q=` may be a searched address), status, bytes and
# time. No client address, referrer (the previous page's query string) or user agent: the site's
# logs hold nothing personal. The client address counts in the rate limits, not here.
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

# No control socket: its default place, ~/.gunicorn/, is not the service's to write, and two
# instances on one host would fight over it.
control_socket_disable = True

proc_name = "koki-site"


def post_worker_init(worker):
    """Each worker, its app loaded: the pages nginx shows while no worker answers (koki_site.outage_pages).

    Written at every start and reload, so they follow the templates and catalogues of the code
    that runs. A failure costs nginx's own pages, never the worker.
    """
    from gunicorn.util import import_app

    from koki_site import outage_pages

    try:
        outage_pages.write(import_app(worker.app.app_uri))
    except OSError:
        worker.log.exception("the outage pages were not written")
