"""Anonymous audience statistics, with consent only: daily page views and unique visitors.

One blueprint, `bp`: the staff page (views.py) and `flask stats show` (commands.py); the counting
after each response and of each consent decision is in counting.py.
"""

from flask import Blueprint

from koki_site.core import capabilities, register
from koki_site.core.consent_cookie import decision_made

bp = Blueprint("statistics", __name__, cli_group="stats")


def init_app(app):
    # The route modules add their routes and commands to the blueprint above, so they import this package.
    from koki_site.statistics import commands, counting, retention, views  # noqa: F401

    app.after_request(counting.count_page_view)  # every response of the app, not only this blueprint's
    decision_made.connect(counting.on_decision)  # the same function: connected once however many apps
    app.register_blueprint(bp)
    capabilities.provide(
        app, handlers={"statistics": register.Handlers(purge=retention.purge, due=retention.due)}
    )
