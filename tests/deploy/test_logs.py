"""The logs of the site as deployed hold nothing personal: gunicorn with deploy/gunicorn.conf.py,
nginx with deploy/'s site file, on loopback, asked for the mailed links that carry a token.

Every log file the deploy writes is read: gunicorn's access and error log (its stdout and stderr,
the journal in production), nginx's error and access log as the main nginx.conf names them.
"""

import os
import runpy

import pytest
from itsdangerous import URLSafeTimedSerializer

from koki_site.newsletter import tokens
from koki_site.rights import records
from tests.conftest import SECRET, free_port
from tests.helpers.deploy import (
    GUNICORN_CONF,
    HOST,
    NGINX,
    Gunicorn,
    Nginx,
    app_environment,
    https,
    make_certificate,
    plain_http,
    production_settings,
    wait_until,
)

pytestmark = pytest.mark.db
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def token(salt, number):
    """A token shaped as the site's mailed links carry them."""
    return URLSafeTimedSerializer(SECRET, salt=salt).dumps({"id": number, "h": "0123456789abcdef"})


@pytest.fixture
def deployed(migrated_database, tmp_path):
    if not os.access(NGINX, os.X_OK):
        pytest.skip(f"nginx is not installed ({NGINX}) and could not be: .ci/run installs nginx-light")
    https_port, http_port = free_port(), free_port()
    cert, key = make_certificate(tmp_path)
    env = app_environment(
        migrated_database, **production_settings(f"https://{HOST}:{https_port}"), RATELIMIT_ENABLED=False
    )
    gunicorn = Gunicorn(env, tmp_path / "gunicorn.log").wait_ready()
    try:
        nginx = Nginx(tmp_path, https_port, http_port, gunicorn.port, cert, key)
    except BaseException:
        gunicorn.stop()
        raise
    yield gunicorn, nginx, cert
    nginx.stop()
    gunicorn.stop()


def test_no_log_keeps_a_token_a_query_string_or_a_client_address(deployed, tmp_path):
    gunicorn, nginx, cert = deployed
    verify = token(records.SALT, 1)
    unsubscribe = token(tokens.UNSUBSCRIBE_SALT, 2)
    confirm = token(tokens.CONFIRM_SALT, 3)
    redirected = token(records.SALT, 4)
    query = "utm_source=ada%40example.org"
    hidden = [verify, unsubscribe, confirm, redirected, "utm_source", "ada%40example.org", "ada@"]

    def through_nginx(method, path, **options):
        return https(nginx.https_port, method, path, cafile=cert, **options)[0]

    # The links of the mails, one with a query string; a body over the limit, which nginx refuses
    # and logs as an error with its request line; plain HTTP, which nginx sends to HTTPS.
    assert through_nginx("GET", f"/fr/rights/verify/{verify}") < 500
    assert through_nginx("GET", f"/en/newsletter/unsubscribe/{unsubscribe}?{query}") < 500
    too_large = b"x" * (64 * 1024 + 1)
    confirming = f"/fr/newsletter/confirm/{confirm}?{query}"
    assert through_nginx("POST", confirming, headers=FORM, body=too_large) == 413
    assert plain_http(nginx.http_port, "GET", f"/fr/rights/verify/{redirected}?{query}")[0] == 301

    # gunicorn still logs each request, its token masked.
    wait_until(lambda: "/en/newsletter/unsubscribe/" in gunicorn.log(), 10, "the access log line")
    nginx.stop()
    gunicorn.stop()
    logs = {path.name: path.read_text(errors="replace") for path in tmp_path.glob("*.log")}
    assert set(logs) >= {"gunicorn.log", "error.log"}, sorted(logs)
    assert "GET /fr/rights/verify/<token> HTTP/1.0" in logs["gunicorn.log"]
    assert "GET /en/newsletter/unsubscribe/<token> HTTP/1.0" in logs["gunicorn.log"]

    for name, text in logs.items():
        for secret in hidden:
            assert secret not in text, (name, secret, text)
        # The client is 127.0.0.1 here, as is the address gunicorn says it listens on.
        lines = [line for line in text.splitlines() if "127.0.0.1" in line]
        assert [line for line in lines if f"Listening at: {gunicorn.url} " not in line] == [], name


def test_a_request_that_fails_outside_the_app_is_logged_masked(tmp_path):
    from gunicorn.config import Config

    config = Config()
    config.set("errorlog", str(tmp_path / "error.log"))
    logger = runpy.run_path(str(GUNICORN_CONF))["logger_class"](config)
    try:
        raise OSError("the client went away")
    except OSError:
        # As gunicorn's workers log it: the method and the raw URI.
        logger.exception("Error handling request %s %s", "GET", f"/fr/rights/verify/{'a' * 40}?q=ada")
    for handler in list(logger.error_log.handlers):
        handler.close()
        logger.error_log.removeHandler(handler)
    text = (tmp_path / "error.log").read_text()
    assert "Error handling request GET /fr/rights/verify/<token>\n" in text
    assert "a" * 40 not in text and "q=ada" not in text
    assert "OSError: the client went away" in text
