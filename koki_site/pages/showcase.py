"""What only the company can show: customer logos, quotes, figures, screenshots of the product.

They are read at start-up from a TOML file (SHOWCASE_CONTENT_FILE, default
<instance>/showcase.toml; instance/showcase.example.toml says how to write it) and checked there:
a malformed file stops the start with a message naming the file, the entry and the field. No file,
or an empty list, shows nothing: the page leaves that block out. The site never makes these up.

A logo's or a screenshot's image is a file beside the content file; the site serves it itself
(/showcase/<name>), and only the files the content file names, never anything else of the
instance folder. A screenshot takes the place of a drawing (PICTURE_PLACES) in the languages it
has an alternative text for.
"""

from dataclasses import dataclass
from pathlib import Path

from flask import abort, current_app, send_from_directory
from flask_babel import get_locale

from koki_site.pages import showcase_bp as bp
from koki_site.pages.sectors import BY_SLUG as SECTOR_SLUGS

IMAGE_TYPES = {".svg", ".png", ".webp", ".jpg", ".jpeg"}
KEY = "koki_showcase"
SECTIONS = ("logos", "quotes", "figures", "screenshots")
# Where a screenshot of the real app may replace a drawing: the home page's hero, the product
# page's steps, each sector's hero.
PICTURE_PLACES = ("home", "product-record", "product-prove", *(f"sector-{slug}" for slug in SECTOR_SLUGS))


class ShowcaseError(ValueError):
    """The content file cannot be read as the site expects."""


@dataclass(frozen=True)
class Logo:
    name: str  # the customer's name: the image's alt text
    image: str  # the file's path relative to the content file's folder
    width: int | None
    height: int | None


@dataclass(frozen=True)
class Quote:
    text: str
    person: str
    role: str
    organization: str
    lang: str  # shown only on the pages of this language


@dataclass(frozen=True)
class Figure:
    value: dict  # {language: text}: a figure is shown in the languages it has both for
    label: dict


@dataclass(frozen=True)
class Screenshot:
    place: str  # one of PICTURE_PLACES
    image: str
    width: int | None
    height: int | None
    alt: dict  # {language: text}: shown in the languages it has a text for


@dataclass(frozen=True)
class Showcase:
    logos: tuple = ()
    quotes: tuple = ()
    figures: tuple = ()
    screenshots: tuple = ()
    folder: Path | None = None  # where the images are

    def images(self):
        return {logo.image for logo in self.logos} | {shot.image for shot in self.screenshots}

    def for_language(self, lang):
        """What a page in that language shows: its quotes, the figures and screenshots it has words for."""
        return {
            "logos": self.logos,
            "screenshots": {
                shot.place: {
                    "image": shot.image,
                    "width": shot.width,
                    "height": shot.height,
                    "alt": shot.alt[lang],
                }
                for shot in self.screenshots
                if lang in shot.alt
            },
            "quotes": [quote for quote in self.quotes if quote.lang == lang],
            "figures": [
                {"value": figure.value[lang], "label": figure.label[lang]}
                for figure in self.figures
                if lang in figure.value and lang in figure.label
            ],
        }


def content_file(app):
    return Path(app.config.get("SHOWCASE_CONTENT_FILE") or Path(app.instance_path) / "showcase.toml")


def load(path, languages):
    """The Showcase described by the file at path; an empty one when there is no such file."""
    path = Path(path)
    if not path.exists():
        return Showcase()
    import tomllib  # here: only a site with a content file pays for it

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ShowcaseError(f"{path}: not a valid TOML file: {error}") from error
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise ShowcaseError(f"{path}: unknown section {sorted(unknown)[0]!r} ({', '.join(SECTIONS)})")
    entries = {name: entries_of(path, data, name) for name in SECTIONS}
    folder = path.parent.resolve()
    shots = entries["screenshots"]
    return Showcase(
        logos=tuple(logo(path, folder, i, entry) for i, entry in enumerate(entries["logos"], 1)),
        quotes=tuple(quote(path, i, entry, languages) for i, entry in enumerate(entries["quotes"], 1)),
        figures=tuple(figure(path, i, entry, languages) for i, entry in enumerate(entries["figures"], 1)),
        screenshots=tuple(screenshot(path, folder, i, entry, languages) for i, entry in enumerate(shots, 1)),
        folder=folder,
    )


