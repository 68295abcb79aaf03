"""Servers and processes for the delivery tests: SMTP servers that never answer or hang up at once,
`flask worker`."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import SECRET, free_port

ROOT = Path(__file__).resolve().parents[2]


class SilentServer:
    """Accepts connections and never says a word: the SMTP greeting never comes."""

    def __init__(self):
        self.port = free_port()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.connections = []
        self.most_at_once = 0
        self.thread = threading.Thread(target=self.accept, daemon=True)

    def accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return  # closed
            self.connections.append(connection)
            open_now = sum(1 for c in self.connections if c.fileno() != -1 and not peer_gone(c))
            self.most_at_once = max(self.most_at_once, open_now)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() of the thread
        self.thread.join()
        self.listener.close()
        for connection in self.connections:
            connection.close()


class HangingUpServer(SilentServer):
    """Accepts connections and closes each at once, after greeting (a 421, say) or without a word."""

    def __init__(self, greeting=b""):
        super().__init__()
        self.greeting = greeting

    def accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return  # closed
            with connection:
                connection.sendall(self.greeting)
            self.connections.append(connection)


def peer_gone(connection):
    """Whether the client closed its side (it gave up after its timeout)."""
    connection.setblocking(False)
    try:
        return connection.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        connection.setblocking(True)


def wait_for_a_connection(server, timeout=20):
    """Until a worker has connected: it holds a claimed mail, waiting for the greeting."""
    deadline = time.monotonic() + timeout
    while not server.connections and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.connections, "nobody connected to the SMTP server"


def start_worker(database_url, mail_port, **settings):
    """`flask --app app worker` in a process of its own, as on another host."""
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith("FLASK_")},
        "FLASK_SECRET_KEY": SECRET,
        "FLASK_SQLALCHEMY_DATABASE_URI": database_url,
        "FLASK_MAIL_SERVER": "127.0.0.1",
        "FLASK_MAIL_PORT": str(mail_port),
        "FLASK_WORKER_POLL_SECONDS": "0.2",
        **{f"FLASK_{name}": str(value) for name, value in settings.items()},
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop_worker(process):
    """SIGTERM, as systemd stops it; the log it wrote."""
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    return output
