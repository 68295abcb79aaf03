"""A small in-process cache of rendered pages.

The policy pages are the same for every visitor of one language and consent state (banner or
not, choices ticked), and rendering them (hundreds of translated paragraphs) costs more than
serving them. Only the HTML is cached: headers are added to each response as usual. Off in
debug, so that template edits show at once.

The key is the path, the few query arguments a page reads, and the consent state: never the
Host (absolute URLs come from SITE_URL) nor the rest of the query string, so that odd hosts and
made-up queries cannot fill or flush the cache.
"""

from functools import wraps

from flask import current_app, request

from koki_site import consent_cookie

MAX_ENTRIES = 256  # paths are the client's to choose (an unknown one is a 404, never cached)


def cached(view=None, *, args=(), unless=None):
    """Cache view's HTML; args names the query arguments that change the page (`saved` on /cookies).

    unless: a function that is true when this request's page is the visitor's own (the cookie
    settings once a choice is made show its date and number): rendered, never kept.
    """
    if view is None:
        return lambda view: cached(view, args=args, unless=unless)

    @wraps(view)
    def wrapper(**kwargs):
        if current_app.debug or not current_app.config["PAGE_CACHE"] or (unless and unless()):
            return view(**kwargs)
        cache = current_app.extensions.setdefault("koki_page_cache", {})
        key = (request.path, *(bool(request.args.get(name)) for name in args), consent_cookie.state())
        html = cache.get(key)
        if html is None:
            html = view(**kwargs)
            if len(cache) >= MAX_ENTRIES:
                cache.clear()
            cache[key] = html
        return html

    return wrapper
