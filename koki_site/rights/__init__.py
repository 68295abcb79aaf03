"""GDPR rights: the visitor's self-service, verified by mail, and the DPO's desk.

Two blueprints: `bp`, the visitor's pages (views.py), and `desk_bp`, the DPO's desk (desk.py: the
requests; desk_actions.py: the DPO's actions; processing_record.py: the record of processing
activities).
"""

from flask import Blueprint

from koki_site.core import capabilities, metrics, register

bp = Blueprint("rights", __name__, url_prefix="/<lang:lang_code>")
desk_bp = Blueprint("rights_desk", __name__, url_prefix="/staff")


def init_app(app):
    # The route modules add their routes to the blueprints above, so they import this package.
    from koki_site.rights import audit_words, desk, desk_actions, processing_record, records, views  # noqa: F401

    app.register_blueprint(bp)
    app.register_blueprint(desk_bp)
    capabilities.provide(
        app,
        handlers={
            records.PROCESSING: register.Handlers(
                purge=records.purge,
                due=records.due,
                track=records.track,
                find=records.find,
                addresses=records.addresses_held,
                present=records.present,
            )
        },
        tasks={"dpo": desk.waiting_requests},
        audit_words=audit_words.AUDIT_WORDS,
        figures=[
            metrics.Figure(
                "koki_rights_requests_overdue", "Rights requests to answer past their deadline.", desk.overdue
            ),
            metrics.Figure(
                "koki_rights_requests_due_this_week",
                f"Rights requests to answer whose deadline is within {desk.SOON} days, today included.",
                desk.due_soon,
            ),
        ],
    )
