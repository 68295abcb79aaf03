"""The public pages: the showcase, the privacy and cookie policies, the legal notice."""


def init_app(app):
    from koki_site.pages import views

    app.register_blueprint(views.site)
    app.register_blueprint(views.bp)
