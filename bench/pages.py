"""Throughput of the public pages against a floor: the same bytes served by a bare Flask app.

Measures, with wrk on loopback, requests/s and p99 latency of /fr/privacy (the biggest page) and
/en/ (home) on the site and on a "floor" app that returns, as constants, the very bytes and headers
the site returned. Both run under gunicorn -w 2 (sync). site/floor requests/s should be >= 0.6;
the script prints PASS or BELOW TARGET per page and exits 0 either way: it is a measurement.

Run from the project root, after `make install`:
    .venv/bin/python bench/pages.py [--duration 10] [--connections 16]
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PAGES = ("/fr/privacy", "/en/")
TARGET = 0.6
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


def wrk(url, threads, connections, duration):
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=duration + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\b", out, re.M).groups()
    p99_ms = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.findall(r"^\s*(Non-2xx or 3xx responses: \d+|Socket errors: .*)$", out, re.M)
    return rps, p99_ms, errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, choices=range(1, 301), metavar="SECONDS")
    parser.add_argument("--connections", type=int, default=16, metavar="N")
    parser.add_argument("--threads", type=int, default=2, metavar="N")
    parser.add_argument("--no-cache", action="store_true", help="render every page (PAGE_CACHE off)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="koki-bench-"))
    env = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "FLASK_SECRET_KEY": secrets.token_hex(32),
        "FLASK_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
        "FLASK_PAGE_CACHE": "false" if args.no_cache else "true",
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
        print(f", 1-min load average {load:.1f} at the start\n")
        print(f"{'page':<12} {'server':<6} {'bytes':>7} {'requests/s':>11} {'p99 ms':>8}")
        for path in PAGES:
            rps = {}
            for name, base in (("site", site_url), ("floor", floor_url)):
                wrk(base + path, 1, args.connections, 2)  # warm-up: fills each worker's page cache
                rps[name], p99, errors = wrk(base + path, args.threads, args.connections, args.duration)
                row = f"{path:<12} {name:<6} {len(pages[path][2]):>7} {rps[name]:>11.0f} {p99:>8.2f}"
                print(row + "".join(f"  wrk: {error}" for error in errors))
            ratio = rps["site"] / rps["floor"]
            verdict = "PASS" if ratio >= TARGET else "BELOW TARGET"
            print(f"{path:<12} site/floor = {ratio:.2f} (target >= {TARGET}): {verdict}\n")
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
