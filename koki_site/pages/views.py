"""Public pages under /<lang>/ (showcase, policies), the root redirect, health check, robots.txt, sitemap."""

from datetime import UTC, date, datetime

from flask import current_app, jsonify, redirect, render_template, url_for
from flask_babel import to_user_timezone
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from koki_site.core import consent_cookie, i18n, register, security
from koki_site.core.cookies import COOKIES, REQUESTS, consent_lifetime
from koki_site.core.site_url import external_url
from koki_site.extensions import db
from koki_site.pages import bp, seo, showcase
from koki_site.pages import site_bp as site
from koki_site.pages.cache import cached
from koki_site.pages.sectors import BY_SLUG, SECTORS

bp.context_processor(showcase.showcase_content)


@bp.context_processor
def policy_facts():
    """What the policy pages state, from configuration: its date and the periods it names."""
    return {
        "policy_date": date.fromisoformat(current_app.config["POLICY_VERSION"]),
        "consent_lifetime": consent_lifetime(),
        "contact_retention": register.get("contact").retention[0].period(),
    }


@bp.get("/")
@cached
def home():
    """The showcase: who KOKI SOFTWARE is and its cleaning-traceability offer."""
    return render_template("pages/home.html")


@bp.get("/product")
@cached
def product():
    """The software: how it works, its features step by step, the questions buyers ask."""
    return render_template("pages/product.html")


# The five slugs only: any other answers 404 from the router, before any view runs.
@bp.get(f"/sectors/<any({', '.join(map(repr, BY_SLUG))}):slug>")
@cached
def sector(slug):
    """One sector's page, each with its own text: its problem, its words, what KOKI changes there."""
    return render_template(f"pages/sectors/{slug}.html", sector=BY_SLUG[slug])


@bp.get("/about")
@cached
def about():
    """The company: who we are, what we stand for, how to reach us."""
    return render_template("pages/about.html")


@bp.get("/privacy")
@cached
def privacy():
    """The privacy policy, every section of the company's text."""
    return render_template("pages/privacy.html", processings=register.PROCESSINGS)


@bp.get("/cookies")
@cached(args=("saved",), unless=consent_cookie.current)
def cookies():
    """The cookie policy, the table of every cookie the site may set, and the visitor's settings."""
    return render_template("pages/cookies.html", cookies=COOKIES)


@bp.get("/legal")
@cached
def legal():
    """The legal notice: publisher, host, contact."""
    return render_template("pages/legal.html")


@bp.get("/my-requests")
def my_requests():
    """The status of the requests this browser made, when the visitor allows us to keep them."""
    security.shows_visitor_data()
    references = consent_cookie.load_signed(REQUESTS) or []
    found = []
    for _, handlers in register.handlers_of(current_app):
        if handlers.track and references:
            found.extend(handlers.track(references))
    found.sort(key=lambda request: request["received_at"], reverse=True)
    return render_template(
        "pages/my_requests.html", requests=found, tracking=consent_cookie.allows("requests")
    )


site.add_app_template_global(external_url)


@site.app_context_processor
def showcase_links():
    """The sectors, for the menu and the footer of every page; the company, for the home's JSON-LD;
    the year, in Paris, for the footer's copyright line."""
    year = to_user_timezone(datetime.now(UTC)).year
    return {"sectors": SECTORS, "organization": seo.organization, "year": year}


@site.get("/")
def root():
    """Send the visitor to their language, French when nothing matches."""
    response = redirect(url_for("pages.home", lang_code=i18n.preferred_language()))
    response.vary.add("Accept-Language")
    return response


@site.get("/healthz")
def healthz():
    """200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.exception("health check: database unavailable")
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")


@site.get("/sitemap.xml")
def sitemap():
    """Every public page in every language, with its alternates: absolute URLs from SITE_URL."""
    body = render_template(
        "sitemap.xml", pages=seo.entries(), default=current_app.config["BABEL_DEFAULT_LOCALE"]
    )
    return body, 200, {"Content-Type": "application/xml; charset=utf-8"}


@site.get("/robots.txt")
def robots():
    """Everything public may be crawled; the back office may not."""
    sitemap = external_url("site.sitemap")
    body = f"User-agent: *\nDisallow: /staff/\nSitemap: {sitemap}\n"
    return body, 200, {"Content-Type": "text/plain; charset=utf-8"}
