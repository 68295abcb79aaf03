"""The schema's migrations (Flask-Migrate, Alembic), loaded only when something uses them.

Importing Flask-Migrate and Alembic makes a command start 1.29 times slower, and no page or other
command needs them (docs/benchmarks.md). So `flask db` is a small group that loads Flask-Migrate
when it runs, and the code that upgrades or reads the migrations (a restore, the tests) calls
`ensure(app)` first.
"""

from pathlib import Path

import click
from flask.cli import ScriptInfo

from koki_site.extensions import db

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def init_app(app):
    app.cli.add_command(LazyDbGroup("db", help="Database migrations (Flask-Migrate)."))


def ensure(app):
    """Flask-Migrate, set up for app (once)."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        # render_as_batch: SQLite cannot ALTER most things, Alembic copies the table instead.
        Migrate(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    return app.extensions["migrate"]


class LazyDbGroup(click.Group):
    """`flask db …`: Flask-Migrate's own group, imported when it runs (its options and commands)."""

    def real(self):
        from flask_migrate.cli import db as commands

        return commands

    def make_context(self, info_name, args, parent=None, **extra):
        real = self.real()
        self.params, self.callback = real.params, real.callback
        return super().make_context(info_name, args, parent, **extra)

    def list_commands(self, ctx):
        return self.real().list_commands(ctx)

    def get_command(self, ctx, name):
        return self.real().get_command(ctx, name)

    def invoke(self, ctx):
        ensure(ctx.ensure_object(ScriptInfo).load_app())
        return super().invoke(ctx)


def upgrade():
    """Flask-Migrate's upgrade to the newest revision, for the current app."""
    from flask import current_app
    from flask_migrate import upgrade as migrate_upgrade

    ensure(current_app._get_current_object())
    migrate_upgrade()


def script_directory():
    """Alembic's view of the migrations: their revisions and the newest one."""
    from alembic.script import ScriptDirectory
    from flask import current_app

    return ScriptDirectory.from_config(ensure(current_app._get_current_object()).migrate.get_config())
