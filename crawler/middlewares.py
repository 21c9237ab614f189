"""Downloader policies: robots.txt that fails closed and honours Crawl-delay, and an HTTP
cache that lets listing pages (feeds, sitemaps, sections) be revalidated with conditional
requests, so an unchanged one costs a 304 and nothing more."""

from __future__ import annotations

import gzip
import ipaddress
import logging
import os
import socket
from typing import IO, Any, Self, cast

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.extensions.httpcache import FilesystemCacheStorage, RFC2616Policy
from scrapy.http import Request, Response
from scrapy.robotstxt import RobotParser
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

log = logging.getLogger(__name__)

LISTING = "newsdesk_listing"  # request meta key: a page read for links, worth caching


class RobotsUnavailable(IgnoreRequest):
    """robots.txt answered 5xx or could not be fetched: the site is not crawled this run."""


class _DenyAll(RobotParser):
    """The parser a site gets whose robots.txt is unavailable: nothing is allowed."""

    @classmethod
    def from_crawler(cls, crawler: Crawler, robotstxt_body: bytes) -> Self:
        return cls()

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        return False


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, but a robots.txt that answers 5xx or cannot be
    fetched means "do not crawl this site" (Scrapy allows everything then), a 4xx means
    "no rules" (as RFC 9309 says), and a Crawl-delay slows the site's download slot."""

    MAX_CRAWL_DELAY = 60.0

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._crawl_delays: dict[str, float] = {}
        self._unavailable: dict[str, str] = {}  # netloc -> why its robots.txt is unusable

    async def process_request(self, request: Request, spider: Any = None) -> None:
        if request.meta.get("dont_obey_robotstxt") or request.url.startswith(("data:", "file:")):
            return
        await self.robot_parser(request)
        # Read the parser from the table, not from the awaited value: when several requests
        # wait for one robots.txt, only the first waiter is handed the parser, the others None
        # (which Scrapy takes as "allow everything").
        self.process_request_2(self._parsers.get(urlparse_cached(request).netloc), request)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            self._robots_error(RuntimeError(f"robots.txt answered {response.status}"), netloc)
            return
        if response.status >= 400:
            response = response.replace(body=b"")
        await super()._parse_robots(response, netloc, request)
        parser = self._parsers.get(netloc)
        delay = _crawl_delay(parser, self._robotstxt_useragent or self._default_useragent)
        if delay:
            self._crawl_delays[netloc] = min(delay, self.MAX_CRAWL_DELAY)
            self._stats.set_value("newsdesk/robots/crawl_delay", self._crawl_delays[netloc])

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        # Like Scrapy's, but the requests waiting for this robots.txt get a deny-all parser.
        waiting = self._parsers.get(netloc)
        deny = _DenyAll()
        self._parsers[netloc] = deny
        self._unavailable[netloc] = str(exc)
        if isinstance(waiting, Deferred):
            waiting.callback(deny)
        self._stats.inc_value("newsdesk/robots/unavailable")
        log.warning("robots.txt of %s unavailable (%s): not crawling it this run", netloc, exc)

    def process_request_2(self, rp: Any, request: Request) -> None:
        if isinstance(rp, _DenyAll):
            why = self._unavailable.get(urlparse_cached(request).netloc, "")
            raise RobotsUnavailable(f"robots.txt unavailable ({why}): not crawling this site")
        super().process_request_2(rp, request)
        delay = self._crawl_delays.get(urlparse_cached(request).netloc)
        if delay:
            request.meta["autothrottle_dont_adjust_delay"] = True
            slot_key = self.crawler.engine.downloader.get_slot_key(request)
            slot = self.crawler.engine.downloader.slots.get(slot_key)
            if slot is not None:
                slot.delay = max(slot.delay, delay)
                slot.jitter = 0.0  # a random factor could take the delay below Crawl-delay


def _crawl_delay(parser: Any, user_agent: str) -> float | None:
    rules = getattr(parser, "rp", None)  # Scrapy's ProtegoRobotParser wraps a Protego object
    if rules is None or not hasattr(rules, "crawl_delay"):
        return None
    delay = rules.crawl_delay(user_agent)
    return float(delay) if delay else None


