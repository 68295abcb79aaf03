"""Backups' tests: the commands, and what people change after a backup that a restore must keep."""

from sqlalchemy import select

from koki_site.contact.models import ContactMessage
from koki_site.extensions import db
from koki_site.newsletter.models import Subscription
from tests.helpers import soup, tables_holding
from tests.helpers.contact import send_contact
from tests.helpers.newsletter import links, subscribe
from tests.helpers.rights import ask, verify_link

BACKUP_KEY = "a backup key of more than thirty-two characters"  # a passphrase the app accepts


def write_and_subscribe_ada_and_bob(app, smtp):
    """Ada and Bob wrote and subscribed (confirmed)."""
    for email, first_name in (("ada@example.org", "Ada"), ("bob@example.org", "Bob")):
        send_contact(app.test_client(), "en", email=email, first_name=first_name)
        subscribe(app.test_client(), email)
    for message in smtp.wait_for(4):
        if "confirm" in links(message):
            app.test_client().post(links(message)["confirm"])
    smtp.messages.clear()


def invoke(runner, *args, input=None):
    result = runner.invoke(args=[str(arg) for arg in args], input=input)
    return result.exit_code, result.output


def verified(client, smtp, right, email):
    ask(client, right, email)
    (mail,) = [m for m in smtp.wait_for(1) if m["To"] == email]
    smtp.messages.clear()
    path = verify_link(mail)
    client.post(path, data={"action": "verify"})
    return path


def names(app):
    with app.app_context():
        return sorted(db.session.scalars(select(ContactMessage.first_name)).all())


def erase_ada_rename_bob_and_unsubscribe_him(app, client, smtp):
    """After a backup: Ada has everything erased; Bob corrects his name, then unsubscribes."""
    erasure = verified(client, smtp, "erasure", "ada@example.org")
    assert client.post(erasure, data={"action": "erase"}).status_code == 200
    bob = app.test_client()
    rectification = verified(bob, smtp, "rectification", "bob@example.org")
    token = soup(bob.get(rectification)).find("input", attrs={"name": "csrf_token"})["value"]
    corrected = {"action": "rectify", "csrf_token": token, "first_name": "Robert", "last_name": "Lovelace"}
    assert bob.post(rectification, data=corrected).status_code == 200
    assert names(app) == ["Robert"]
    withdrawal = verified(bob, smtp, "withdraw_consent", "bob@example.org")
    assert bob.post(withdrawal, data={"action": "withdraw"}).status_code == 200
    assert tables_holding(app, "ada@example.org") == {"rights_request"}


def assert_restored_but_what_changed_since(app, output):
    """Everything of the backup is back, but Ada's data, Bob's old name and Bob's subscription."""
    assert "done again since: erase × 1" in output, output
    assert tables_holding(app, "ada@example.org") == set()
    assert names(app) == ["Robert"]
    with app.app_context():
        (bob_subscription,) = db.session.scalars(select(Subscription)).all()
    assert bob_subscription.status == "unsubscribed" and bob_subscription.email is None
