"""Core commands: `flask translate …`, `flask purge`, `flask check [--deploy]` (mail, backups and
capabilities add theirs)."""

import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale

from koki_site.core import go_live, retention
from koki_site.core.i18n import compile_catalogues, translations_directory

translate = AppGroup("translate", help="Update and compile the message catalogues.")
# What marks a message to translate, besides _() and gettext(): lazy labels, and labels with a context.
EXTRACT_KEYWORDS = ("-k", "_l", "-k", "lazy_pgettext:1c,2")


def init_app(app):
    app.cli.add_command(translate)
    app.cli.add_command(check_command)
    retention.init_app(app)


def pybabel(*args):
    from babel.messages.frontend import CommandLineInterface  # for `translate` only: the CLI starts faster

    CommandLineInterface().run(["pybabel", "-q", *args])


@translate.command("update")
def translate_update():
    """Extract the messages and merge them into every catalogue (new languages included)."""
    root, translations = Path(current_app.root_path).parent, translations_directory(current_app)
    with tempfile.TemporaryDirectory() as tmp:
        pot = str(Path(tmp) / "messages.pot")
        pybabel(
            "extract",
            "-F",
            str(root / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_pgettext:1c,2",
            "--no-location",
            "-o",
            pot,
            str(root),
        )
        for lang in current_app.config["LANGUAGES"]:
            if lang == "en":
                continue  # the messages are written in English
            po = translations / lang / "LC_MESSAGES" / "messages.po"
            command = "update" if po.exists() else "init"
            extra = ("--no-fuzzy-matching", "--ignore-obsolete") if po.exists() else ()
            pybabel(command, "-i", pot, "-d", str(translations), "-l", lang, *extra)
    click.echo(f"Catalogues updated in {translations}: translate the new entries, then compile.")


@translate.command("compile")
def translate_compile():
    """Compile the .po catalogues into the .mo files the site reads."""
    compiled = compile_catalogues(translations_directory(current_app), force=True)
    click.echo(f"Catalogues compiled: {', '.join(compiled) or 'none'}.")


@click.command("check")
@click.option(
    "--deploy", is_flag=True, help="Also what a live site needs: keys, HTTPS, mail, backups, a worker."
)
@with_appcontext
def check_command(deploy):
    """Say what is not ready, in words, and exit 1; exit 0 when nothing is found.

    Without --deploy, only what matters on any install: the schema, and a configured SMTP server.
    """
    with force_locale("en"):  # for the operator; and no request, so no language to choose from
        found = go_live.findings() if deploy else go_live.local_findings()
    if not found:
        click.echo("Ready to go live: nothing found." if deploy else "Nothing found (--deploy checks more).")
        return
    click.echo(f"Not ready to go live ({len(found)} found):" if deploy else f"{len(found)} found:")
    for finding in found:
        click.echo(f"- {finding.key}: {finding.message}")
    raise SystemExit(1)
