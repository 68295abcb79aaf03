"""The log holds nothing personal, yet says what is wrong: the app's own words as written, what came
from data withheld."""

import logging
import sys
from datetime import UTC, datetime

import pytest

from koki_site.backups import dumps
from koki_site.backups.archive import BackupError
from koki_site.core import jobs

pytestmark = pytest.mark.db
# What pg_restore may print about a row it could not put back.
TYPED = "ada@example.org"
TOOL_SAYS = "ERROR: duplicate key value violates unique constraint DETAIL: Key (email)=(ada@example.org)"


def test_the_apps_own_words_are_logged_as_written_what_came_from_data_is_withheld(app, caplog):
    caplog.set_level(logging.ERROR)
    app.config["BACKUP_KEY"] = "too short"  # the start-up check of keys is off in tests
    failing_tool = [sys.executable, "-c", f"import sys; sys.exit({TOOL_SAYS!r})"]
    with app.app_context():
        jobs.run_due(datetime.now(UTC))  # the daily backup fails, and says why in our words
        try:
            dumps.run(failing_tool)
        except BackupError as error:
            assert TOOL_SAYS in str(error)  # whoever ran the command reads it all
            app.logger.exception("restore failed")
        try:
            raise ValueError(f"{TYPED} is not a valid address")  # not our words: withheld
        except ValueError:
            app.logger.exception("refused")
    assert "BackupError: BACKUP_KEY must be set, 32 characters or more." in caplog.text
    assert f"BackupError: {sys.executable} failed: [withheld]" in caplog.text
    assert "ValueError [details withheld: they may hold personal data]" in caplog.text
    assert "ada@example.org" not in caplog.text
