"""Mixed load on PostgreSQL and Redis, with a working SMTP server and with one that hangs.

Each run gets a fresh PostgreSQL database, gunicorn with --workers sync workers (as in production),
rate limits counted in Redis (set high enough never to refuse the load, so Redis is exercised),
one `flask worker` delivering the mail, and an SMTP server in this process: aiosmtpd counting
Message-IDs (normal), or a socket that accepts and never says a word (hanging), with MAIL_TIMEOUT
as configured (10 s).

--clients visitors, each with its own cookies, browse for --duration seconds: public pages (some
having accepted statistics, so their views are counted), cookie decisions, the contact form and
the newsletter form (GET for the token and submission id, then POST, then the 303's page, as a
browser does; one form in ten is posted twice at the same moment, a double click: stored once).

Printed per run: requests/s and p50/p95/p99 per kind, errors by status; acknowledged (303) against
stored (rows counted afterwards) per kind; the mail: after the normal run, once the outbox drained,
what arrived against what was expected and duplicate Message-IDs; after the hanging run, what is
still queued, then the worker is pointed at a server that answers and every mail must arrive once.
Then hanging/normal throughput and contact POST latency side by side.

Then Redis down (--redis-down seconds, 0: not run): the rate limits' storage is a closed port, the
forms' limits are the site's own (koki_site/config.py) and RATE_LIMIT_WORKERS is --workers; each
visitor connects from a loopback address of its own, so each is a client to the limits, and does
nothing but post the contact and newsletter forms. Printed: the POSTs' answers; for each limit
whose period is longer than the phase (so each worker counts it in one window), the most posts one
client got through (no client should be past it); the site's log lines about the fallback (one per
worker). 50 s compares with "5 per minute", 300 s with "20 per hour".

Then reloads under load (--reload-phase seconds per kind, 0: not run): gunicorn with the
production settings (deploy/gunicorn.conf.py), visitors browsing, and a third of the way in, a
reload: gunicorn's own (SIGHUP), then deploy/reload.py (the unit's ExecReload), each in a run of
its own. Printed for each: how long until every worker ran the new code, the requests answered per
second during that time against before it, and the p99 of the requests that ended then. Exit 0: it
is a measurement.

Run from the project root, after `make install`, with PostgreSQL and Redis on 127.0.0.1:
    .venv/bin/python bench/load.py [--duration 60] [--clients 64] [--workers 4] [--rounds 1]
        [--smtp both|normal|hanging|none] [--redis-down 50] [--reload-phase 40]
"""

import argparse
import asyncio
import email
import email.policy
import os
import random
import re
import runpy
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
import redis
from aiosmtpd.controller import Controller
from limits import parse_many

ROOT = Path(__file__).resolve().parent.parent
READY_FILE = runpy.run_path(str(ROOT / "deploy" / "reload.py"))["ready_file"]  # a worker's, once loaded
BIN = Path(sys.executable).parent
LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
SUPPORT = "support@example.org"
PAGES = ("/", "/privacy", "/cookies", "/legal", "/my-requests")
# What a visitor does next, and how often: contact and newsletter are a GET, a POST and the 303's page.
ACTIONS = {"page": 70, "consent": 10, "contact": 10, "newsletter": 10}
# With Redis down, visitors do nothing but post the forms, each from an address of its own.
POSTING = {"contact": 50, "newsletter": 50}
FELL_BACK = "each process counts in its own memory"  # the site's log line, once per worker
CAME_BACK = "storage answers again"
KINDS = (
    "page",
    "consent POST",
    "contact GET",
    "contact POST",
    "newsletter GET",
    "newsletter POST",
    "303 → GET",
)
EXPECTED_STATUS = {"consent POST": 303, "contact POST": 303, "newsletter POST": 303}
DOUBLE_CLICKS = 0.1  # forms posted twice at the same moment: stored once, both answers alike
REQUEST_TIMEOUT = 30.0
QUANTILES = (("p50", 0.5), ("p95", 0.95), ("p99", 0.99), ("max", 1.0))
WORKER_STOP = 30  # seconds a worker may take to stop at SIGTERM (three SMTP timeouts)
HIGH_LIMIT = "1000000 per minute"  # counted in Redis like any limit, never reached
REFERENCE = re.compile(r"KOKI-\d{4}-\d{5,}")
INPUT = r'<input[^>]*name="{}"[^>]*value="([^"]*)"'
ERROR_LINE = re.compile(r"\b(ERROR|CRITICAL|Traceback|WORKER TIMEOUT)\b")
BACKENDS = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
LOG_PREFIX = re.compile(r"^\[[^]]*\] (\[\d+\] )?")  # gunicorn's date and pid


# --- HTTP: one connection per request, as gunicorn's sync workers close each one ---------------


