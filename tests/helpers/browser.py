"""Real Chromium (Debian's /usr/bin/chromium) through Playwright, against the app on loopback.

The fixtures `chromium` and `live_server` are in conftest.py: Playwright allows one instance
per thread, so the whole session shares one.
"""

import threading

from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
# The machine has no network: these flags keep Chromium from trying to reach Google's services.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Every page is looked at on a phone and on a laptop: (width, height) in CSS pixels.
SIZES = {"phone": (390, 844), "laptop": (1366, 768)}
# A 1366x768 laptop zoomed in twice (its CSS viewport), and the smallest phone still sold.
ZOOMED = {"laptop at 200 %": (683, 384), "small phone": (320, 568)}


def viewport(size):
    """Playwright's viewport of a size of SIZES or ZOOMED, by its name."""
    width, height = (SIZES | ZOOMED)[size]
    return {"width": width, "height": height}


def context_of(chromium, size, **options):
    """A new browser context the size of a phone, a laptop… (SIZES, ZOOMED); close it after."""
    return chromium.new_context(viewport=viewport(size), **options)


class LiveServer:
    """The app served by Werkzeug in a thread, on a free port of 127.0.0.1."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join()
        self.server.server_close()


def serious_violations(page):
    """axe-core's serious and critical violations on the page, as (rule, impact, help, targets)."""
    violations = Axe().run(page).response["violations"]
    return [
        (v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
