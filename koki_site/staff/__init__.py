"""The staff back office: accounts, login, roles, the audit log and retention pages.

Its pages and commands are on one blueprint, `bp`; each module adds its own (views.py: login,
logout, the home page; admin.py: accounts; own_password.py: one's own password; settings_page.py
and undelivered_mail.py: two admin pages; reports.py: audit log and retention; commands.py:
`flask staff …`), and `init_app` registers it.
"""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff", cli_group="staff")


def init_app(app):
    from koki_site.staff import (  # noqa: F401  (each adds its routes and commands to bp)
        admin,
        commands,
        link_pages,
        login_code,
        own_password,
        reports,
        settings_page,
        undelivered_mail,
        views,
    )

    app.register_blueprint(bp)
