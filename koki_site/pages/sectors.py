"""The sectors the showcase speaks to: each has its own page and its own text (templates/pages/sectors/)."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Sector:
    slug: str  # the URL's last part, the same in every language, and fixed
    name: str  # the menu's word for it
    icon: str  # its picture in the sprite static/img/icons.svg


SECTORS = (
    Sector("healthcare", _l("Healthcare"), "hospital"),
    Sector("food-industry", _l("Food industry"), "factory"),
    Sector("cleaning-companies", _l("Cleaning companies"), "team"),
    Sector("hospitality", _l("Hotels and restaurants"), "hotel"),
    Sector("public-buildings", _l("Public buildings and offices"), "building"),
)
BY_SLUG = {sector.slug: sector for sector in SECTORS}