@dataclass
class Answer:
    status: int
    headers: list
    body: bytes

    def header(self, name):
        return next((v for k, v in self.headers if k.lower() == name), None)

    def form_value(self, name):
        found = re.search(INPUT.format(name), self.body.decode("utf-8", "replace"))
        return found.group(1) if found else None


def parse_answer(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines if ":" in line]
    answer = Answer(int(status_line.split()[1]), headers, body)
    if (answer.header("transfer-encoding") or "").lower() == "chunked":
        answer.body = dechunk(body)
    return answer


def dechunk(body):
    out = bytearray()
    while body:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += body[:size]
        body = body[size + 2 :]
    return bytes(out)


class Visitor:
    """One browser: its cookies, its language, whether its decision lets its page views count."""

    def __init__(self, base, number, tag, tally, actions=ACTIONS, address=None):
        self.host, self.port = urlsplit(base).hostname, urlsplit(base).port
        self.base, self.number, self.tag, self.tally = base, number, tag, tally
        self.actions, self.address = actions, address
        self.random = random.Random(number)
        self.lang = ("fr", "en")[number % 2]
        self.cookies = {}
        self.statistics = False
        self.sent = 0

    async def request(self, kind, method, path, form=None):
        """One request, timed; the Answer, or None when it failed or timed out."""
        start = time.monotonic()
        try:
            answer = await asyncio.wait_for(self.exchange(method, path, form), REQUEST_TIMEOUT)
        except TimeoutError:
            self.tally.record(kind, "timeout", time.monotonic() - start)
            return None
        except OSError as error:
            self.tally.record(kind, type(error).__name__, time.monotonic() - start)
            return None
        self.tally.record(kind, answer.status, time.monotonic() - start)
        if answer.status == 200 and method == "GET" and self.statistics and re.match(r"/(fr|en)/", path):
            self.tally.views_expected += 1  # a page view the site should count
        self.keep_cookies(answer)
        return answer

    async def exchange(self, method, path, form):
        local = (self.address, 0) if self.address else None
        reader, writer = await asyncio.open_connection(self.host, self.port, local_addr=local)
        try:
            writer.write(self.request_bytes(method, path, form))
            return parse_answer(await reader.read())
        finally:
            writer.close()

    def request_bytes(self, method, path, form):
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Connection: close",
            "User-Agent: koki-bench-load",
            f"Accept-Language: {self.lang}",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        body = b""
        if form is not None:  # what a browser adds to a form POST of the same site
            body = urlencode(form).encode()
            lines += [f"Origin: {self.base}", "Sec-Fetch-Site: same-origin"]
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    def keep_cookies(self, answer):
        for name, value in answer.headers:
            if name.lower() != "set-cookie":
                continue
            pair, *attributes = value.split(";")
            cookie, _, content = pair.strip().partition("=")
            expired = any(a.strip().lower() in ("max-age=0", "max-age=-1") for a in attributes)
            if expired or "expires=thu, 01 jan 1970" in value.lower():
                self.cookies.pop(cookie, None)
            else:
                self.cookies[cookie] = content

    async def follow(self, answer):
        """A 303's page, as the browser loads it."""
        location = answer.header("location") if answer else None
        if answer and answer.status == 303 and location:
            target = urlsplit(location)
            await self.request("303 → GET", "GET", target.path + (f"?{target.query}" if target.query else ""))

    async def browse(self, deadline):
        """Decide once as a first visit may (or not), then act until the deadline."""
        first = ("accept_all", "reject_all", None)[self.number % 3]
        if first:
            await self.decide(first)
        actions, weights = list(self.actions), list(self.actions.values())
        while time.monotonic() < deadline:
            action = self.random.choices(actions, weights)[0]
            await getattr(self, action)()

    async def page(self):
        await self.request("page", "GET", f"/{self.lang}{self.random.choice(PAGES)}")

    async def consent(self):
        await self.decide(self.random.choice(("accept_all", "reject_all", "custom")))

    async def decide(self, choice):
        """The banner's form, as a browser posts it; a custom choice ticks statistics or not."""
        form = {"choice": choice, "lang": self.lang, "source": "banner", "next": f"/{self.lang}/"}
        statistics = choice == "accept_all" or (choice == "custom" and self.random.random() < 0.5)
        if choice == "custom" and statistics:
            form["statistics"] = "on"
        answer = await self.request("consent POST", "POST", "/consent", form)
        if answer and answer.status == 303:
            self.statistics = statistics
            self.tally.acknowledged["consent POST"] += 1
        await self.follow(answer)

    async def contact(self):
        self.sent += 1
        fields = {
            "first_name": "Bench",
            "last_name": f"Visitor {self.number}",
            "email": f"visitor{self.number}@example.org",
            "message": f"Load test {self.tag}, visitor {self.number}, message {self.sent}.",
            "website": "",
        }
        for answer in await self.post_form("contact", f"/{self.lang}/contact", fields):
            reference = REFERENCE.search(answer.header("location") or "")
            self.tally.acknowledged["contact POST"].add(reference.group(0) if reference else None)

    async def newsletter(self):
        self.sent += 1
        address = f"reader-{self.tag}-{self.number}-{self.sent}@example.org"
        if await self.post_form("newsletter", f"/{self.lang}/newsletter", {"email": address}):
            self.tally.acknowledged["newsletter POST"].add(address)

    async def post_form(self, kind, path, fields):
        """GET the form for its token and submission id, POST it (now and then twice at once: a
        double click), load the 303's page; the POST answers that were 303."""
        form_page = await self.request(f"{kind} GET", "GET", path)
        if form_page is None or form_page.status != 200:
            return []
        for name in ("csrf_token", "submission"):
            fields[name] = form_page.form_value(name) or ""
        clicks = 2 if self.random.random() < DOUBLE_CLICKS else 1
        answers = await asyncio.gather(
            *(self.request(f"{kind} POST", "POST", path, fields) for _ in range(clicks))
        )
        if clicks == 2:
            self.tally.double_clicks += 1
            locations = {answer.header("location") if answer else None for answer in answers}
            self.tally.answered_alike += len(locations) == 1 and all(a and a.status == 303 for a in answers)
        await self.follow(answers[0])
        through = [answer for answer in answers if answer and answer.status == 303]
        self.tally.through[kind][self.number] += len(through)
        return through


