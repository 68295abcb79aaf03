"""A small in-process cache of rendered pages.

The policy pages are the same for every visitor of one language, host and consent state (banner
or not, choices ticked), and rendering them (hundreds of translated paragraphs) costs more than
serving them. Only the HTML is cached:
headers are added to each response as usual. Off in debug, so that template edits show at once.
"""

from functools import wraps

from flask import current_app, request

from koki_site import consent_cookie

MAX_ENTRIES = 256  # the Host header is the visitor's to choose: keep the cache bounded


def cached(view):
    @wraps(view)
    def wrapper(**kwargs):
        if current_app.debug or not current_app.config["PAGE_CACHE"]:
            return view(**kwargs)
        cache = current_app.extensions.setdefault("koki_page_cache", {})
        key = (request.scheme, request.host, request.full_path, consent_cookie.state())
        html = cache.get(key)
        if html is None:
            html = view(**kwargs)
            if len(cache) >= MAX_ENTRIES:
                cache.clear()
            cache[key] = html
        return html

    return wrapper