def entries_of(path, data, name):
    entries = data.get(name, [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ShowcaseError(f"{path}: {name} must be a list of tables, written [[{name}]]")
    return entries


def text(path, where, entry, field, required=True):
    value = entry.get(field, "")
    if not isinstance(value, str):
        raise ShowcaseError(f"{path}: {where}: {field} must be text in quotes")
    if required and not value.strip():
        raise ShowcaseError(f"{path}: {where}: {field} is missing or empty")
    return value.strip()


def only(path, where, entry, fields):
    unknown = set(entry) - set(fields)
    if unknown:
        raise ShowcaseError(f"{path}: {where}: unknown field {sorted(unknown)[0]!r} ({', '.join(fields)})")


def image_file(path, folder, where, entry):
    """The (file, width, height) of an entry's image: a file of IMAGE_TYPES in the folder."""
    image = text(path, where, entry, "image")
    target = (folder / image).resolve()
    if not target.is_relative_to(folder) or target.suffix.lower() not in IMAGE_TYPES:
        raise ShowcaseError(
            f"{path}: {where}: image must be a {', '.join(sorted(IMAGE_TYPES))} file in {folder}"
        )
    if not target.is_file():
        raise ShowcaseError(f"{path}: {where}: image {target} does not exist")
    size = []
    for field in ("width", "height"):
        value = entry.get(field)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value <= 0):
            raise ShowcaseError(f"{path}: {where}: {field} must be a whole number of pixels")
        size.append(value)
    return target.relative_to(folder).as_posix(), *size


def logo(path, folder, number, entry):
    where = f"logo {number}"
    only(path, where, entry, ("name", "image", "width", "height"))
    return Logo(text(path, where, entry, "name"), *image_file(path, folder, where, entry))


def screenshot(path, folder, number, entry, languages):
    where = f"screenshot {number}"
    only(path, where, entry, ("place", "image", "width", "height", "alt"))
    place = text(path, where, entry, "place")
    if place not in PICTURE_PLACES:
        raise ShowcaseError(f"{path}: {where}: place must be one of {', '.join(PICTURE_PLACES)}")
    return Screenshot(
        place, *image_file(path, folder, where, entry), per_language(path, where, entry, "alt", languages)
    )


def quote(path, number, entry, languages):
    where = f"quote {number}"
    fields = ("text", "person", "role", "organization", "lang")
    only(path, where, entry, fields)
    lang = text(path, where, entry, "lang")
    if lang not in languages:
        raise ShowcaseError(f"{path}: {where}: lang must be one of {', '.join(languages)}")
    return Quote(
        text(path, where, entry, "text"),
        text(path, where, entry, "person"),
        text(path, where, entry, "role", required=False),
        text(path, where, entry, "organization", required=False),
        lang,
    )


def per_language(path, where, entry, field, languages):
    """A text for every language ("12") or one per language ({fr = "12 sites", en = "12 sites"})."""
    value = entry.get(field)
    if isinstance(value, str) and value.strip():
        return dict.fromkeys(languages, value.strip())
    if isinstance(value, dict) and value:
        for lang, words in value.items():
            if lang not in languages or not isinstance(words, str) or not words.strip():
                choices = ", ".join(languages)
                raise ShowcaseError(f"{path}: {where}: {field}.{lang}: a text, for one of {choices}")
        return {lang: words.strip() for lang, words in value.items()}
    raise ShowcaseError(f"{path}: {where}: {field} must be a text or a table of texts per language")


def figure(path, number, entry, languages):
    where = f"figure {number}"
    only(path, where, entry, ("value", "label"))
    return Figure(
        per_language(path, where, entry, "value", languages),
        per_language(path, where, entry, "label", languages),
    )


def read_at_start(app):
    """Read and check the content file as the app starts: a malformed one stops it, clearly."""
    app.extensions[KEY] = load(content_file(app), tuple(app.config["LANGUAGES"]))


def showcase_content():
    """The company-given blocks in the page's language (each empty list leaves its block out).

    A context processor of the public pages' blueprint (koki_site/pages/views.py).
    """
    return {"showcase": current_app.extensions[KEY].for_language(str(get_locale()))}


@bp.get("/showcase/<path:name>")
def image(name):
    """A logo's or a screenshot's image: only a file the content file names."""
    showcase = current_app.extensions[KEY]
    if name not in showcase.images():
        abort(404)
    return send_from_directory(showcase.folder, name)
