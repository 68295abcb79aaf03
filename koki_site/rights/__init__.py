"""GDPR rights: the visitor's self-service, verified by mail, and the DPO's desk.

Two blueprints: the visitor's pages (views.py) and the DPO's desk (desk.py), to which the DPO's
actions (desk_actions.py) and the record of processing activities (processing_record.py) add their routes.
"""


def init_app(app):
    from koki_site.rights import desk, desk_actions, processing_record, views  # noqa: F401  (on desk.bp)

    app.register_blueprint(views.bp)
    app.register_blueprint(desk.bp)
