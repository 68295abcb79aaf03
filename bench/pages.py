"""Throughput of the public pages: through nginx's cache, in the app against a floor, and for a
refusing and a consenting visitor.

Measures, with wrk on loopback, requests/s of /fr/privacy (the biggest page) and /en/ (home).
First through deploy/'s nginx site file (TLS, a certificate made here) in front of the site, as
a visitor with no cookie, whom nginx answers from its cache, against nginx sending the very same
bytes as a static file: target >= 0.8. Then the site alone against a "floor" app that returns,
as constants, the very bytes and headers the site returned: target >= 0.5 (the site's request
goes through Flask: locale, session, consent, security headers). Both under gunicorn -w 2
(sync), measured one after the other --runs times (default 5): the median of each ratio and its
spread. Then a visitor who accepted statistics (their koki_consent and koki_stats cookies sent by
wrk) against one with no cookie, on /en/ in the app: the median of consenting/non-consenting,
target >= 0.8. It also checks that a page answers 304 to its own ETag and that static files are
served under fingerprinted names, immutable for a year. Exits 0 either way: it is a measurement.

Run from the project root, after `make install`:
    .venv/bin/python bench/pages.py [--duration 10] [--connections 16] [--runs 5]
"""

import argparse
import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PAGES = ("/fr/privacy", "/en/")
NGINX_TARGET = 0.8  # nginx's cached page / the same bytes as nginx's static file
FLOOR_TARGET = 0.5  # the site / a bare Flask app returning the same bytes
CONSENT_TARGET = 0.8  # a consenting visitor / a refusing one
# Added by gunicorn or computed by Werkzeug on each response: not part of what the floor copies.
SERVER_HEADERS = {"server", "date", "connection", "content-length", "transfer-encoding"}
LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy

FLOOR_APP = """from flask import Flask, Response

PAGES = {pages!r}
app = Flask(__name__)
for path, (status, headers, body) in PAGES.items():
    app.add_url_rule(path, path, lambda s=status, h=headers, b=body: Response(b, s, h))
"""


def serve(module, cwd, env, log, servers, ready_path, timeout=30.0):
    """Start gunicorn -w 2 (sync) on a free loopback port; return its URL once ready_path answers."""
    with socket.socket() as sock:  # a free port on loopback
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [BIN / "gunicorn", "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}", "--no-control-socket"]
    cmd += ["--graceful-timeout", "5", f"{module}:app"]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=out, start_new_session=True)
    servers.append(proc)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn {module}:app exited with code {proc.returncode}")
        try:
            with LOOPBACK.open(url + ready_path, timeout=2) as response:
                if response.status == 200:
                    return url
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url}{ready_path} did not answer within {timeout:.0f} s")


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # master not reaped yet, so this group is still ours
            proc.wait(timeout=5)


def fetch(url):
    with LOOPBACK.open(url, timeout=10) as response:
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in SERVER_HEADERS]
        return response.status, headers, response.read()


def wrk(url, threads, connections, duration, cookie=None):
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=duration + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\b", out, re.M).groups()
    p99_ms = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.findall(r"^\s*(Non-2xx or 3xx responses: \d+|Socket errors: .*)$", out, re.M)
    return rps, p99_ms, errors


def verdict(what, ratios, target):
    median, low, high = statistics.median(ratios), min(ratios), max(ratios)
    result = "PASS" if median >= target else "BELOW TARGET"
    print(f"{what}: median {median:.2f} (spread {low:.2f}–{high:.2f}, target >= {target}): {result}\n")


def through_nginx(site_url, tmp, args, servers):
    """deploy/'s nginx (TLS) in front of the site: each page from its cache, against the same
    bytes as a static file of nginx's."""
    sys.path.insert(0, str(ROOT))
    from tests.conftest import free_port
    from tests.helpers.deploy import NGINX, Nginx, https, make_certificate

    if not os.access(NGINX, os.X_OK):
        print(f"nginx: not installed ({NGINX}), not measured\n")
        return
    static = tmp / "nginx-static"
    static.mkdir()
    cert, key = make_certificate(tmp)
    upstream = int(site_url.rpartition(":")[2])
    nginx = Nginx(tmp, free_port(), free_port(), upstream, cert, key, static=static)
    servers.append(nginx.process)
    host = f"127.0.0.1:{nginx.https_port}"  # as wrk names it: nginx keeps the page under that name
    print(f"{'nginx':<12} {'bytes':>7} {'cached req/s':>13} {'static req/s':>13} {'ratio':>7}")
    for path in PAGES:
        status, _, body = https(nginx.https_port, "GET", path, host=host, cafile=cert)
        assert status == 200, f"nginx answered {path} with {status}"
        name = f"{path.strip('/').replace('/', '-') or 'home'}.html"
        (static / name).write_bytes(body)
        urls = {"cached": f"https://{host}{path}", "static": f"https://{host}/static/{name}"}
        for url in urls.values():
            wrk(url, 1, args.connections, 2)  # warm-up
        rates = {kind: [] for kind in urls}
        for _ in range(args.runs):
            for kind, url in urls.items():
                rates[kind].append(wrk(url, args.threads, args.connections, args.duration)[0])
            cached, served = rates["cached"][-1], rates["static"][-1]
            print(f"{path:<12} {len(body):>7} {cached:>13.0f} {served:>13.0f} {cached / served:>7.2f}")
        ratios = [cached / served for cached, served in zip(*rates.values(), strict=True)]
        cached, served = (statistics.median(rates[kind]) for kind in urls)
        print(
            f"nginx: {path} cached {cached:.0f} req/s, static file {served:.0f} req/s,"
            f" ratio {statistics.median(ratios):.2f}"
        )
        verdict(f"{path} nginx cached/static", ratios, NGINX_TARGET)