# --- What the run measured --------------------------------------------------------------------


@dataclass
class Tally:
    samples: dict = field(default_factory=lambda: defaultdict(list))  # kind -> [(status, seconds)]
    # Answered 303: the contact references and subscribed addresses given, how many decisions.
    acknowledged: dict = field(
        default_factory=lambda: {"contact POST": set(), "newsletter POST": set(), "consent POST": 0}
    )
    double_clicks: int = 0
    answered_alike: int = 0  # both POSTs of a double click answered 303 to the same page
    views_expected: int = 0  # pages answered 200 to a visitor whose decision allows statistics
    elapsed: float = 0.0
    idle_in_transaction: int = 0  # most connections idle in transaction at once
    held_in_transaction: int = 0  # of which idle in transaction for over a second
    # Form POSTs that got through the rate limits (answered 303): kind -> Counter(visitor -> posts)
    through: dict = field(default_factory=lambda: defaultdict(Counter))
    finished: list = field(default_factory=list)  # (monotonic time it ended, status, seconds)

    def record(self, kind, status, seconds):
        self.samples[kind].append((status, seconds))
        self.finished.append((time.monotonic(), status, seconds))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


async def load(base, clients, duration, tally, sample_idle, actions=ACTIONS, addresses=False):
    """clients visitors for duration seconds; every request in flight at the deadline finishes.

    addresses: each visitor connects from a loopback address of its own (127.1.0.1, 127.1.0.2…),
    so that the rate limits count it as a client of its own; otherwise all come from 127.0.0.1.
    """
    tag = secrets.token_hex(3)
    deadline = time.monotonic() + duration
    visitors = [
        Visitor(base, number, tag, tally, actions, loopback(number) if addresses else None)
        for number in range(clients)
    ]
    start = time.monotonic()
    sampler = asyncio.create_task(watch_idle(sample_idle, tally, deadline))
    await asyncio.gather(*(visitor.browse(deadline) for visitor in visitors))
    tally.elapsed = time.monotonic() - start
    await sampler


def loopback(number):
    """A loopback address of its own for visitor number (Linux answers on the whole 127/8)."""
    return f"127.1.{number // 250}.{number % 250 + 1}"


async def watch_idle(sample, tally, deadline):
    """Each second, the connections "idle in transaction": a request between two statements, but
    none held for long (a transaction open during an SMTP conversation stalled the site)."""
    while time.monotonic() < deadline:
        now, held = await asyncio.to_thread(sample)
        tally.idle_in_transaction = max(tally.idle_in_transaction, now)
        tally.held_in_transaction = max(tally.held_in_transaction, held)
        await asyncio.sleep(1)


# --- SMTP servers -------------------------------------------------------------------------------


class Mailbox:
    """A real SMTP server (aiosmtpd): every message received, by Message-ID, recipient and subject."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((message["Message-ID"], str(message["To"]), str(message["Subject"])))
        return "250 OK"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    def received(self):
        with self.lock:
            return list(self.messages)


class HangingServer:
    """Accepts connections and never says a word: the SMTP greeting never comes."""

    def __init__(self):
        self.port = free_port()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.connections = []
        self.thread = threading.Thread(target=self.accept, daemon=True)

    def accept(self):
        while True:
            try:
                self.connections.append(self.listener.accept()[0])
            except OSError:
                return  # closed

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.listener.shutdown(socket.SHUT_RDWR)
        self.thread.join()
        self.listener.close()
        for connection in self.connections:
            connection.close()


def process_cpu(pid):
    """User and system CPU seconds of a process; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- The site under test: database, gunicorn, worker ------------------------------------------


