"""`systemctl reload koki-site` (deploy/reload.py): the workers are replaced one at a time, by
workers of the code on disk, and the site answers all along."""

import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

from tests.helpers.deploy import HOST, LOOPBACK, ROOT, Gunicorn, app_environment, wait_until

RELOAD = ROOT / "deploy" / "reload.py"


def workers(master):
    return set(map(int, Path(f"/proc/{master}/task/{master}/children").read_text().split()))


def test_a_reload_replaces_every_worker_one_at_a_time_and_the_site_answers_throughout(
    migrated_database, tmp_path
):
    gunicorn = Gunicorn(app_environment(migrated_database), tmp_path / "gunicorn.log", workers=2).wait_ready()
    master = gunicorn.process.pid
    try:
        wait_until(lambda: len(workers(master)) == 2, 30, "two workers")
        old = workers(master)
        answers, counts, done = [], [], threading.Event()

        def visit():  # a visitor asking for a page after another while the reload runs
            healthz = urllib.request.Request(gunicorn.url + "/healthz", headers={"Host": HOST})
            while not done.is_set():
                try:
                    with LOOPBACK.open(healthz, timeout=10) as response:
                        answers.append(response.status)
                except OSError as error:
                    answers.append(repr(error))
                counts.append(len(workers(master)))

        visitor = threading.Thread(target=visit)
        visitor.start()
        try:
            subprocess.run([sys.executable, RELOAD, str(master)], check=True, timeout=120)
        finally:
            done.set()
            visitor.join()

        new = workers(master)
        assert len(new) == 2 and not new & old  # every worker replaced, as many as before
        assert answers and set(answers) == {200}, answers
        assert min(counts) >= 2 and max(counts) <= 3  # never fewer workers than before, one more at most
    finally:
        gunicorn.stop()
