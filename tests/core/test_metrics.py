"""GET /metrics: what supervision reads, in Prometheus' text format, for the allowed networks only."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from koki_site import create_app, mail
from koki_site.core import jobs
from koki_site.core.models import JobRun
from koki_site.extensions import db
from koki_site.rights import deadlines
from koki_site.rights.models import RightsRequest
from koki_site.statistics.models import PageViews
from tests.conftest import settings
from tests.helpers import soup
from tests.helpers.consent import decide
from tests.helpers.deploy import ROOT

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def figures(response):
    """{(sample name, labels as sorted pairs): value} of a scrape."""
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def queue_mail(app, written_ago=timedelta(0), given_up=False):
    with app.test_request_context():
        queued = mail.queue("reader@example.org", "Bonjour", "Bonjour")
        queued.created_at -= written_ago
        if given_up:
            queued.next_attempt_at = None
        db.session.commit()


def add_request(app, deadline, status="open"):
    now = datetime.now(UTC)
    with app.app_context():
        db.session.add(
            RightsRequest(
                email="ada@example.org",
                right="access",
                language="en",
                status=status,
                received_at=now,
                verified_at=now,
                deadline=deadline,
            )
        )
        db.session.commit()


@pytest.mark.db
def test_from_loopback_the_figures_of_the_outbox_the_rights_the_jobs_and_the_worker(app, client):
    queue_mail(app, written_ago=timedelta(minutes=20))
    queue_mail(app)
    queue_mail(app, given_up=True)
    with app.app_context():
        today = deadlines.today()
    add_request(app, today - timedelta(days=2))  # overdue
    add_request(app, today)  # due today: this week, not overdue
    add_request(app, today + timedelta(days=7))  # the week's last day
    add_request(app, today + timedelta(days=8))  # later
    add_request(app, today - timedelta(days=9), status="done")  # answered: due no longer
    purged_at, beat_at = datetime(2026, 12, 8, 2, 0, 5, tzinfo=UTC), datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
    with app.app_context():
        db.session.add(JobRun(name="purge", status="ok", succeeded_at=purged_at))
        db.session.commit()
        jobs.beat(beat_at)

    for path in ("/fr/", "/en/legal", "/en/no-such-page"):
        client.get(path)
    read = figures(client.get("/metrics"))

    assert read["koki_http_responses_total", (("status", "200"),)] == 2
    assert read["koki_http_responses_total", (("status", "404"),)] == 1
    assert read["koki_database_up", ()] == 1
    assert read["koki_outbox_mails", ()] == 2  # waiting: the given-up one is not
    assert 20 * 60 <= read["koki_outbox_oldest_mail_age_seconds", ()] < 21 * 60
    assert read["koki_outbox_failed_mails", ()] == 1
    assert read["koki_rights_requests_overdue", ()] == 1
    assert read["koki_rights_requests_due_this_week", ()] == 2
    assert read["koki_job_last_success_timestamp_seconds", (("job", "purge"),)] == purged_at.timestamp()
    assert read["koki_job_last_success_timestamp_seconds", (("job", "backup"),)] == 0  # never: alerts fire
    assert read["koki_worker_heartbeat_timestamp_seconds", ()] == beat_at.timestamp()


@pytest.mark.db
def test_each_scrape_reads_the_database_again_and_nothing_keeps_it(app, client):
    first = client.get("/metrics")
    queue_mail(app)
    second = client.get("/metrics")
    assert figures(first)["koki_outbox_mails", ()] == 0 and figures(second)["koki_outbox_mails", ()] == 1
    assert first.headers["Cache-Control"] == "no-store"
    assert first.headers["X-Content-Type-Options"] == "nosniff"  # the site's headers, as everywhere
    assert figures(second)["koki_http_responses_total", (("status", "200"),)] == 1  # the first scrape


def test_from_an_address_outside_the_allowed_networks_the_site_s_404_page(client):
    response = client.get("/metrics", environ_base=OUTSIDE, headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert soup(response).h1.get_text(strip=True) == "Page not found"
    assert "koki_" not in response.get_data(as_text=True)


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_loopback_is_allowed_by_default(client, address):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": address}).status_code == 200


@pytest.mark.parametrize("app_settings", [{"METRICS_ALLOWED_NETWORKS": ["203.0.113.0/24"]}])
def test_the_allowed_networks_are_those_configured(client):
    assert client.get("/metrics", environ_base=OUTSIDE).status_code == 200
    assert client.get("/metrics").status_code == 404  # loopback was not named


@pytest.mark.parametrize("app_settings", [{"PROXY_FIX_X_FOR": 1}])
def test_behind_nginx_the_client_is_the_one_nginx_saw(client):
    # nginx connects from loopback and names the visitor in X-Forwarded-For.
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404
    assert client.get("/metrics").status_code == 200  # a scraper on the host, straight to gunicorn


@pytest.mark.parametrize("app_settings", [{"TRUSTED_HOSTS": ["www.koki.test"]}])
def test_a_scraper_naming_the_address_it_connects_to_is_answered(client):
    # Prometheus sends Host: 127.0.0.1:8000, which TRUSTED_HOSTS would refuse; pages still refuse it.
    assert client.get("/metrics", base_url="http://127.0.0.1:8000").status_code == 200
    assert client.get("/en/", base_url="http://127.0.0.1:8000").status_code == 400


@pytest.mark.db
def test_no_cookie_no_statistics_no_sitemap_entry(app, client):
    decide(client, "accept_all")  # this browser consents to statistics: its page views count
    client.get("/en/legal")
    response = client.get("/metrics")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    with app.app_context():
        assert [(row.page, row.views) for row in db.session.scalars(select(PageViews))] == [("/legal", 1)]
    assert "/metrics" not in client.get("/sitemap.xml").get_data(as_text=True)


def test_with_the_database_away_the_counts_still_and_database_up_0(tmp_path):
    app = create_app(settings(f"sqlite:///{tmp_path}/missing/dir/koki.db"), instance_path=tmp_path)
    client = app.test_client()
    client.get("/robots.txt")
    read = figures(client.get("/metrics"))
    assert read["koki_database_up", ()] == 0
    assert read["koki_http_responses_total", (("status", "200"),)] == 1
    assert not [name for name, _ in read if name.startswith("koki_outbox")]


def test_a_mistyped_network_stops_the_app_with_the_key_s_name(tmp_path):
    with pytest.raises(RuntimeError, match="METRICS_ALLOWED_NETWORKS"):
        create_app(settings("sqlite://", METRICS_ALLOWED_NETWORKS=["127.0.0.0/33"]), instance_path=tmp_path)


# Two processes of the site, as two gunicorn workers: each counts its responses in a file of
# PROMETHEUS_MULTIPROC_DIR, and a scrape answered by either adds them up.
PROCESS = """
import json, sys
from koki_site import create_app
config, instance, requests, scrape = json.loads(sys.argv[1])
client = create_app(config, instance_path=instance).test_client()
for _ in range(requests):
    client.get("/robots.txt")
if scrape:
    print(client.get("/metrics").get_data(as_text=True))
"""


def run_process(database_url, tmp_path, requests, scrape, multiprocess_dir):
    arguments = [settings(database_url), str(tmp_path / "instance"), requests, scrape]
    environment = {name: value for name, value in os.environ.items() if not name.startswith("FLASK_")}
    environment["PROMETHEUS_MULTIPROC_DIR"] = str(multiprocess_dir)
    done = subprocess.run(
        [sys.executable, "-c", PROCESS, json.dumps(arguments)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def responses_200(text):
    families = text_string_to_metric_families(text)
    return sum(
        sample.value
        for family in families
        for sample in family.samples
        if sample.name == "koki_http_responses_total" and sample.labels == {"status": "200"}
    )


@pytest.mark.db
def test_the_counts_of_several_processes_are_added_up_in_multiprocess_mode(database_url, tmp_path):
    counts = tmp_path / "prometheus"
    counts.mkdir()
    run_process(database_url, tmp_path, 2, False, counts)
    # The second answered 3 of the 5.
    assert responses_200(run_process(database_url, tmp_path, 3, True, counts)) == 5
