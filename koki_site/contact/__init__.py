"""Contact requests: the public form, the messages, the staff inbox and replies.

Two blueprints: the public form (views.py) and the inbox (inbox.py), to which the actions on one
message (thread.py) and the saved replies and signatures (saved_reply_pages.py) add their routes.
"""


def init_app(app):
    from koki_site.contact import inbox, saved_reply_pages, thread, views  # noqa: F401  (saved_reply_pages, thread: on inbox.bp)

    app.register_blueprint(views.bp)
    app.register_blueprint(inbox.bp)
