"""What search engines and link previews read: the sitemap's pages, the company as JSON-LD."""

from flask import current_app

from koki_site.core.site_url import external_url
from koki_site.pages.sectors import SECTORS

# In the order a visitor meets them; a capability that is not installed is left out.
PAGES = (
    ("pages.home", {}),
    ("pages.product", {}),
    *(("pages.sector", {"slug": sector.slug}) for sector in SECTORS),
    ("pages.about", {}),
    ("contact.form", {}),
    ("newsletter.subscribe", {}),
    ("rights.request", {}),
    ("pages.privacy", {}),
    ("pages.cookies", {}),
    ("pages.legal", {}),
)


def entries():
    """[{language: absolute URL}] for every installed public page, from SITE_URL."""
    languages = current_app.config["LANGUAGES"]
    return [
        {code: external_url(endpoint, lang_code=code, **args) for code in languages}
        for endpoint, args in PAGES
        if endpoint in current_app.view_functions
    ]


def organization():
    """The company as schema.org's Organization, for the home page's JSON-LD: configured values only."""
    config = current_app.config
    found = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": config["COMPANY_NAME"],
        "url": external_url("pages.home"),
        "logo": external_url("static", filename="img/favicon.svg"),
        "email": config["COMPANY_EMAIL"],
        "telephone": config["COMPANY_PHONE"],
        "address": config["COMPANY_ADDRESS"],
    }
    return {key: value for key, value in found.items() if value}  # an empty setting says nothing
