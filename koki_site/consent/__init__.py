"""Cookie consent: the banner, POST /consent, the settings form and the proof ledger.

One blueprint, `bp`: POST /consent and the banner's context (views.py), the DPO's look-up (lookup.py).
"""

from flask import Blueprint

from koki_site.core import capabilities, register

bp = Blueprint("consent", __name__)


def init_app(app):
    # The route modules add their routes to the blueprint above, so they import this package.
    from koki_site.consent import ledger, lookup, views  # noqa: F401

    app.register_blueprint(bp)
    capabilities.provide(
        app, handlers={"consent_proof": register.Handlers(purge=ledger.purge, due=ledger.due)}
    )
