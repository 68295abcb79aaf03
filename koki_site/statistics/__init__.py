"""Anonymous audience statistics, with consent only: daily page views and unique visitors.

One blueprint (blueprint.py: the counting after each request, the commands); the staff page
(views.py) adds its routes to it.
"""


def init_app(app):
    from koki_site.statistics import blueprint, views  # noqa: F401  (views: on blueprint.bp)

    app.register_blueprint(blueprint.bp)
