"""`flask mail send` and `flask mail receive`: the outbox by hand, and answers piped by the mail server."""

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from koki_site import mail
from koki_site.extensions import db
from koki_site.mail import inbound

mail_group = AppGroup("mail", help="The mail outbox.")


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
