"""Every Redis key the crawl workers use, in one place. Keys of one source's frontier start
with ``newsdesk:news-<source>:`` (the spider's name); the keys shared with the store
machine are in ``digest/cluster.py``."""

from __future__ import annotations

QUEUE = "newsdesk:%(spider)s:requests"  # scrapy-redis's template: sorted set of requests
SEEN = "newsdesk:%(spider)s:seen"  # the duplicate filter's prefix; one set per UTC day
WORKERS = "newsdesk:workers"  # set: the worker processes that may hold leases
REPORT_TTL = 7 * 86400  # seconds a slot's counters are kept


def queue(spider: str) -> str:
    return QUEUE % {"spider": spider}


def inflight(spider: str, worker: str) -> str:
    """Hash: the requests ``worker`` has taken from this frontier and not finished
    (lease -> request)."""
    return f"newsdesk:{spider}:inflight:{worker}"


def holds(worker: str) -> str:
    """Set: the spiders (frontiers) in which ``worker`` may hold leases."""
    return f"newsdesk:holds:{worker}"


def alive(worker: str) -> str:
    """String with a TTL: the worker process is alive while it exists (its heartbeat, one
    per process whatever the number of sources)."""
    return f"newsdesk:alive:{worker}"


def slot_claim(spider: str, slot: int) -> str:
    """String: who pushed (or is pushing) the seeds of schedule slot ``slot``."""
    return f"newsdesk:{spider}:slot:{slot}"


def report(spider: str, slot: int) -> str:
    """Hash: counters of slot ``slot`` summed over all workers, for the run's record."""
    return f"newsdesk:{spider}:report:{slot}"


def robots_sitemaps(spider: str) -> str:
    """Set: sitemaps named by the site's robots.txt, added to the seeds of later slots."""
    return f"newsdesk:{spider}:robots-sitemaps"
