"""Contact requests: the public form, the messages, the staff inbox and replies.

Two blueprints: `bp`, the public form (views.py), and `inbox_bp`, the staff inbox (inbox.py: the
list and one message; thread.py: the actions on a message; saved_reply_pages.py: saved replies
and signatures).
"""

from flask import Blueprint

from koki_site.core import capabilities, register

bp = Blueprint("contact", __name__, url_prefix="/<lang:lang_code>")
inbox_bp = Blueprint("inbox", __name__, url_prefix="/staff/messages")


def init_app(app):
    # The route modules add their routes to the blueprints above, so they import this package.
    from koki_site.contact import (  # noqa: F401
        inbox,
        inbox_words,
        records,
        saved_reply_pages,
        thread,
        views,
        visitor_answers,
    )

    app.register_blueprint(bp)
    app.register_blueprint(inbox_bp)
    capabilities.provide(
        app,
        handlers={
            records.PROCESSING: register.Handlers(
                purge=records.purge,
                due=records.due,
                track=records.track,
                find=records.find,
                present=records.present,
                erase=records.erase,
                restrict=records.restrict,
                rectify=records.rectify,
                addresses=records.addresses_held,
            )
        },
        tasks={"support": inbox.waiting_messages},
        mail_receivers=[visitor_answers.receive],  # answers to our replies, filed in their thread
        audit_words=inbox_words.AUDIT_WORDS,
    )
