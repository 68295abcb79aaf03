"""The staff pages, who may open each, and the links the layout and the home page show.

A page is linked only for the roles that role_required() lets in, so no link leads to a 403.
Pages are named by their path, which is fixed (the staff URLs never move), whatever the blueprint
that serves them; a test opens every one.
"""

from dataclasses import dataclass

from flask import request
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import current_user


@dataclass(frozen=True)
class StaffPage:
    path: str
    label: str
    description: str
    roles: tuple = ()  # empty: any staff member
    menu_label: str = None  # shorter, for the menu, where the label is long
    own: bool = False  # the person's own settings: beside their name rather than in the menu

    @property
    def current(self):
        """Whether the request is for this page or one below it (a message of the inbox)."""
        if self.path == "/staff/":
            return request.path == self.path
        return request.path == self.path or request.path.startswith(self.path + "/")


PAGES = (
    StaffPage("/staff/", _l("Home"), _l("The pages open to you.")),
    StaffPage("/staff/messages", _l("Messages"), _l("Read and answer contact messages."), ("support",)),
    StaffPage("/staff/newsletter", _l("Newsletter"), _l("Subscribers and their export."), ("marketing",)),
    StaffPage(
        "/staff/rights",
        _l("Rights requests"),
        _l("Requests and their deadlines."),
        ("dpo",),
        menu_label=lazy_pgettext("staff menu", "Rights requests"),
    ),
    StaffPage("/staff/audit", _l("Audit log"), _l("Who did what, and when."), ("dpo",)),
    StaffPage("/staff/consent", _l("Cookie choices"), _l("The recorded choices of one visitor."), ("dpo",)),
    StaffPage("/staff/retention", _l("Retention"), _l("What the next purges will remove."), ("dpo",)),
    StaffPage("/staff/register", _l("Register"), _l("The record of processing activities."), ("dpo",)),
    StaffPage("/staff/stats", _l("Statistics"), _l("Page views and cookie choices per day.")),
    StaffPage("/staff/accounts", _l("Accounts"), _l("Staff accounts and their roles."), ("admin",)),
    StaffPage(
        "/staff/settings",
        _l("Security settings"),
        _l("Lockout, idle timeout, passwords, two-factor authentication, rate limits."),
        ("admin",),
        menu_label=lazy_pgettext("staff menu", "Security"),
    ),
    StaffPage("/staff/mail", _l("Mail"), _l("Mail the site could not deliver."), ("admin",)),
    StaffPage("/staff/password", _l("Password"), _l("Change your own password."), own=True),
    StaffPage(
        "/staff/two-factor", _l("Two-factor"), _l("Your second factor and its recovery codes."), own=True
    ),
)


def staff_nav():
    """The pages the logged-in staff member may open, in menu order."""
    if not current_user.is_authenticated:
        return []
    held = set(current_user.roles)
    return [page for page in PAGES if not page.roles or held & set(page.roles)]
