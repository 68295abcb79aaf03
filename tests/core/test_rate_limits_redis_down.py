"""Redis away: each worker counts its share of every limit in memory, and the log says so once."""

import logging
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest
import redis

from koki_site.core import rate_limits
from tests.conftest import free_port
from tests.helpers import soup
from tests.helpers.contact import send_contact
from tests.helpers.deploy import stop, wait_until

pytestmark = pytest.mark.db
CLOSED_PORT = free_port()  # nothing listens there: Redis is down
FELL_BACK = "each process counts in its own memory"
CAME_BACK = "storage answers again"


@pytest.fixture
def app_settings():
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{CLOSED_PORT}",
        "RATE_LIMIT_WORKERS": 2,
        "CONTACT_RATE_LIMIT": "4 per minute",
    }


def lines(caplog, words):
    return [r for r in caplog.records if words in r.getMessage()]


def test_with_redis_down_one_worker_lets_its_share_through_then_429(app, client, caplog):
    caplog.set_level(logging.INFO)
    assert send_contact(client, "fr").status_code == 303
    assert send_contact(client, "fr").status_code == 303
    [fell_back] = lines(caplog, FELL_BACK)  # two posts, one line
    assert fell_back.levelno == logging.WARNING and fell_back.name == app.logger.name
    assert "divided by 2 workers" in fell_back.getMessage()
    assert "127.0.0.1" not in fell_back.getMessage()  # neither the client nor the storage's address
    typed = "Mon texte, à ne pas perdre."
    response = send_contact(client, "fr", message=typed)
    assert response.status_code == 429  # 4 per minute between 2 workers: 2 each
    page = soup(response)
    assert "plusieurs messages en peu de temps" in page.find(id="error-summary").get_text()
    assert page.find("textarea", attrs={"name": "message"}).get_text().strip() == typed
    assert len(lines(caplog, FELL_BACK)) == 1


@pytest.mark.skipif(not shutil.which("redis-server"), reason="no redis-server to start")
def test_when_redis_answers_again_the_return_is_logged_once(app, client, caplog):
    caplog.set_level(logging.INFO)
    assert send_contact(client).status_code == 303
    assert len(lines(caplog, FELL_BACK)) == 1
    # Redis comes back where the site looks for it: a server of its own on that port.
    command = ["redis-server", "--port", str(CLOSED_PORT), "--bind", "127.0.0.1", "--save", ""]
    server = subprocess.Popen(
        [*command, "--appendonly", "no"],
        cwd=Path(app.instance_path).parent,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until(lambda: answers(CLOSED_PORT), 10, "redis-server")
        # Flask-Limiter looks at the storage again after 1, 2, 4… seconds: post until it has.
        wait_until(lambda: send_contact(client).status_code and lines(caplog, CAME_BACK), 40, "the return")
        assert send_contact(client).status_code in (303, 429)
        [came_back] = lines(caplog, CAME_BACK)
        assert came_back.levelno == logging.WARNING and came_back.name == app.logger.name
        assert len(lines(caplog, FELL_BACK)) == 1
    finally:
        stop(server)


def answers(port):
    try:
        return redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def test_the_workers_counted_are_those_gunicorn_starts(app, monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    app.config["RATE_LIMIT_WORKERS"] = None
    conf = runpy.run_path(str(Path(__file__).parents[2] / "deploy" / "gunicorn.conf.py"))
    assert rate_limits.workers(app) == conf["workers"]
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    conf = runpy.run_path(str(Path(__file__).parents[2] / "deploy" / "gunicorn.conf.py"))
    assert rate_limits.workers(app) == conf["workers"] == 3
    app.config["RATE_LIMIT_WORKERS"] = 8  # several hosts: every worker sharing the Redis
    assert rate_limits.workers(app) == 8
