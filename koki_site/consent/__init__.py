"""Cookie consent: the banner, POST /consent, the settings form and the proof ledger.

One blueprint (views.py); the DPO's look-up (lookup.py) adds its page to it.
"""


def init_app(app):
    from koki_site.consent import lookup, views  # noqa: F401  (lookup adds its route to views.bp)

    app.register_blueprint(views.bp)
