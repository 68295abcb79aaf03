"""The Open Graph picture (static/img/og-image.png, 1200x630) drawn from SVG by Chromium, once.

The brand's mark and name on the deep teal, and the phone illustration of static/img/
illustrations/ on its tint: no words to translate, so one picture serves both languages.
Run from the project root after changing the illustration or the palette, and commit the PNG:
    .venv/bin/python bench/og_image.py
"""

import base64
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

STATIC = ROOT / "static"
OUT = STATIC / "img" / "og-image.png"
WIDTH, HEIGHT = 1200, 630


def page_html(company_name):
    font_file = STATIC / "fonts" / "source-sans-3-latin-wght-normal.woff2"
    font = base64.b64encode(font_file.read_bytes()).decode()
    illustration = (STATIC / "img" / "illustrations" / "phone-checklist.svg").read_text(encoding="utf-8")
    # The drawing, scaled up on the right half of the picture.
    placed = 'x="610" y="110" width="560" height="420"'
    illustration = illustration.replace('width="400" height="300"', placed, 1)
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><style>
@font-face {{ font-family: "Source Sans 3"; font-weight: 200 900; src: url(data:font/woff2;base64,{font}); }}
html, body {{ margin: 0; width: {WIDTH}px; height: {HEIGHT}px; overflow: hidden; }}
svg {{ display: block; }}
</style></head><body>
<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">
  <rect width="{WIDTH}" height="{HEIGHT}" fill="#062f37"/>
  <circle cx="905" cy="320" r="310" fill="#0b5d6b" opacity="0.55"/>
  <circle cx="905" cy="320" r="245" fill="#eef5f6"/>
  <g transform="translate(80 228)">
    <rect width="96" height="96" rx="24" fill="#0b5d6b" stroke="#a9cfd6" stroke-width="3"/>
    <path d="M25.5 49.5l13.5 13.5 31.5-31.5" fill="none" stroke="#fff" stroke-width="9.6"
          stroke-linecap="round" stroke-linejoin="round"/>
    <circle cx="73.5" cy="73.5" r="9" fill="#e8a33d"/>
  </g>
  <text x="80" y="408" font-family="'Source Sans 3'" font-weight="800" font-size="60" letter-spacing="2"
        fill="#ffffff">{company_name}</text>
  <rect x="80" y="436" width="120" height="8" rx="4" fill="#e8a33d"/>
  {illustration}
</svg>
</body></html>"""


def main():
    from koki_site import config

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        page.set_content(page_html(config.COMPANY_NAME))
        page.evaluate("document.fonts.ready")
        page.screenshot(path=OUT, clip={"x": 0, "y": 0, "width": WIDTH, "height": HEIGHT})
        browser.close()
    print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