class Stack:
    """A fresh database, gunicorn and one `flask worker`, for one run."""

    def __init__(self, args, mail_port, tmp):
        self.args, self.tmp, self.processes = args, tmp, {}
        self.database = f"{args.database}_{os.getpid()}"
        self.admin_url = f"{args.postgres}/postgres"
        self.url = f"{args.postgres}/{self.database}"
        self.prefix = f"koki-bench-load-{secrets.token_hex(4)}"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            "PATH": f"{BIN}:/usr/bin:/bin",
            "FLASK_SECRET_KEY": secrets.token_hex(32),
            "FLASK_SQLALCHEMY_DATABASE_URI": self.url.replace("postgresql://", "postgresql+psycopg://"),
            "FLASK_SITE_URL": self.base,
            "FLASK_SESSION_COOKIE_SECURE": "false",
            "FLASK_RATELIMIT_STORAGE_URI": args.redis,
            "FLASK_RATELIMIT_KEY_PREFIX": self.prefix,
            **{f"FLASK_{key}_RATE_LIMIT": HIGH_LIMIT for key in ("CONTACT", "NEWSLETTER", "CONSENT")},
            "FLASK_MAIL_DELIVERY": "worker",
            "FLASK_MAIL_SERVER": "127.0.0.1",
            "FLASK_MAIL_PORT": str(mail_port),
            "FLASK_SUPPORT_EMAIL": SUPPORT,
        }

    def __enter__(self):
        self.sql(f'DROP DATABASE IF EXISTS "{self.database}"', admin=True)
        self.sql(f'CREATE DATABASE "{self.database}"', admin=True)
        upgrade = [BIN / "flask", "--app", "app", "db", "upgrade"]
        subprocess.run(upgrade, cwd=ROOT, env=self.env, check=True, capture_output=True, timeout=120)
        self.start_worker("worker")
        self.start_gunicorn()
        return self

    def __exit__(self, *exc):
        for name in list(self.processes):
            self.stop(name)
        self.sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)', admin=True)
        keys = self.redis_keys()
        if keys:
            redis.Redis.from_url(self.args.redis).delete(*keys)

    def redis_keys(self):
        """This run's rate-limit counters (Flask-Limiter writes LIMITS:LIMITER/<prefix>/…)."""
        return list(redis.Redis.from_url(self.args.redis).scan_iter(f"*{self.prefix}*"))

    def sql(self, statement, admin=False):
        with psycopg.connect(self.admin_url if admin else self.url, autocommit=True) as connection:
            cursor = connection.execute(statement)
            return cursor.fetchall() if cursor.description else None

    def scalar(self, statement):
        return self.sql(statement)[0][0]

    def spawn(self, name, cmd, env=None):
        with open(self.tmp / f"{name}.log", "a") as out:
            self.processes[name] = subprocess.Popen(
                cmd, cwd=ROOT, env=env or self.env, stdout=out, stderr=out, start_new_session=True
            )

    def start_worker(self, name, **settings):
        env = {**self.env, **{f"FLASK_{k}": str(v) for k, v in settings.items()}}
        self.spawn(name, [BIN / "flask", "--app", "app", "worker"], env)

    def start_gunicorn(self, config=None):
        cmd = [BIN / "gunicorn", "-w", str(self.args.workers), "-k", "sync", "--no-control-socket"]
        cmd += ["-c", config] if config else []
        cmd += ["-b", f"127.0.0.1:{self.port}", "--graceful-timeout", "5"]
        # Each request's method, path, status and time inside gunicorn (µs), queueing excluded.
        cmd += ["--access-logfile", self.tmp / "access.txt", "--access-logformat", "%(m)s %(U)s %(s)s %(D)s"]
        cmd += ["app:app"]
        self.spawn("gunicorn", cmd)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.processes["gunicorn"].poll() is not None:
                raise RuntimeError("gunicorn exited: see its log")
            try:
                with LOOPBACK.open(self.base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz within 30 s")

    def stop(self, name, timeout=30):
        """SIGTERM, then SIGKILL after timeout; how many seconds it took to stop by itself, or None."""
        proc = self.processes.pop(name)
        if proc.poll() is not None:
            return 0.0
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
            return time.monotonic() - start
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # not reaped yet, so this group is still ours
            proc.wait(timeout=5)
            return None

    def idle_in_transaction(self):
        """Connections idle in transaction now, and those that have been for over a second."""
        return self.sql(
            "SELECT count(*), count(*) FILTER (WHERE state_change < now() - interval '1 second')"
            " FROM pg_stat_activity WHERE datname = current_database()"
            " AND state = 'idle in transaction' AND pid <> pg_backend_pid()"
        )[0]

    def cpu_seconds(self):
        """CPU seconds used so far by each part of the run (Linux /proc), to see where time goes."""
        gunicorn = self.processes["gunicorn"].pid
        workers = Path(f"/proc/{gunicorn}/task/{gunicorn}/children").read_text().split()
        backends = [pid for (pid,) in self.sql(BACKENDS)]
        used = {
            "gunicorn workers": sum(map(process_cpu, workers)),
            "PostgreSQL": sum(map(process_cpu, backends)),
            "this process (clients, SMTP server)": sum(os.times()[:2]),
            "flask worker": process_cpu(self.processes["worker"].pid),
        }
        return used

    def time_in_app(self, method, path):
        """Seconds each such request spent inside gunicorn, from its access log."""
        pattern = re.compile(rf"{method} {path} \d+ (?P<us>\d+)$")
        lines = (self.tmp / "access.txt").read_text().splitlines()
        return [int(m["us"]) / 1e6 for line in lines if (m := pattern.match(line))]

    def log_errors(self):
        """The distinct error lines of the servers' logs, with their counts."""
        found = Counter()
        for log in sorted(self.tmp.glob("*.log")):
            for line in log.read_text(errors="replace").splitlines():
                if ERROR_LINE.search(line):
                    found[f"{log.stem}: {LOG_PREFIX.sub('', line)[:150]}"] += 1
        return found


# --- One run ------------------------------------------------------------------------------------


def run(args, smtp, number):
    """One run with a working (normal) or hanging SMTP server; what it measured, as a dict."""
    tmp = Path(tempfile.mkdtemp(prefix="koki-bench-load-"))
    try:
        with Mailbox() as mailbox, HangingServer() as hanging:
            port = mailbox.port if smtp == "normal" else hanging.port
            with Stack(args, port, tmp) as stack:
                result = measure(args, stack, mailbox, smtp)
    except Exception:
        for log in sorted(tmp.glob("*.log")):  # the servers' own words, before the files go
            print(f"--- {log.name}\n{log.read_text()[-3000:]}", file=sys.stderr)
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result["number"] = number
    report(args, result)
    return result


def measure(args, stack, mailbox, smtp):
    tally, load_average = Tally(), os.getloadavg()[0]  # other work on the machine skews the figures
    before = stack.cpu_seconds()
    asyncio.run(load(stack.base, args.clients, args.duration, tally, stack.idle_in_transaction))
    after = stack.cpu_seconds()
    cpu = {name: (after[name] - before.get(name, 0)) / tally.elapsed for name in after}
    result = {"smtp": smtp, "tally": tally, "cpu": cpu, "load_average": load_average, **stored(stack)}
    if smtp == "normal":
        result["drain"] = drain(stack, args.drain)
    else:
        result["queued"] = queued(stack)
        stack.stop("gunicorn")
        result["worker_stop"] = stack.stop("worker", timeout=WORKER_STOP)
        recover(stack, mailbox, args.drain, result)
    result["mail"] = mail_check(stack, mailbox.received(), result)
    result["contact_in_app"] = stack.time_in_app("POST", "/(fr|en)/contact")
    result["log_errors"] = stack.log_errors()
    return result


def stored(stack):
    """What the database holds after the run, for each kind a visitor was told was stored."""
    return {
        "references": {r for (r,) in stack.sql("SELECT reference FROM contact_message")},
        "addresses": {a for (a,) in stack.sql("SELECT email FROM newsletter_subscription")},
        "ledger": stack.scalar("SELECT count(*) FROM consent_ledger"),
        "views": stack.scalar("SELECT coalesce(sum(views), 0) FROM stats_page_views"),
        "redis_keys": len(stack.redis_keys()),
    }


def outbox(stack):
    return stack.scalar("SELECT count(*) FROM mail_outbox")


def drain(stack, timeout):
    """Seconds until the outbox is empty (None if it is not within timeout)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if outbox(stack) == 0:
            return time.monotonic() - start
        time.sleep(0.5)
    return None


def queued(stack):
    rows = stack.sql("SELECT count(*), count(*) FILTER (WHERE attempts > 0) FROM mail_outbox")
    return {"queued": rows[0][0], "tried": rows[0][1]}


def recover(stack, mailbox, timeout, result):
    """The SMTP server answers again: a worker pointed at it, every backoff run out, the outbox drains.

    A new worker and a working server stand for the server coming back; the wait for the
    retries' backoff (minutes) is cut short by making every waiting mail due now.
    """
    stack.sql("UPDATE mail_outbox SET next_attempt_at = now() WHERE next_attempt_at IS NOT NULL")
    stack.env["FLASK_MAIL_PORT"] = str(mailbox.port)
    stack.start_worker("recovery")
    result["drain"] = drain(stack, timeout)


def mail_check(stack, received, result):
    """Mail expected (one per contact message, one per subscription) against mail received."""
    references = Counter(m.group(0) for _, _, subject in received if (m := REFERENCE.search(subject)))
    readers = Counter(to for _, to, _ in received if to != SUPPORT)
    ids = Counter(message_id for message_id, _, _ in received)
    contact, newsletter = result["references"], result["addresses"]
    return {
        "expected": len(contact) + len(newsletter),
        "received": len(received),
        "missing": len(contact - set(references)) + len(newsletter - set(readers)),
        "more_than_once": sum(1 for count in (*references.values(), *readers.values()) if count > 1),
        "duplicate_ids": sum(count - 1 for count in ids.values()),
        "left_in_outbox": outbox(stack),
    }


# --- Redis down ---------------------------------------------------------------------------------


def redis_down(args):
    """Visitors posting the forms with the rate limits' storage unreachable: what got through."""
    tmp = Path(tempfile.mkdtemp(prefix="koki-bench-load-"))
    site = runpy.run_path(str(ROOT / "koki_site" / "config.py"))
    limits = {kind: site[f"{kind.upper()}_RATE_LIMIT"] for kind in ("contact", "newsletter")}
    try:
        with Mailbox() as mailbox:
            stack = Stack(args, mailbox.port, tmp)
            stack.env.update({f"FLASK_{kind.upper()}_RATE_LIMIT": limit for kind, limit in limits.items()})
            stack.env["FLASK_RATELIMIT_STORAGE_URI"] = f"redis://127.0.0.1:{free_port()}"  # nobody there
            stack.env["FLASK_RATE_LIMIT_WORKERS"] = str(args.workers)
            with stack:
                tally = Tally()
                sample = stack.idle_in_transaction
                asyncio.run(load(stack.base, args.clients, args.redis_down, tally, sample, POSTING, True))
                log = (tmp / "gunicorn.log").read_text(errors="replace").splitlines()
    except Exception:
        for log in sorted(tmp.glob("*.log")):
            print(f"--- {log.name}\n{log.read_text()[-3000:]}", file=sys.stderr)
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report_redis_down(args, tally, limits, log)


def report_redis_down(args, tally, limits, log):
    print(f"\n=== Redis down: {args.clients} clients, each from an address of its own, posting the forms")
    print(f"for {tally.elapsed:.1f} s; gunicorn -w {args.workers} (sync), ", end="")
    print(f"RATE_LIMIT_WORKERS={args.workers}; the rate limits' storage a closed port\n")
    for kind, limit in limits.items():
        answers = Counter(status for status, _ in tally.samples.get(f"{kind} POST", []))
        shown = ", ".join(f"{status}×{count}" for status, count in sorted(answers.items(), key=str))
        print(f"{kind} POST ({limit}): {shown or 'none'}")
        counts = list(tally.through[kind].values()) or [0]
        for item in parse_many(limit):
            print(f"  {item.amount} per {item.multiples} {item.GRANULARITY.name}: ", end="")
            if item.get_expiry() <= tally.elapsed:  # each worker's window began anew during the phase
                print("its period is shorter than the phase, not compared")
                continue
            print(f"the most posts one client got through: {max(counts)}; ", end="")
            print(f"clients past it: {sum(count > item.amount for count in counts)}")
    fell_back = [LOG_PREFIX.sub("", line) for line in log if FELL_BACK in line]
    came_back = sum(CAME_BACK in line for line in log)
    print(f"the site's log: {len(fell_back)} lines on the fallback (one per worker), {came_back} on a return")
    for line, count in Counter(fell_back).most_common(2):
        print(f"  {count} × {line[:200]}")


# --- Printing -----------------------------------------------------------------------------------


def reload_phase(args):
    """Visitors browsing while the workers are replaced, by each kind of reload."""
    for kind in ("gunicorn's SIGHUP", "deploy/reload.py"):
        tmp = Path(tempfile.mkdtemp(prefix="koki-bench-load-"))
        try:
            with Mailbox() as mailbox:
                stack = Stack(args, mailbox.port, tmp)
                stack.start_gunicorn = lambda start=stack.start_gunicorn: start(
                    ROOT / "deploy" / "gunicorn.conf.py"
                )
                with stack:
                    tally, window = Tally(), {}
                    master = stack.processes["gunicorn"].pid
                    timer = threading.Timer(args.reload_phase / 3, reload_workers, (kind, master, window))
                    timer.start()
                    asyncio.run(
                        load(stack.base, args.clients, args.reload_phase, tally, stack.idle_in_transaction)
                    )
                    timer.join()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        report_reload(kind, tally, window)


def reload_workers(kind, master, window):
    """Reload; window gets when it began and when every worker ran the new code and answered."""
    old = workers_of(master)
    window["start"] = time.monotonic()
    if kind == "deploy/reload.py":
        subprocess.run([sys.executable, ROOT / "deploy" / "reload.py", str(master)], check=True)
    else:
        os.kill(master, signal.SIGHUP)
        while (now := workers_of(master)) & old or len(now) < len(old) or not all(map(ready, now)):
            time.sleep(0.05)
    window["end"] = time.monotonic()


def workers_of(master):
    return set(map(int, Path(f"/proc/{master}/task/{master}/children").read_text().split()))


def ready(pid):
    return READY_FILE(pid).exists()


def report_reload(kind, tally, window):
    start, end = window["start"], window["end"]
    first = min(t for t, _, _ in tally.finished)
    before = [r for r in tally.finished if first + 2 <= r[0] < start]  # after the first connections
    during = [r for r in tally.finished if start <= r[0] <= end]
    rate_before = len(before) / (start - first - 2)
    rate_during = len(during) / (end - start)
    p99 = milliseconds(percentile([seconds for _, _, seconds in during], 0.99))
    errors = Counter(status for _, status, _ in during if status not in (200, 303))
    print(f"\n=== reload under load: {kind}")
    print(f"every worker on the new code {end - start:.1f} s after the reload began;")
    share = rate_during / rate_before
    print(f"requests/s during it {rate_during:.0f} against {rate_before:.0f} before: {share:.0%}", end="")
    print(f" (target at least 50 %); p99 of the requests that ended then {p99} ms (target under 1000)")
    print(f"answers other than 200 and 303 then: {dict(errors) or 'none'}")


def milliseconds(seconds):
    return f"{seconds * 1000:.0f}"


def report(args, result):
    tally = result["tally"]
    smtp = {"normal": "working (aiosmtpd)", "hanging": "hanging (accepts, never answers)"}[result["smtp"]]
    print(f"\n=== run {result['number']}: SMTP {smtp}")
    print(f"{args.clients} clients for {tally.elapsed:.1f} s; gunicorn -w {args.workers} (sync); PostgreSQL;")
    print(f"rate limits in Redis ({result['redis_keys']} keys); MAIL_DELIVERY=worker, 1 flask worker", end="")
    print(f"; 1-min load average {result['load_average']:.1f} before, {os.getloadavg()[0]:.1f} after\n")
    print_requests(tally)
    in_app = " ".join(
        f"{name} {milliseconds(percentile(result['contact_in_app'], q))}" for name, q in QUANTILES
    )
    print(f"contact POST inside the app (gunicorn's request time, no queueing), ms: {in_app}")
    used = ", ".join(f"{name} {share:.0%}" for name, share in result["cpu"].items())
    print(f"CPU during the load, in share of one core: {used}")
    print_stored(result)
    print_mail(result)
    print("\nconnections idle in transaction, sampled each second:", end=" ")
    print(f"most at once {tally.idle_in_transaction}, for over a second {tally.held_in_transaction}")
    errors = result["log_errors"]
    print(f"error lines in the servers' logs: {sum(errors.values())}")
    for line, count in errors.most_common(8):
        print(f"  {count:>5} × {line}")


def print_requests(tally):
    print(f"{'kind':<16} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  errors")
    for kind in (*KINDS, "all"):
        samples = all_samples(tally) if kind == "all" else tally.samples.get(kind, [])
        seconds = [s for _, s in samples]
        errors = Counter(status for status, _ in samples if not expected(kind, status))
        shown = ", ".join(f"{status}×{count}" for status, count in sorted(errors.items(), key=str)) or "none"
        row = f"{kind:<16} {len(samples):>8} {len(samples) / tally.elapsed:>7.1f}"
        row += "".join(f" {milliseconds(percentile(seconds, p)):>7}" for p in (0.5, 0.95, 0.99))
        print(f"{row}  {shown}")


def all_samples(tally):
    return [sample for samples in tally.samples.values() for sample in samples]


def expected(kind, status):
    if kind == "all":
        return status in (200, 303)
    return status == EXPECTED_STATUS.get(kind, 200)


def print_stored(result):
    tally = result["tally"]
    acknowledged = tally.acknowledged
    print(f"\n{'kind':<16} {'acknowledged':>12} {'stored':>7}  acknowledged, not stored")
    for kind, told, found in (
        ("contact", acknowledged["contact POST"], result["references"]),
        ("newsletter", acknowledged["newsletter POST"], result["addresses"]),
    ):
        print(f"{kind:<16} {len(told):>12} {len(found):>7}  {len(told - found)}")
    print(f"{'consent':<16} {acknowledged['consent POST']:>12} {result['ledger']:>7}  (ledger rows)")
    print(f"{'page views':<16} {tally.views_expected:>12} {result['views']:>7}  (counted, with consent)")
    print(f"double clicks (a form posted twice at once): {tally.double_clicks}, ", end="")
    print(f"both answered 303 to the same page: {tally.answered_alike}")


def print_mail(result):
    mail = result["mail"]
    if result["smtp"] == "hanging":
        queued = result["queued"]
        print(f"\nat the end of the load: {queued['queued']} mails queued ({queued['tried']} tried)", end="")
        print(f" for {mail['expected']} expected", end="")
        if "worker_stop" in result:
            print(f"; the worker stopped in {seconds(result['worker_stop'])} at SIGTERM", end="")
        print(";\nthen a worker sends to a server that answers:")
    else:
        print()
    print(
        f"mail expected {mail['expected']}, received {mail['received']}, missing {mail['missing']}, ", end=""
    )
    print(f"more than once {mail['more_than_once']}, duplicate Message-IDs {mail['duplicate_ids']};")
    drained = seconds(result["drain"], f"more than the limit: {mail['left_in_outbox']} left")
    print(f"the outbox emptied {drained} after {'that' if result['smtp'] == 'hanging' else 'the load'}")


def seconds(value, otherwise="—: it was killed"):
    return f"{value:.1f} s" if value is not None else otherwise


def compare(results):
    """One line per run; throughput per wall-clock second, and per CPU second the site was given
    (the machine is shared: what others run changes the first, much less the second)."""
    print("\n=== hanging against normal (contact POST latencies in ms: as the client saw it, inside the app)")
    print(
        f"{'run':<4} {'SMTP':<8} {'req/s':>6} {'req/CPU s':>9}  client: {'p50':>5} {'p95':>5} {'p99':>5}",
        end="",
    )
    print(f" {'max':>5}  app: {'p99':>4} {'max':>4}  acknowledged = stored, each mail once")
    for result in results:
        client = [s for _, s in result["tally"].samples.get("contact POST", [])]
        in_app = result["contact_in_app"]
        row = f"{result['number']:<4} {result['smtp']:<8} {rate(result):>6.1f} {efficiency(result):>9.0f}"
        row += " " * 9 + "".join(f" {milliseconds(percentile(client, q)):>5}" for _, q in QUANTILES)
        row += " " * 6 + "".join(f" {milliseconds(percentile(in_app, q)):>4}" for q in (0.99, 1.0))
        print(f"{row}  {'yes' if all_held(result) else 'NO'}")
    for name, measure in (("requests/s", rate), ("requests per CPU second of the site", efficiency)):
        normal = [measure(r) for r in results if r["smtp"] == "normal"]
        hanging = [measure(r) for r in results if r["smtp"] == "hanging"]
        if normal and hanging:
            ratio = statistics.mean(hanging) / statistics.mean(normal)
            verdict = "within 20 %" if ratio >= 0.8 else "MORE THAN 20 % BELOW"
            print(f"hanging / normal, {name} (means): {ratio:.2f}, {verdict}")


def rate(result):
    return len(all_samples(result["tally"])) / result["tally"].elapsed


def efficiency(result):
    """Requests per CPU second of the gunicorn workers."""
    return rate(result) / result["cpu"]["gunicorn workers"]


def all_held(result):
    acknowledged, mail = result["tally"].acknowledged, result["mail"]
    return (
        acknowledged["contact POST"] <= result["references"]
        and acknowledged["newsletter POST"] <= result["addresses"]
        and acknowledged["consent POST"] == result["ledger"]
        and result["tally"].views_expected == result["views"]
        and mail["missing"] == mail["duplicate_ids"] == mail["more_than_once"] == mail["left_in_outbox"] == 0
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, metavar="SECONDS")
    parser.add_argument("--clients", type=int, default=64, metavar="N")
    parser.add_argument("--workers", type=int, default=4, metavar="N", help="gunicorn sync workers")
    parser.add_argument("--rounds", type=int, default=1, metavar="N", help="normal then hanging, N times")
    parser.add_argument("--smtp", choices=("both", "normal", "hanging", "none"), default="both")
    parser.add_argument(
        "--redis-down", type=int, default=50, metavar="SECONDS", help="then Redis down this long (0: not)"
    )
    parser.add_argument(
        "--reload-phase", type=int, default=40, metavar="SECONDS", help="then each reload under load (0: not)"
    )
    parser.add_argument("--drain", type=int, default=120, metavar="SECONDS", help="most to wait for the mail")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="koki_bench", help="prefix of the database made for each run")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    args = parser.parse_args()
    subprocess.run([BIN / "pybabel", "-q", "compile", "-d", "translations"], cwd=ROOT, check=True)
    kinds = {"both": ("normal", "hanging"), "none": ()}.get(args.smtp, (args.smtp,))
    results = []
    for _ in range(args.rounds):
        for smtp in kinds:
            results.append(run(args, smtp, len(results) + 1))
    if results:
        compare(results)
    if args.redis_down:
        redis_down(args)
    if args.reload_phase:
        reload_phase(args)


if __name__ == "__main__":
    main()