def consenting_cookies(site_url):
    """The Cookie header of a visitor who accepted every purpose and has been counted once."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar)
    )
    data = b"choice=accept_all&lang=en&next=/en/"
    headers = {"Origin": site_url, "Sec-Fetch-Site": "same-origin"}
    opener.open(urllib.request.Request(site_url + "/consent", data=data, headers=headers), timeout=10).read()
    opener.open(site_url + "/en/", timeout=10).read()  # the statistics identifier
    names = {cookie.name for cookie in jar}
    assert {"koki_consent", "koki_stats"} <= names, names
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def http_caching(site_url):
    """304 on revalidation, and the stylesheet's fingerprinted name and year-long cache."""
    with LOOPBACK.open(site_url + "/fr/privacy", timeout=10) as response:
        etag, html = response.headers["ETag"], response.read().decode()
    request = urllib.request.Request(site_url + "/fr/privacy", headers={"If-None-Match": etag})
    try:
        status = LOOPBACK.open(request, timeout=10).status
    except urllib.error.HTTPError as answer:  # urllib raises on a 304
        status = answer.code
    print(f"/fr/privacy revalidated with its ETag {etag}: {status} ({'PASS' if status == 304 else 'FAIL'})")
    css = re.search(r'href="(/static/css/site[^"]*)"', html).group(1)
    with LOOPBACK.open(site_url + css, timeout=10) as response:
        cache = response.headers["Cache-Control"]
    immutable = re.search(r"\.[0-9a-f]{12}\.css$", css) and cache == "public, max-age=31536000, immutable"
    print(f"{css}: Cache-Control: {cache} ({'PASS' if immutable else 'FAIL'})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, choices=range(1, 301), metavar="SECONDS")
    parser.add_argument("--connections", type=int, default=16, metavar="N")
    parser.add_argument("--threads", type=int, default=2, metavar="N")
    parser.add_argument("--runs", type=int, default=5, choices=range(1, 21), metavar="N")
    parser.add_argument("--no-cache", action="store_true", help="render every page (PAGE_CACHE off)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="koki-bench-"))
    env = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "FLASK_SECRET_KEY": secrets.token_hex(32),
        "FLASK_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
        "FLASK_PAGE_CACHE": "false" if args.no_cache else "true",
        "FLASK_SESSION_COOKIE_SECURE": "false",  # plain HTTP on loopback: the consent cookie must come back
        "FLASK_STATIC_BUILD_DIR": str(tmp / "static"),
    }
    servers = []
    try:
        subprocess.run([BIN / "pybabel", "-q", "compile", "-d", "translations"], cwd=ROOT, check=True)
        upgrade = [BIN / "flask", "--app", "app", "db", "upgrade"]
        subprocess.run(upgrade, cwd=ROOT, env=env, check=True, capture_output=True, timeout=60)

        site_url = serve("app", ROOT, env, tmp / "site.log", servers, "/healthz")
        pages = {path: fetch(site_url + path) for path in PAGES}
        (tmp / "floor_app.py").write_text(FLOOR_APP.format(pages=pages))
        floor_url = serve("floor_app", tmp, env, tmp / "floor.log", servers, PAGES[0])
        for path, page in pages.items():
            assert fetch(floor_url + path) == page, f"the floor does not answer {path} as the site does"

        load = os.getloadavg()[0]  # other work on the machine skews both servers, not equally
        print(f"\nwrk -t{args.threads} -c{args.connections} -d{args.duration}s, gunicorn -w 2 (sync)", end="")
        print(f", {args.runs} runs, 1-min load average {load:.1f} at the start\n")
        through_nginx(site_url, tmp, args, servers)
        print(f"{'page':<12} {'bytes':>7} {'site req/s':>11} {'floor req/s':>12} {'site/floor':>11}")
        for path in PAGES:
            for base in (site_url, floor_url):
                wrk(base + path, 1, args.connections, 2)  # warm-up: fills each worker's page cache
            ratios = []
            for _ in range(args.runs):
                site, _, _ = wrk(site_url + path, args.threads, args.connections, args.duration)
                floor, _, _ = wrk(floor_url + path, args.threads, args.connections, args.duration)
                ratios.append(site / floor)
                print(
                    f"{path:<12} {len(pages[path][2]):>7} {site:>11.0f} {floor:>12.0f} {site / floor:>11.2f}"
                )
            verdict(f"{path} site/floor", ratios, FLOOR_TARGET)

        cookie = consenting_cookies(site_url)
        print(f"\n{'/en/':<12} {'no cookie':>11} {'consenting':>11} {'ratio':>7}")
        wrk(site_url + "/en/", 1, args.connections, 2, cookie)  # warm-up, as a consenting visitor
        ratios = []
        for _ in range(args.runs):
            refusing, _, _ = wrk(site_url + "/en/", args.threads, args.connections, args.duration)
            consenting, _, _ = wrk(site_url + "/en/", args.threads, args.connections, args.duration, cookie)
            ratios.append(consenting / refusing)
            print(f"{'/en/':<12} {refusing:>11.0f} {consenting:>11.0f} {consenting / refusing:>7.2f}")
        verdict("/en/ consenting/non-consenting", ratios, CONSENT_TARGET)
        print()
        http_caching(site_url)
    except Exception:
        for log in sorted(tmp.glob("*.log")):  # the servers' own words, before the files go
            print(f"--- {log.name}\n{log.read_text()[-3000:]}", file=sys.stderr)
        raise
    finally:
        for proc in servers:
            stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
