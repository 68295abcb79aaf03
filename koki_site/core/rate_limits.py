"""Rate limits that hold while their storage (Redis) is away, and say so in the log.

With Redis unreachable, Flask-Limiter counts in each process's memory until it answers again
(RATELIMIT_IN_MEMORY_FALLBACK_ENABLED), every process apart: with N gunicorn workers a client got
N times each limit. Flask-Limiter's own fallback limits (RATELIMIT_IN_MEMORY_FALLBACK) cannot
help: one list replaces the limits of every route alike, POSTs that have none included, and it
neither follows the per-route limits (callables reading the settings) nor divides them. So while
the limiter counts in memory, its strategy is wrapped in one that counts each limit divided by
RATE_LIMIT_WORKERS, rounded down, at least 1: the processes together stay within the limit.
"""

import multiprocessing
import os

import flask_limiter
from flask import current_app, request

from koki_site.core.clients import client_key


def workers(app):
    """The processes that count apart while Redis is away: RATE_LIMIT_WORKERS, or gunicorn's count.

    Unset, the rule of deploy/gunicorn.conf.py: WEB_CONCURRENCY, else two per core plus one.
    """
    configured = app.config.get("RATE_LIMIT_WORKERS") or os.environ.get("WEB_CONCURRENCY")
    return max(1, int(configured or multiprocessing.cpu_count() * 2 + 1))


class Shared:
    """A rate-limiting strategy that gives each limit's share to this process: amount // workers."""

    def __init__(self, strategy, workers):
        self.strategy, self.workers = strategy, workers
        self.storage = strategy.storage

    def share(self, item):
        return type(item)(max(1, item.amount // self.workers), item.multiples, item.namespace)

    def hit(self, item, *identifiers, cost=1):
        return self.strategy.hit(self.share(item), *identifiers, cost=cost)

    def test(self, item, *identifiers, cost=1):
        return self.strategy.test(self.share(item), *identifiers, cost=cost)

    def get_window_stats(self, item, *identifiers):
        return self.strategy.get_window_stats(self.share(item), *identifiers)

    def clear(self, item, *identifiers):
        return self.strategy.clear(self.share(item), *identifiers)


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter's, whose fallback counts a share of each limit, and logs its changes once."""

    def init_app(self, app):
        super().init_app(app)
        # A new storage is taken as reachable until it fails. Flask-Limiter keeps its "storage
        # dead" flag across init_app, and the tests build many apps on this one limiter.
        self._storage_dead = False
        self.in_memory = False

    @property
    def limiter(self):
        """The strategy this request counts with: Redis's, or the shared-out in-memory one."""
        strategy = super().limiter
        in_memory = strategy.storage is not self.storage
        if in_memory != self.in_memory:
            self.in_memory = in_memory
            log_change(in_memory)
        return Shared(strategy, workers(current_app)) if in_memory else strategy


def log_change(in_memory):
    """One line when the counting moves to memory, one when it is back: no client, no address.

    Both are warnings, so that the default log level (gunicorn's error log) shows the return too.
    """
    if in_memory:
        current_app.logger.warning(
            "Rate-limit storage does not answer: until it does, each process counts in its own"
            " memory, every limit divided by %s workers (RATE_LIMIT_WORKERS)",
            workers(current_app),
        )
    else:
        current_app.logger.warning("Rate-limit storage answers again: the limits are counted there")


# Per client (an IPv4 address, an IPv6 /64); behind a reverse proxy, ProxyFix makes it the visitor's.
limiter = Limiter(key_func=client_key)


@limiter.request_filter
def reading_is_never_limited():
    """Limits guard the POSTs (forms, login); a GET skips the limiter's work entirely."""
    return request.method in ("GET", "HEAD", "OPTIONS")
