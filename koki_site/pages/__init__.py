"""The public pages: the showcase, the privacy and cookie policies, the legal notice.

Three blueprints: `bp`, the pages under /<lang>/ (views.py), and `site_bp`, what is outside any
language (/, /healthz, robots.txt, sitemap.xml in views.py; /.well-known/security.txt in
security_txt.py); `showcase_bp`, under it, the showcase's images of the company's content file
(showcase.py).
"""

from flask import Blueprint

bp = Blueprint("pages", __name__, url_prefix="/<lang:lang_code>")
site_bp = Blueprint("site", __name__)
showcase_bp = Blueprint("showcase", __name__)
site_bp.register_blueprint(showcase_bp)


def init_app(app):
    # The route modules add their routes to the blueprints above, so they import this package.
    from koki_site.pages import security_txt, showcase, views  # noqa: F401

    showcase.read_at_start(app)  # a malformed content file stops the app, clearly
    security_txt.check_at_start(app)  # so does a mistyped contact or expiry date
    app.register_blueprint(site_bp)
    app.register_blueprint(bp)
