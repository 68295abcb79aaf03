"""`flask staff create EMAIL --role ROLE` and `flask staff disable EMAIL`, audited as done by "cli"."""

import click
from flask import current_app
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError

from koki_site.core.auth import ROLES
from koki_site.extensions import db
from koki_site.staff import accounts, bp, links, password_strength, two_factor


@bp.cli.command("create")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(list(ROLES)),
    help="A role of the account; repeat it for several.",
)
@click.option("--name", default="", help='The name that signs the replies, like "Claire Martin".')
def create(email, roles, name):
    """Create a staff account. The password is asked twice (it may be piped: "pw\\npw\\n")."""
    try:
        email = accounts.normalize_email(email)
    except ValueError as error:
        raise click.ClickException(f"{email!r} is not a valid email address: {error}") from None
    if accounts.find(email) is not None:
        raise click.ClickException(f"An account already exists for {email}.")
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with force_locale("en"):  # like the command's other messages
        weakness = password_strength.weakness(password, email)
    if weakness:
        raise click.ClickException(weakness)
    name = " ".join(name.split())[:100]  # one line, at most 100 characters, as the accounts page allows
    account = accounts.create(email, roles, password, actor="cli", name=name)
    try:
        db.session.commit()
    except IntegrityError:  # created by someone else since the check above
        db.session.rollback()
        raise click.ClickException(f"An account already exists for {email}.") from None
    click.echo(f"Account created: {email} ({', '.join(account.roles)}).")
    if two_factor.required(account):
        # The password alone reaches no setup page: this link, handed to the person, does.
        link = links.new_link(account, links.ENROL)
        db.session.commit()
        hours = current_app.config["STAFF_ENROL_LINK_HOURS"]
        click.echo(f"Its second factor is set up through this link, valid {hours} hours, then the password:")
        click.echo(link)


@bp.cli.command("disable")
@click.argument("email")
def disable(email):
    """Disable a staff account: it can no longer log in, and its open sessions end."""
    account = accounts.find(email)
    if account is None:
        raise click.ClickException(f"No account for {email}.")
    accounts.set_enabled(account, False, actor="cli")
    db.session.commit()
    click.echo(f"Account disabled: {account.email}.")
