"""The sectors the showcase speaks to: each has its own page and its own text (templates/pages/sectors/)."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Sector:
    slug: str  # the URL's last part, the same in every language (SPEC §2)
    name: str  # the menu's word for it


SECTORS = (
    Sector("healthcare", _l("Healthcare")),
    Sector("food-industry", _l("Food industry")),
    Sector("cleaning-companies", _l("Cleaning companies")),
    Sector("hospitality", _l("Hotels and restaurants")),
    Sector("public-buildings", _l("Public buildings and offices")),
)
BY_SLUG = {sector.slug: sector for sector in SECTORS}
