"""What one source's crawl amounted to: error kinds, the run record and its terminal line."""

from __future__ import annotations

import time
from typing import Any

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError as TxConnectionRefused
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure

from crawler.middlewares import PrivateAddress, RobotsUnavailable
from digest.clock import to_utc_iso, utc_now

_KINDS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((RobotsUnavailable,), "robots_unavailable"),
    ((PrivateAddress,), "private_address"),
    ((DownloadTimeoutError, TimeoutError, TCPTimedOutError), "timeout"),
    ((CannotResolveHostError, DNSLookupError), "dns"),
    ((DownloadConnectionRefusedError, TxConnectionRefused), "connection_refused"),
    ((ResponseDataLossError,), "data_loss"),
)


def error_kind(failure: Failure) -> str:
    """A short name for why a request failed: http_4xx, timeout, robots_denied, ..."""
    if isinstance(failure.value, HttpError):  # failure.check, with the type narrowed
        return f"http_{failure.value.response.status // 100}xx"
    for types, kind in _KINDS:
        if failure.check(*types):
            return kind
    if failure.check(DownloadCancelledError):  # Scrapy cancels only over DOWNLOAD_MAXSIZE
        return "too_large"
    if failure.check(IgnoreRequest):
        return _ignored_kind(str(failure.value).lower())
    if failure.check(DownloadFailedError):
        return "bad_response"  # not HTTP (HTTP/0.9 garbage), a broken status line, ...
    return failure.type.__name__.lower() if failure.type else "unknown"


def _ignored_kind(message: str) -> str:
    if "robots" in message:
        return "robots_denied"
    if "maxsize" in message or "max size" in message:
        return "too_large"  # a compressed body that decompressed past the cap
    if "redirection" in message:
        return "redirect_loop"
    return "ignored"


def source_report(spider: Any, stats: dict[str, Any]) -> dict[str, Any]:
    """The ``crawl_sources`` row of one spider's crawl."""
    saved = stats.get("newsdesk/pages/saved", 0)
    unsaved = stats.get("newsdesk/pages/unsaved", 0)
    errors = dict(spider.errors)
    first_error = spider.first_error
    if spider.start_ok == 0:
        status = "skipped" if spider.errors.get("robots_unavailable") else "failed"
    else:
        status = "ok" if saved else "empty"
    if unsaved:  # fetched, but the store refused them (full, locked, damaged)
        status = "failed"
        errors["not_saved"] = unsaved
        first_error = (
            f"{unsaved} fetched pages could not be written to the store "
            f"({stats.get('newsdesk/store/last_error', 'store error')}); the next crawl "
            "fetches them again"
        )
    return {
        "status": status,
        "started_at": to_utc_iso(spider.started_at),
        "finished_at": utc_now(),
        "duration_s": round(time.monotonic() - spider.clock, 3),
        "requests": stats.get("downloader/request_count", 0),
        "pages_saved": saved,
        "pages_unchanged": stats.get("newsdesk/pages/unchanged", 0),
        "listings_read": stats.get("newsdesk/listings/read", 0),
        "not_modified": stats.get("httpcache/revalidate", 0),
        "known_skipped": stats.get("newsdesk/articles/known", 0),
        "articles": stats.get("newsdesk/processed/article", 0),  # with crawl --process
        "errors": errors,
        "first_error": first_error,
    }


def summary_line(name: str, info: dict[str, Any], *, all_workers: bool = False) -> str:
    """The terminal's line for one source's crawl, from its report: ``source_report``, or
    with ``all_workers`` the cluster slot's report (counts summed over every worker)."""
    if all_workers:
        line = (
            f"{name}: {info['status']}, {info['pages_saved']} pages to the store (all workers), "
            f"{info['known_skipped']} known skipped, {info['requests']} requests"
        )
    else:
        line = (
            f"{name}: {info['status']}, {info['pages_saved']} new pages, "
            f"{info['known_skipped']} known skipped, {info['not_modified']} not modified, "
            f"{info['requests']} requests in {info['duration_s']:.1f}s"
        )
        if info.get("articles"):
            line += f", {info['articles']} articles"
    if info["errors"]:
        line += (
            " (errors: " + ", ".join(f"{k} {n}" for k, n in sorted(info["errors"].items())) + ")"
        )
    return line
