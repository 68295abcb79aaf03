"""Languages: every public page lives under /<lang>/, the locale follows the URL.

The order in which a language is chosen: the URL prefix, then Accept-Language, then French.
Error pages outside any language prefix (an unknown language, say) use the same order.
"""

import os
import tempfile
from pathlib import Path

from babel import Locale
from babel.units import format_unit
from flask import current_app, g, request, url_for
from flask_babel import get_locale
from markupsafe import Markup
from werkzeug.routing import AnyConverter

from koki_site.core.site_url import external_url


def init_app(app):
    compile_catalogues(translations_directory(app))
    languages = app.config["LANGUAGES"]

    class LanguageConverter(AnyConverter):
        def __init__(self, url_map):
            super().__init__(url_map, *languages)

    app.url_map.converters["lang"] = LanguageConverter
    app.url_value_preprocessor(pull_lang_code)
    app.url_defaults(add_lang_code)
    app.context_processor(language_links)
    app.jinja_env.filters["period"] = format_period
    app.jinja_env.globals["for_language"] = for_language
    app.jinja_env.filters["nowrap"] = nowrap
    # Must match `trimmed = true` in babel.cfg, or the extracted messages would not be found.
    app.jinja_env.policies["ext.i18n.trimmed"] = True


def translations_directory(app):
    return Path(app.root_path, app.config["BABEL_TRANSLATION_DIRECTORIES"]).resolve()


def compile_catalogues(directory, force=False):
    """Build each .mo that is missing or older than its .po; return the languages compiled.

    The run and test commands compile the catalogues; doing it here too means a site started
    any other way (`flask run` from a fresh clone) never serves French pages in English.
    The file is written aside and renamed, so workers starting together never read half a file.
    """
    compiled = []
    for po_path in sorted(Path(directory).glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        # Babel's catalogue tools, only when a catalogue changed: not at every start.
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file)
        with tempfile.NamedTemporaryFile(dir=mo_path.parent, delete=False) as mo_file:
            write_mo(mo_file, catalogue)
        os.replace(mo_file.name, mo_path)
        compiled.append(po_path.parent.parent.name)
    return compiled


def select_locale():
    """The page's language: its URL prefix, else the visitor's preference, else the default."""
    return g.get("lang_code") or language_of_request()


def language_of_request():
    languages = current_app.config["LANGUAGES"]
    prefix = request.path.split("/")[1]
    if prefix in languages:
        return prefix
    return preferred_language()


def preferred_language():
    """The best match for Accept-Language, French when nothing matches."""
    languages = current_app.config["LANGUAGES"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def pull_lang_code(endpoint, values):
    if values and "lang_code" in values:
        g.lang_code = values.pop("lang_code")


def add_lang_code(endpoint, values):
    if "lang_code" in values or not g.get("lang_code"):
        return
    if current_app.url_map.is_endpoint_expecting(endpoint, "lang_code"):
        values["lang_code"] = g.lang_code


def language_links():
    """The page's language, its absolute URL in every language (hreflang) and the switch.

    The alternates are absolute, from SITE_URL; the switch is relative, so it leads to the same
    page on whatever address the site answers. A page outside the language prefix (an error page)
    has no alternates; its switch leads to the home page of the other languages.
    """
    lang = str(get_locale())
    languages = current_app.config["LANGUAGES"]
    rule = request.url_rule
    if rule is not None and "lang_code" in rule.arguments:
        endpoint, args = request.endpoint, request.view_args or {}
        alternates = {code: external_url(endpoint, lang_code=code, **args) for code in languages}
    else:
        endpoint, args, alternates = "pages.home", {}, {}
    switch = [
        (code, language_name(code), url_for(endpoint, **{**args, "lang_code": code}))
        for code in languages
        if code != lang
    ]
    return {"lang": lang, "alternates": alternates, "language_switch": switch}


def language_name(code):
    """A language's name in that language: "Français", "English"."""
    return Locale.parse(code).get_display_name(code).capitalize()


def nowrap(value):
    """value kept on one line (a reference, KOKI-R-2026-00007, is never cut at its hyphens)."""
    return Markup('<span class="nowrap">%s</span>') % value


def for_language(value):
    """A configured text in the page's language: value[lang] when it is a mapping, else value."""
    if isinstance(value, dict):
        return value.get(str(get_locale()), "")
    return value or ""


def format_period(period):
    """A retention period in the page's language: "12 months", "12 mois", "30 days"."""
    unit = "duration-month" if period.unit == "month" else "duration-day"
    return format_unit(period.value, unit, length="long", locale=get_locale())
