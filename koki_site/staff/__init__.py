"""The staff back office: accounts, login, roles, the audit log and retention pages.

Its pages and commands are on one blueprint, `bp`; each module adds its own (views.py: login,
logout, the home page; admin.py: accounts; own_password.py: one's own password; settings_page.py
and undelivered_mail.py: two admin pages; reports.py: audit log and retention; commands.py:
`flask staff …`), and `init_app` registers it.
"""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from koki_site.core import capabilities, register
from koki_site.extensions import login_manager

bp = Blueprint("staff", __name__, url_prefix="/staff", cli_group="staff")


def init_app(app):
    from koki_site.staff import (  # noqa: F401  (each adds its routes and commands to bp)
        admin,
        audit_words,
        commands,
        link_pages,
        lockout,
        login_code,
        own_password,
        reports,
        settings_page,
        undelivered_mail,
        views,
    )

    app.register_blueprint(bp)
    capabilities.provide(
        app,
        handlers={"staff_login": register.Handlers(purge=lockout.purge, due=lockout.due)},
        audit_words=audit_words.AUDIT_WORDS,
    )
    # Flask-Login sends a visitor who is not logged in to the login page, with a message in their language.
    login_manager.login_view = "staff.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = str  # the lazy message, in the request's language
