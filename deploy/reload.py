"""Replace gunicorn's workers one at a time by workers of the code now on disk: `systemctl reload`.

gunicorn's own reload (SIGHUP) starts every new worker at once and stops the old ones without
waiting for the new to have loaded the app: on a small machine nobody answers for seconds. Here
the master is asked for one more worker (SIGTTIN); once that worker has loaded the app (it says so
with a file, post_worker_init in gunicorn.conf.py), for one fewer (SIGTTOU), and gunicorn stops
its oldest worker gracefully. As many times as there were workers: capacity never drops by more
than one worker, and the new code is running everywhere at the end.

    python deploy/reload.py MASTER_PID      (deploy/systemd/koki-site.service: ExecReload)

The gunicorn settings themselves (deploy/gunicorn.conf.py) are read at a restart, not here.
"""

import os
import signal
import sys
import tempfile
import time
from pathlib import Path

WAIT = 60  # seconds a new worker may take to load the app before the reload gives up


def ready_file(pid):
    """The file a worker writes once its app is loaded (and removes when it exits)."""
    return Path(tempfile.gettempdir()) / f"koki-site-worker-{pid}.ready"


def workers(master):
    return set(map(int, Path(f"/proc/{master}/task/{master}/children").read_text().split()))


def wait_for(condition, what):
    deadline = time.monotonic() + WAIT
    while not (found := condition()):
        if time.monotonic() > deadline:
            sys.exit(f"reload stopped: {what} after {WAIT} s")
        time.sleep(0.05)
    return found


def replace_one(master, count):
    before = workers(master)
    os.kill(master, signal.SIGTTIN)
    new = wait_for(lambda: workers(master) - before, "no new worker")
    wait_for(lambda: all(ready_file(pid).exists() for pid in new), "the new worker did not load the app")
    os.kill(master, signal.SIGTTOU)
    wait_for(lambda: len(workers(master)) <= count, "the oldest worker did not stop")


def main(master):
    old = workers(master)
    for _ in old:
        replace_one(master, len(old))


if __name__ == "__main__":
    main(int(sys.argv[1]))
