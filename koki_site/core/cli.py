"""Core commands: `flask translate …`, `flask mail send`, `flask purge` (capabilities add theirs)."""

import sys
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from koki_site import backups, mail
from koki_site.core import retention, worker
from koki_site.core.i18n import compile_catalogues, translations_directory
from koki_site.extensions import db
from koki_site.mail import inbound

translate = AppGroup("translate", help="Update and compile the message catalogues.")
mail_group = AppGroup("mail", help="The mail outbox.")
# What marks a message to translate, besides _() and gettext(): lazy labels, and labels with a context.
EXTRACT_KEYWORDS = ("-k", "_l", "-k", "lazy_pgettext:1c,2")


def init_app(app):
    app.cli.add_command(translate)
    app.cli.add_command(mail_group)
    retention.init_app(app)
    backups.init_app(app)
    app.cli.add_command(worker.worker_command)


@mail_group.command("send")
def mail_send():
    """Deliver the mail that is due (new, or waiting to be tried again)."""
    sent, failed = mail.deliver()
    click.echo(f"Mail sent: {sent}, not sent: {failed}.")


@mail_group.command("receive")
@click.option(
    "--to", "recipient", metavar="ADDRESS", help="The envelope recipient, as the mail server gives it."
)
@click.pass_context
def mail_receive(context, recipient):
    """File one mail (RFC 5322, on standard input) sent to a reply address; exit status as sysexits.h."""
    raw = inbound.read_capped(sys.stdin.buffer, current_app.config["MAIL_RECEIVE_MAX_BYTES"])
    if raw is None:
        status, said = inbound.EX_DATAERR, "message too large"
    else:
        try:
            status, said = inbound.receive(raw, recipient)
            if current_app.config["MAIL_DELIVERY"] == "inline":
                mail.deliver_queued()  # tests; else the worker sends the note to support
        except Exception as error:  # the server acts on a sysexits status; a traceback's 1 is none
            db.session.rollback()
            status, said = inbound.failed(error)
            current_app.logger.exception("mail not filed (exit %d)", status)
    click.echo(said, err=status != inbound.EX_OK)
    context.exit(status)


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
