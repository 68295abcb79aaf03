"""Staff accounts: `flask staff create/disable`, and the admin's page, every change audited."""

import json

import pytest

from tests.helpers import soup, visible_text
from tests.helpers.inbox import one_message, reply
from tests.helpers.staff import (
    account,
    add_account,
    add_failures,
    audit_entries,
    csrf_token,
    failures,
    log_in,
)

pytestmark = pytest.mark.db

PASSWORD = "correct-horse-battery"
EN = {"Accept-Language": "en"}


@pytest.fixture
def client(app):
    """A browser that asks for English: these tests read the back office's English texts."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def create(runner, *args, input=f"{PASSWORD}\n{PASSWORD}\n"):
    return runner.invoke(args=["staff", "create", *args], input=input)


def test_cli_creates_an_account_with_a_piped_password(app, runner, client):
    result = create(runner, "Grace@KOKI.test", "--role", "dpo", "--role", "support", "--role", "dpo")
    assert result.exit_code == 0, result.output
    stored = account(app, "grace@koki.test")
    assert stored.roles == ("support", "dpo") and stored.enabled  # each once, in a fixed order
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
    assert PASSWORD not in result.output
    [entry] = audit_entries(app, "account_change")
    assert entry.actor == "cli" and entry.target == f"staff:{stored.id}"
    assert json.loads(entry.details) == {
        "change": "create",
        "email": "grace@koki.test",
        "roles": ["support", "dpo"],
    }
    assert log_in(client, "grace@koki.test", PASSWORD).status_code == 303


def test_cli_refuses_a_short_password(app, runner):
    result = create(runner, "grace@koki.test", "--role", "dpo", input="short-11chr\nshort-11chr\n")
    assert result.exit_code == 1
    assert "at least 12 characters" in result.output
    assert account(app, "grace@koki.test") is None


def test_cli_refuses_two_different_passwords(app, runner):
    result = create(runner, "grace@koki.test", "--role", "dpo", input=f"{PASSWORD}\n{PASSWORD}-typo\n")
    assert result.exit_code == 1
    assert "do not match" in result.output
    assert account(app, "grace@koki.test") is None


def test_cli_refuses_an_existing_address(app, runner):
    add_account(app, "grace@koki.test", "support")
    result = create(runner, "GRACE@koki.test", "--role", "dpo")
    assert result.exit_code == 1
    assert "already exists for grace@koki.test" in result.output
    assert account(app, "grace@koki.test").roles == ("support",)


@pytest.mark.parametrize(
    "args, code",
    [
        (("grace@koki.test",), 2),  # no role
        (("grace@koki.test", "--role", "root"), 2),
        (("not-an-address", "--role", "dpo"), 1),
    ],
)
def test_cli_refuses_a_missing_role_an_unknown_role_and_a_bad_address(app, runner, args, code):
    result = create(runner, *args)
    assert result.exit_code == code
    assert not audit_entries(app)


def test_cli_disable_ends_logging_in(app, runner, client):
    add_account(app, "grace@koki.test", "support")
    assert log_in(client, "grace@koki.test").status_code == 303  # an open session...
    result = runner.invoke(args=["staff", "disable", "grace@koki.test"])
    assert result.exit_code == 0, result.output
    assert client.get("/staff/").status_code == 302  # ...ends
    response = log_in(client, "grace@koki.test")
    assert response.status_code == 200 and "wrong email or password, or too many attempts." in visible_text(
        response
    )
    entry = audit_entries(app, "account_change")[-1]
    assert entry.actor == "cli" and json.loads(entry.details)["change"] == "disable"
    assert runner.invoke(args=["staff", "disable", "nobody@koki.test"]).exit_code == 1


def post_form(client, path, data, page="/staff/accounts"):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def test_the_admin_lists_the_accounts(app, staff):
    add_account(app, "grace@koki.test", "dpo", "support", enabled=False)
    add_account(app, "linus@koki.test", "marketing")
    add_failures(app, "linus@koki.test", 5)
    add_failures(app, "linus@koki.test", 2, address="192.0.2.7")
    page = soup(staff("admin").get("/staff/accounts", headers=EN))
    rows = {row.th.get_text(strip=True): row for row in page.find("table").tbody.find_all("tr")}
    assert set(rows) == {"admin@koki.test", "grace@koki.test", "linus@koki.test"}
    grace = rows["grace@koki.test"]
    assert {box["value"] for box in grace.find_all("input", checked=True)} == {"dpo", "support"}
    assert "disabled" in grace.get_text(" ").lower()
    assert "never" in grace.get_text(" ").lower()
    linus = " ".join(rows["linus@koki.test"].get_text(" ").lower().split())
    assert "locked for 1 address" in linus and "7 failed logins in the last hour" in linus
    assert "failed login" not in grace.get_text(" ").lower()
    assert not grace.find("form", action=lambda a: a.endswith("/unlock"))  # nothing to unlock
    assert rows["linus@koki.test"].find("form", action=lambda a: a.endswith("/unlock"))
    assert not rows["admin@koki.test"].find("form", action=lambda a: a.endswith("/disable"))  # not oneself


def test_the_admin_creates_an_account(app, staff, client):
    admin = staff("admin")
    response = post_form(
        admin,
        "/staff/accounts",
        {
            "email": "Grace@koki.test",
            "roles": ["dpo", "marketing"],
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 303
    assert "account created for grace@koki.test." in visible_text(admin.get("/staff/accounts", headers=EN))
    assert account(app, "grace@koki.test").roles == ("marketing", "dpo")
    entry = audit_entries(app, "account_change")[-1]
    assert entry.actor == "admin@koki.test" and json.loads(entry.details)["change"] == "create"
    assert log_in(client, "grace@koki.test", PASSWORD).status_code == 303


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"password": "short-11chr", "confirm": "short-11chr"}, "password", "at least 12 characters"),
        ({"confirm": "something-else"}, "confirm", "the two passwords differ."),
        ({"email": "admin@koki.test"}, "email", "an account already exists for this address."),
        ({"email": "not-an-address"}, "email", "enter a valid email address."),
        ({"roles": []}, "roles", "choose at least one role."),
    ],
)
def test_the_creation_form_shows_what_is_wrong(app, staff, fields, field, message):
    data = {"email": "grace@koki.test", "roles": ["dpo"], "password": PASSWORD, "confirm": PASSWORD, **fields}
    response = post_form(staff("admin"), "/staff/accounts", data)
    assert response.status_code == 200
    page = soup(response)
    error = page.find(id=f"{field}-error")
    assert message in error.get_text(" ").lower()
    described = page.find(attrs={"aria-describedby": lambda ids: ids and error["id"] in ids.split()})
    assert described is not None  # the error is read with its field
    assert account(app, "grace@koki.test") is None


def test_the_admin_changes_roles_disables_enables_and_unlocks(app, staff, client):
    admin = staff("admin")
    grace = add_account(app, "grace@koki.test", "support")
    add_failures(app, "grace@koki.test", 5, address="127.0.0.1")  # the test client's own address
    assert (
        post_form(admin, f"/staff/accounts/{grace}/roles", {"roles": ["support", "dpo"]}).status_code == 303
    )
    assert account(app, "grace@koki.test").roles == ("support", "dpo")
    assert log_in(client, "grace@koki.test").status_code == 200  # locked out
    post_form(admin, f"/staff/accounts/{grace}/unlock", {})
    assert not failures(app, "grace@koki.test")
    post_form(admin, f"/staff/accounts/{grace}/disable", {})
    assert not account(app, "grace@koki.test").enabled
    assert log_in(client, "grace@koki.test").status_code == 200  # refused
    post_form(admin, f"/staff/accounts/{grace}/enable", {})
    assert log_in(client, "grace@koki.test").status_code == 303
    changes = [json.loads(entry.details) for entry in audit_entries(app, "account_change")]
    assert [change["change"] for change in changes] == ["roles", "unlock", "disable", "enable"]
    assert changes[0]["before"] == ["support"] and changes[0]["roles"] == ["support", "dpo"]
    assert {entry.actor for entry in audit_entries(app, "account_change")} == {"admin@koki.test"}


def test_an_admin_cannot_disable_themselves_nor_drop_their_admin_role(app, staff):
    admin = staff("admin")
    own = account(app, "admin@koki.test").id
    response = post_form(admin, f"/staff/accounts/{own}/disable", {})
    assert "you cannot disable your own account." in visible_text(
        admin.get(response.headers["Location"], headers=EN)
    )
    response = post_form(admin, f"/staff/accounts/{own}/roles", {"roles": ["dpo"]})
    assert "you cannot remove your own administrator role." in visible_text(
        admin.get(response.headers["Location"], headers=EN)
    )
    stored = account(app, "admin@koki.test")
    assert stored.enabled and stored.roles == ("admin",)
    assert not audit_entries(app, "account_change")


def test_roles_need_one_at_least(app, staff):
    admin = staff("admin")
    grace = add_account(app, "grace@koki.test", "support")
    response = post_form(admin, f"/staff/accounts/{grace}/roles", {})
    assert "choose at least one role." in visible_text(admin.get(response.headers["Location"], headers=EN))
    assert account(app, "grace@koki.test").roles == ("support",)


@pytest.mark.parametrize("role", ["support", "marketing", "dpo"])
def test_only_admins_manage_accounts(app, staff, role):
    grace = add_account(app, "grace@koki.test", "support")
    client = staff(role)
    assert client.get("/staff/accounts").status_code == 403
    token = csrf_token(client, "/staff/")
    for action in ("disable", "unlock", "roles"):
        data = {"csrf_token": token, "roles": ["admin"]}
        assert client.post(f"/staff/accounts/{grace}/{action}", data=data).status_code == 403
    assert account(app, "grace@koki.test").enabled and account(app, "grace@koki.test").roles == ("support",)


def test_unknown_account_is_a_404(staff):
    admin = staff("admin")
    assert post_form(admin, "/staff/accounts/999/disable", {}).status_code == 404


def test_a_display_name_signs_the_replies_set_by_the_cli_and_changed_by_the_admin(app, runner, client, staff):
    """`flask staff create … --name`, the accounts page's name form, and the thread's "Reply by"."""
    assert create(runner, "claire@koki.test", "--role", "support", "--name", "Claire  Martin").exit_code == 0
    assert account(app, "claire@koki.test").display_name == "Claire Martin"

    admin = staff("admin")
    claire = account(app, "claire@koki.test")
    response = admin.post(
        f"/staff/accounts/{claire.id}/name",
        data={"csrf_token": csrf_token(admin, "/staff/accounts"), "name": "Claire Martin-Durand"},
    )
    assert response.status_code == 303
    assert account(app, "claire@koki.test").display_name == "Claire Martin-Durand"
    names = [e for e in audit_entries(app, "account_change") if json.loads(e.details)["change"] == "name"]
    assert json.loads(names[0].details)["name"] == "Claire Martin-Durand"
    page = admin.get("/staff/accounts")
    assert soup(page).find("input", id=f"name-{claire.id}")["value"] == "Claire Martin-Durand"
    forged = admin.post(
        f"/staff/accounts/{claire.id}/name",
        data={"csrf_token": csrf_token(admin, "/staff/accounts"), "name": "Claire\r\nBcc: x@example.org"},
    )
    assert (
        forged.status_code == 303 and account(app, "claire@koki.test").display_name == "Claire Martin-Durand"
    )

    message_id = one_message(app, app.test_client(), "en", first_name="Grace")
    log_in(client, "claire@koki.test", PASSWORD)
    reply(client, message_id, "Hello Grace,\n\nHere it is.")
    assert "reply by claire martin-durand" in visible_text(client.get(f"/staff/messages/{message_id}"))
