"""Core commands: `flask translate …`, `flask purge` (mail, backups and capabilities add theirs)."""

import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from koki_site.core import retention
from koki_site.core.i18n import compile_catalogues, translations_directory

translate = AppGroup("translate", help="Update and compile the message catalogues.")
# What marks a message to translate, besides _() and gettext(): lazy labels, and labels with a context.
EXTRACT_KEYWORDS = ("-k", "_l", "-k", "lazy_pgettext:1c,2")


def init_app(app):
    app.cli.add_command(translate)
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
