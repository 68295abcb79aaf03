"""The newsletter: double opt-in, one-click unsubscribe, the marketing export.

Two blueprints: the visitor's pages (views.py) and the marketing list (marketing.py), to which
one subscriber's page (subscriber.py) adds its routes.
"""


def init_app(app):
    from koki_site.newsletter import marketing, subscriber, views  # noqa: F401  (subscriber: on marketing.bp)

    app.register_blueprint(views.bp)
    app.register_blueprint(marketing.bp)
