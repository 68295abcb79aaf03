"""The site as deploy/ runs it, on loopback: gunicorn with deploy/gunicorn.conf.py, nginx with the
very site file of deploy/nginx/ (only its ports and paths changed), a certificate made here.

Every process is started in a session of its own and stopped by its id; nothing here runs as
another user or writes outside the test's directory.
"""

import getpass
import http.client
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path

from tests.conftest import SECRET, free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NGINX = "/usr/sbin/nginx"
SITE_CONF = ROOT / "deploy" / "nginx" / "koki-site.conf"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
STATIC_BUILD = ROOT / "instance" / "static-build"  # the app's STATIC_BUILD_DIR when not told
HOST = "www.koki.test"  # the site's name in these tests (TRUSTED_HOSTS, the certificate)
LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy


def wait_until(condition, timeout, what):
    """condition()'s first true value, polled until timeout seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.05)


def stop(process, signal_number=signal.SIGTERM, timeout=30):
    """Stop a process started with start_new_session=True, and anything left in its group."""
    if process.poll() is None:
        process.send_signal(signal_number)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # not reaped yet, so the group is still ours
            process.wait(timeout=5)


def app_environment(database_url, **settings):
    """The environment of a process of the site: FLASK_* settings, none from the test's shell.

    A text or a path is given as it is, any other value as JSON, which the app reads back (True, a
    list).
    """
    return {
        **{name: value for name, value in os.environ.items() if not name.startswith("FLASK_")},
        "FLASK_SECRET_KEY": SECRET,
        "FLASK_SQLALCHEMY_DATABASE_URI": database_url,
        "FLASK_ARGON2_TIME_COST": "1",  # fast hashes, as in every test
        "FLASK_ARGON2_MEMORY_COST": "1024",
        **{
            f"FLASK_{name}": str(value) if isinstance(value, str | os.PathLike) else json.dumps(value)
            for name, value in settings.items()
        },
    }


# The company's age public key, as docs/operations.md has it; its identity was not kept: nothing in
# these tests opens a backup.
BACKUP_RECIPIENT = "age18wcne36ycqzs50z5vpx6cqptd9c3qrgfhgqgurmwm00sy97gc3uqmc4gzz"


def production_settings(site_url, host=HOST):
    """What a live site's instance/config.py holds (docs/operations.md, "Going live"), for the site
    at site_url: `flask check --deploy` finds nothing missing in it but what only a running site
    has (a mail server that answers, a recent backup, a worker) and the rate limits' storage, which
    follows the number of workers."""
    return {
        "SITE_URL": site_url,
        "TRUSTED_HOSTS": [host],
        "PROXY_FIX_X_FOR": 1,  # nginx
        "PROXY_FIX_X_PROTO": 1,
        "SESSION_COOKIE_SECURE": True,
        "MAIL_DELIVERY": "worker",
        "BACKUP_AGE_RECIPIENTS": [BACKUP_RECIPIENT],
        "COMPANY_LEGAL_FORM": "SAS au capital de 10 000 €",
        "COMPANY_ADDRESS": "12 rue de l’Exemple, 69001 Lyon",
        "COMPANY_REGISTRATION": "RCS Lyon 123 456 789",
        "COMPANY_PHONE": "+33 4 72 00 00 00",
        "PUBLICATION_DIRECTOR": "Camille Martin",
        "HOST_ADDRESS": "3 rue de l’Hébergeur, 69760 Limonest",
        "DPO_ADDRESS": "KOKI SOFTWARE, à l’attention du DPO, 12 rue de l’Exemple, 69001 Lyon",
        "SECURITY_CONTACT": "mailto:security@koki.test",
        "SECURITY_TXT_EXPIRES": (datetime.now(UTC) + timedelta(days=300)).isoformat(),
    }


class Gunicorn:
    """`gunicorn -c deploy/gunicorn.conf.py app:app` on a free loopback port."""

    def __init__(self, env, log_path, workers=1, host=HOST):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.host = host
        command = [BIN / "gunicorn", "-c", GUNICORN_CONF, "-b", f"127.0.0.1:{self.port}", "app:app"]
        with open(log_path, "w") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**env, "WEB_CONCURRENCY": str(workers)},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout=60):
        wait_until(self.answers, timeout, f"gunicorn on {self.url}\n{self.log()[-3000:]}")
        return self

    def answers(self):
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited with {self.process.returncode}\n{self.log()[-3000:]}")
        request = urllib.request.Request(self.url + "/healthz", headers={"Host": self.host})
        try:
            with LOOPBACK.open(request, timeout=5) as response:
                return response.status == 200
        except (OSError, urllib.error.HTTPError):
            return False

    def log(self):
        return Path(self.log_path).read_text(errors="replace")

    def stop(self):
        stop(self.process)


def make_certificate(directory, host=HOST):
    """A self-signed certificate for host and 127.0.0.1 (EC P-256, a day long): (cert, key) paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(host), x509.IPAddress(IPv4Address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = Path(directory) / "cert.pem", Path(directory) / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def site_conf_for_test(https_port, http_port, upstream_port, cert, key, cache, static):
    """deploy/nginx/koki-site.conf with loopback ports and this machine's paths, nothing else."""
    text = SITE_CONF.read_text()
    replacements = {
        "proxy_cache_path /var/cache/nginx/koki-site ": f"proxy_cache_path {cache} ",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "/etc/letsencrypt/live/www.koki-software.fr/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/www.koki-software.fr/privkey.pem": str(key),
        "alias /srv/koki-site/instance/static-build/;": f"alias {static}/;",
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, f"{SITE_CONF.name} no longer has {old!r} once: update this test"
        text = text.replace(old, new)
    # Loopback only: the IPv6 listens go (this machine may have no IPv6).
    text, removed = re.subn(r"^\s*listen \[::\]:\d+[^;]*;\n", "", text, flags=re.M)
    assert removed == 2, "the IPv6 listens of the site file changed: update this test"
    return text


# What Debian's /etc/nginx/nginx.conf gives the site (gzip on, mime types), with every path in
# the test's directory and nginx in the foreground as the test's user.
MAIN_CONF = """daemon off;
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 128; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    gzip on;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/koki-site.conf;
}}
"""


class Nginx:
    """nginx in front of upstream_port, with the site file of deploy/, on free loopback ports.

    static: the folder of /static/, the app's build (its STATIC_BUILD_DIR) unless told.
    """

    def __init__(self, tmp, https_port, http_port, upstream_port, cert, key, static=STATIC_BUILD):
        self.tmp = Path(tmp)
        self.https_port, self.http_port = https_port, http_port
        site = site_conf_for_test(https_port, http_port, upstream_port, cert, key, self.tmp / "cache", static)
        (self.tmp / "koki-site.conf").write_text(site)
        # As root, nginx's workers would become "nobody", who may not read the test's files.
        user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
        conf = self.tmp / "nginx.conf"
        conf.write_text(MAIN_CONF.format(tmp=self.tmp, user=user))
        command = [NGINX, "-p", str(self.tmp), "-c", str(conf), "-e", str(self.tmp / "error.log")]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        wait_until(self.listening, 10, f"nginx on port {https_port}\n{self.error_log()}")

    def listening(self):
        if self.process.poll() is not None:
            raise AssertionError(f"nginx exited with {self.process.returncode}\n{self.error_log()}")
        try:
            socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
            return True
        except OSError:
            return False

    def error_log(self):
        path = self.tmp / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self):
        stop(self.process, signal.SIGQUIT)  # nginx's graceful stop


def https(port, method, path, host=HOST, headers=None, body=None, cafile=None):
    """One HTTPS request to 127.0.0.1:port naming host: (status, [(name, value)], body)."""
    context = ssl.create_default_context(cafile=cafile)
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
    try:
        connection.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def curl(port, method, path, cafile, http_version="--http2", headers=None, body=b""):
    """One HTTPS request by curl to host on 127.0.0.1:port: (status, HTTP version, body).

    curl speaks HTTP/2, which http.client does not; never through a proxy.
    """
    command = ["curl", "-sS", http_version, "--noproxy", "*", "--cacert", str(cafile)]
    command += ["--resolve", f"{HOST}:{port}:127.0.0.1", "-X", method, "--data-binary", "@-"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command += ["-o", "-", "-w", "\n%{http_code} %{http_version}", f"https://{HOST}:{port}{path}"]
    done = subprocess.run(command, input=body, capture_output=True, timeout=30, check=True)
    answer, _, status_line = done.stdout.rpartition(b"\n")
    status, version = status_line.decode().split()
    return int(status), version, answer


def plain_http(port, method, path, host=HOST, headers=None, body=None):
    """One plain HTTP request to 127.0.0.1:port naming host: (status, [(name, value)], body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def forget_limits(prefix):
    """Delete the rate-limit counters kept in Redis under prefix."""
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379)
    try:
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)
    finally:
        client.close()


def header_values(headers, name):
    return [value for key, value in headers if key.lower() == name.lower()]


def backed_up_and_beating(app):
    """What a running worker leaves behind: the backup job run (a real backup) and its heartbeat."""
    from koki_site.core import jobs

    now = datetime.now(UTC)
    with app.app_context():
        backup = next(job for job in jobs.all_jobs() if job.name == "backup")
        assert jobs.claim(backup, now)
        jobs.finish(backup, now)
        jobs.beat(now)