class ListingCachePolicy(RFC2616Policy):
    """Cache only listing pages, and revalidate them on every crawl (ETag and
    If-Modified-Since) unless the server set an explicit lifetime: a news section that
    changed an hour ago must not be served from cache on a heuristic guess."""

    def should_cache_request(self, request: Request) -> bool:
        return bool(request.meta.get(LISTING)) and super().should_cache_request(request)

    def is_cached_response_fresh(self, cachedresponse: Response, request: Request) -> bool:
        control = cachedresponse.headers.get(b"Cache-Control") or b""
        if b"max-age" not in control and b"Expires" not in cachedresponse.headers:
            self._set_conditional_validators(request, cachedresponse)
            return False
        return super().is_cached_response_fresh(cachedresponse, request)


class ListingCacheStorage(FilesystemCacheStorage):
    """Scrapy's file cache, gzipped at level 1 instead of gzip's default 9. Every listing
    answered 304 Not Modified is written to the cache again (with its new headers), so an
    unchanged re-run rewrites all of them: at level 9 that took a third of the re-run's
    CPU time. Files written at either level read the same."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        if self.use_gzip:
            self._open = _gzip_level_1


def _gzip_level_1(path: str | os.PathLike[str], mode: str, *_: Any) -> IO[bytes]:
    return cast(IO[bytes], gzip.GzipFile(path, mode, compresslevel=1))


class OverBudget(IgnoreRequest):
    """The crawl has made as many requests as ``NEWSDESK_REQUEST_BUDGET`` allows."""


class RequestBudgetMiddleware:
    """At most ``NEWSDESK_REQUEST_BUDGET`` requests in one crawl (0: no limit), each one
    sent counted: robots.txt, redirects and retries too. ``newsdesk sources add`` and
    ``sources check`` promise a site no more than their budget."""

    def __init__(self, crawler: Crawler) -> None:
        self.budget = crawler.settings.getint("NEWSDESK_REQUEST_BUDGET")
        self.sent = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequestBudgetMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        if self.budget and self.sent >= self.budget:
            raise OverBudget(f"not sent: {self.budget} requests made, the budget")
        self.sent += 1


class PrivateAddress(IgnoreRequest):
    """The URL's host is not a public internet address (or its scheme is not http/https)."""


class PublicAddressMiddleware:
    """Refuse, before any connection, a request whose scheme is not http(s) or whose host
    is or resolves to a loopback, private, link-local (169.254.169.254), multicast,
    reserved or otherwise non-public address. Redirects pass through here again, so each
    hop is checked. Hosts listed in ``NEWSDESK_PRIVATE_HOSTS`` (a source's own hosts, when
    its config says ``allow_private_address = true``) are let through."""

    def __init__(self, crawler: Crawler) -> None:
        self.allowed = {h.lower() for h in crawler.settings.getlist("NEWSDESK_PRIVATE_HOSTS")}
        self.stats = crawler.stats
        self._cache: dict[str, bool] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PublicAddressMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        parts = urlparse_cached(request)
        if parts.scheme not in ("http", "https"):
            self._refuse(request, f"scheme {parts.scheme!r} is not fetched")
        host = (parts.hostname or "").lower()
        if host in self.allowed:
            return
        if host not in self._cache:
            self._cache[host] = await maybe_deferred_to_future(deferToThread(is_public_host, host))
        if not self._cache[host]:
            self._refuse(request, f"{host} is not a public address")

    def _refuse(self, request: Request, why: str) -> None:
        assert self.stats is not None
        self.stats.inc_value("newsdesk/refused/private_address")
        raise PrivateAddress(f"refused {request.url}: {why}")


def is_public_host(host: str) -> bool:
    """Whether every address ``host`` names (or resolves to) is a public unicast address."""
    if not host:
        return False
    try:
        # str(): typed str | int, an IP address's text for the AF_INET(6) results here
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return True  # unresolvable: the download fails on its own, nothing is reached
    return all(ipaddress.ip_address(a.split("%")[0]).is_global for a in addresses)
