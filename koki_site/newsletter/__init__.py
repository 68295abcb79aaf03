"""The newsletter: double opt-in, one-click unsubscribe, the marketing export.

Two blueprints: `bp`, the visitor's pages (views.py), and `marketing_bp`, the marketing list and
its export (marketing.py) and one subscriber's page (subscriber.py).
"""

from flask import Blueprint

from koki_site.core import capabilities, register

bp = Blueprint("newsletter", __name__, url_prefix="/<lang:lang_code>")
marketing_bp = Blueprint("marketing", __name__, url_prefix="/staff/newsletter", cli_group="newsletter")


def init_app(app):
    # The route modules add their routes to the blueprints above, so they import this package.
    from koki_site.newsletter import marketing, records, subscriber, views  # noqa: F401

    app.register_blueprint(bp)
    app.register_blueprint(marketing_bp)
    capabilities.provide(
        app,
        handlers={
            "newsletter": register.Handlers(
                purge=records.purge,
                due=records.due,
                find=records.find,
                present=records.present,
                erase=records.erase,
                restrict=records.restrict,
                withdraw=records.withdraw,
                addresses=records.addresses_held,
            )
        },
        audit_words=marketing.AUDIT_WORDS,
    )
