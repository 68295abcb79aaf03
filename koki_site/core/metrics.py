"""What supervision reads: GET /metrics, in Prometheus' text format, for METRICS_ALLOWED_NETWORKS only.

Anyone else gets the site's 404 page, as if there were nothing there (and nginx answers 404
itself: deploy/nginx/koki-site.conf). Two kinds of figures:

- the responses by status code, counted by each process as it answers. Under gunicorn, with
  PROMETHEUS_MULTIPROC_DIR set (deploy/systemd/koki-site.service), each worker writes its counts
  to a file there (prometheus_client's multi-process mode) and a scrape adds up every worker's,
  whichever worker answers it;
- figures read from the database at each scrape, so the same whichever worker answers: the last
  success of each daily job, the worker's heartbeat (given here), and those the capabilities give
  with `capabilities.provide(app, figures=[Figure(...)])`: the outbox (mail), the rights requests
  due (rights). With the database away, `koki_database_up` says 0 and those figures are left out.
"""

import ipaddress
import os
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import abort, current_app, request
from prometheus_client import CollectorRegistry, Counter, disable_created_metrics, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from koki_site.core import capabilities, jobs
from koki_site.core.models import JobRun
from koki_site.extensions import db

PATH = "/metrics"
EXTENSION = "koki_metrics"
disable_created_metrics()  # no koki_http_responses_created beside each count: the process's start, noise


@dataclass(frozen=True)
class Figure:
    """One gauge, read at each scrape."""

    name: str  # Prometheus' name, its unit last: koki_outbox_oldest_mail_age_seconds
    documentation: str
    read: object  # read() -> a number; or, with a label, {label value: number}
    label: str | None = None


def timestamp(moment: datetime | None) -> float:
    """A moment as Unix time; 0 for one that never came, so that "older than" alerts fire."""
    return moment.timestamp() if moment else 0.0


def init_app(app):
    networks(app.config["METRICS_ALLOWED_NETWORKS"])  # a mistyped network stops the app, clearly
    # Not in any registry: each scrape gathers what it shows (below).
    app.extensions[EXTENSION] = Counter(
        "koki_http_responses", "Responses the site gave, by status code.", ["status"], registry=None
    )
    app.after_request(count)  # registered first, so run last: the status as sent
    app.add_url_rule(PATH, "metrics", metrics)
    app.wsgi_app = answered_as_the_site(app.wsgi_app, urlsplit(app.config["SITE_URL"]).netloc)
    capabilities.provide(
        app,
        figures=[
            Figure(
                "koki_job_last_success_timestamp_seconds",
                "When each daily job (purge, backup) last succeeded, as Unix time; 0: never.",
                last_successes,
                label="job",
            ),
            Figure(
                "koki_worker_heartbeat_timestamp_seconds",
                f"When a worker last went round its loop (written every {jobs.BEAT_EVERY.seconds} s at "
                "most), as Unix time; 0: never.",
                lambda: timestamp(jobs.last_beat()),
            ),
        ],
    )


def count(response):
    current_app.extensions[EXTENSION].labels(status=str(response.status_code)).inc()
    return response


def answered_as_the_site(wsgi_app, site_host):
    """A scraper names the address it connects to (127.0.0.1:8000) as its Host, which TRUSTED_HOSTS
    refuses with a 400 before any view runs: /metrics is answered as SITE_URL's host, whatever the
    request names (nothing in it is built from the host)."""

    def app(environ, start_response):
        if environ.get("PATH_INFO") == PATH:
            environ["HTTP_HOST"] = site_host
        return wsgi_app(environ, start_response)

    return app


def networks(value):
    """METRICS_ALLOWED_NETWORKS as networks: a list of CIDRs (one string is taken as a list of one)."""
    if isinstance(value, str):
        value = [value]
    try:
        return [ipaddress.ip_network(cidr) for cidr in value]
    except (TypeError, ValueError) as error:
        raise RuntimeError(
            f"METRICS_ALLOWED_NETWORKS must be a list of networks such as ['127.0.0.0/8', '::1/128']: {error}"
        ) from None


def allowed(address):
    """Whether the client (ProxyFix's address, behind a proxy) is in METRICS_ALLOWED_NETWORKS."""
    try:
        client = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    client = getattr(client, "ipv4_mapped", None) or client  # ::ffff:127.0.0.1 is 127.0.0.1
    return any(client in network for network in networks(current_app.config["METRICS_ALLOWED_NETWORKS"]))


def metrics():
    """The figures, in Prometheus' text format; the 404 page to a client outside the allowed networks."""
    if not allowed(request.remote_addr):
        abort(404)
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # every gunicorn worker's counts, this one's included
    else:
        registry.register(current_app.extensions[EXTENSION])
    registry.register(Figures(capabilities.provided().figures))
    response = current_app.response_class(generate_latest(registry))
    response.headers["Content-Type"] = CONTENT_TYPE_PLAIN_0_0_4  # what Prometheus 2 and 3 both read
    response.headers["Cache-Control"] = "no-store"  # no cache in between keeps an old figure
    return response


class Figures:
    """A collector of the figures given: read from the database each time it is collected."""

    def __init__(self, figures):
        self.figures = figures

    def collect(self):
        try:
            values = [(figure, figure.read()) for figure in self.figures]
        except SQLAlchemyError:
            db.session.rollback()
            current_app.logger.exception("metrics: the database did not answer")
            values = None
        yield GaugeMetricFamily(
            "koki_database_up",
            "1 when the figures below were read from the database; 0 when it did not answer.",
            value=0 if values is None else 1,
        )
        for figure, value in values or ():
            family = GaugeMetricFamily(
                figure.name, figure.documentation, labels=[figure.label] if figure.label else None
            )
            if figure.label:
                for label_value, number in value.items():
                    family.add_metric([label_value], number)
            else:
                family.add_metric([], value)
            yield family


def last_successes():
    runs = {run.name: run for run in db.session.scalars(select(JobRun))}
    return {
        job.name: timestamp(runs[job.name].succeeded_at if job.name in runs else None)
        for job in jobs.all_jobs()
    }
