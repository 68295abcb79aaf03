"""PostgreSQL servers of a test's own on loopback: a primary, a streaming standby, its promotion.

Debian's server binaries (/usr/lib/postgresql/<version>/bin), in a folder of the test's. initdb
refuses to run as root: run as root, as the tests are, the servers run as the postgres account,
which owns that folder. Each server is started in a session of its own and stopped by its id.
"""

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import psycopg

from tests.conftest import free_port
from tests.helpers.deploy import stop, wait_until


def server_binaries():
    """The folder of the newest PostgreSQL server installed, or None."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not found:
        return None
    return Path(max(found, key=lambda path: int(Path(path).parts[-3]))).parent


def account():
    """The account the servers run as: postgres under root, else the test's own; None if missing."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        return None


class Cluster:
    """The servers of one test, in one temporary folder; stop() stops them all and deletes it."""

    def __init__(self, binaries, user):
        self.binaries, self.user = binaries, user
        self.root = Path(tempfile.mkdtemp(prefix="koki-replication-"))
        os.chown(self.root, user.pw_uid, user.pw_gid)
        self.servers = []

    def as_user(self):
        """What subprocess needs to run a program as the servers' account (nothing: as ourselves)."""
        if os.geteuid() != 0:
            return {}
        return {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}

    def run(self, program, *args):
        command = [self.binaries / program, *args]
        options = {"cwd": self.root, "env": self.env(), "capture_output": True, "text": True, "timeout": 60}
        done = subprocess.run(command, **options, **self.as_user())
        assert done.returncode == 0, f"{program} failed:\n{done.stdout}{done.stderr}"

    def env(self):
        # HOME: pg_basebackup -R names $HOME/.pgpass in what it writes; the test's home is not theirs.
        return {"PATH": os.environ["PATH"], "HOME": str(self.root), "LC_ALL": "C.UTF-8"}

    def primary(self, name, **settings):
        """A new cluster, started; settings are the server's (-c name=value), such as its standbys."""
        server = Server(self, name)
        self.run("initdb", "-D", server.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        return server.start(settings)

    def standby_of(self, primary, name, **settings):
        """A copy of primary's cluster by pg_basebackup -R, streaming from it under application_name name."""
        server = Server(self, name)
        source = f"host=127.0.0.1 port={primary.port} user=postgres application_name={name}"
        self.run("pg_basebackup", "-d", source, "-D", server.data, "-R", "-X", "stream", "--checkpoint=fast")
        return server.start(settings)

    def stop(self):
        for server in self.servers:
            server.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class Server:
    """One postgres process on a free port of 127.0.0.1, its log beside its data."""

    def __init__(self, cluster, name):
        self.cluster, self.name = cluster, name
        self.port = free_port()
        self.data = cluster.root / name
        self.log_path = cluster.root / f"{name}.log"
        self.process = None

    def start(self, settings):
        settings = {
            "port": self.port,
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": self.cluster.root,
            **settings,
        }
        options = [arg for key, value in settings.items() for arg in ("-c", f"{key}={value}")]
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [self.cluster.binaries / "postgres", "-D", self.data, *options],
                cwd=self.cluster.root,
                env=self.cluster.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **self.cluster.as_user(),
            )
        self.cluster.servers.append(self)
        wait_until(self.answers, 30, f"PostgreSQL {self.name} on port {self.port}\n{self.log()}")
        return self

    def connect(self, dbname="postgres"):
        address = {"host": "127.0.0.1", "port": self.port, "user": "postgres", "dbname": dbname}
        return psycopg.connect(**address, autocommit=True, connect_timeout=5)

    def answers(self):
        if self.process.poll() is not None:
            code = self.process.returncode
            raise AssertionError(f"PostgreSQL {self.name} exited with {code}\n{self.log()}")
        try:
            self.connect().close()
            return True
        except psycopg.OperationalError:
            return False

    def query(self, sql, dbname="postgres"):
        """The rows of one statement ([] for a statement that returns none)."""
        with self.connect(dbname) as connection:
            cursor = connection.execute(sql)
            return cursor.fetchall() if cursor.description else []

    def kill(self):
        """Every process of the server at once, with no warning: as when its machine goes."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def promote(self):
        """A standby becomes a primary (pg_ctl promote, which waits until it takes writes)."""
        self.cluster.run("pg_ctl", "promote", "-w", "-D", self.data)

    def stop(self):
        if self.process is not None:
            stop(self.process, signal.SIGINT, timeout=20)  # PostgreSQL's fast shutdown

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
