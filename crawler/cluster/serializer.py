"""JSON for the requests in the shared queue (``SCHEDULER_SERIALIZER``).

scrapy-redis pickles requests by default, and unpickling runs code: anyone who could
write to Redis could run programs on every worker. JSON cannot carry code. Bytes (bodies,
header names and values) travel as base64, and dicts whose keys are not all strings as
lists of pairs; anything else that JSON cannot hold is refused with a TypeError.

``loads`` also refuses what ``scrapy.utils.request.request_from_dict`` would turn into
code or into a way around a safeguard. Whoever can write to Redis can queue a request, so
an entry read from the queue is taken only as "fetch this URL with one of the spider's
own callbacks":

- a ``_class`` (it imports any object by name) is refused, and so is a callback or
  errback that is not one of the spider's page callbacks (``CALLBACKS``, ``ERRBACKS``):
  no other method of the spider (``begin_slot``, ``closed``...) can be called from Redis;
- only the meta keys newsdesk's spider sets and Scrapy's harmless bookkeeping are kept
  (``META``); any other (``dont_obey_robotstxt``, ``proxy``, ``download_maxsize``...) is
  stripped, logged and counted (stat ``newsdesk/queue/meta_stripped``), so robots.txt,
  the size caps and the rest apply to every queued request as on a single machine.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

_BYTES = "$b"
_PAIRS = "$d"
log = logging.getLogger(__name__)

CALLBACKS = frozenset({"parse_listing", "parse_feed", "parse_sitemap", "parse_page"})
ERRBACKS = frozenset({"fetch_failed", "start_failed"})
# meta key -> the types its value may have; every other key is stripped
META: dict[str, tuple[type, ...]] = {
    "newsdesk_listing": (bool,),  # crawler.middlewares.LISTING
    "newsdesk_slot": (int,),  # crawler.cluster.dupefilter.SLOT
    "allow_offsite": (bool,),  # seeds only; the offsite filter still sees the others
    "is_start_request": (bool,),
    "depth": (int,),
    "retry_times": (int,),
    "redirect_times": (int,),
    "redirect_ttl": (int,),
    "redirect_urls": (list,),
    "redirect_reasons": (list,),
}


def dumps(obj: dict[str, Any]) -> bytes:
    return json.dumps(_encode(obj, "request"), separators=(",", ":")).encode("utf-8")


def loads(data: bytes | str) -> dict[str, Any]:
    return load_request(data)[0]


def load_request(data: bytes | str) -> tuple[dict[str, Any], list[str]]:
    """The request in ``data`` and the meta keys stripped from it; ValueError when it is
    refused (see the module doc)."""
    obj = _decode(json.loads(data))
    _check_request(obj)
    stripped = _strip_meta(obj)
    if stripped:
        log.warning("stripped meta %s from a queued request for %s", stripped, obj["url"])
    return obj, stripped


def _encode(value: Any, where: str) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, bytes):
        return {_BYTES: base64.b64encode(value).decode("ascii")}
    if isinstance(value, list | tuple):
        return [_encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: _encode(v, f"{where}.{k}") for k, v in value.items()}
        return {
            _PAIRS: [[_encode(k, where), _encode(v, f"{where}.{k!r}")] for k, v in value.items()]
        }
    raise TypeError(f"cannot put a {type(value).__name__} into the shared queue (at {where})")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {_BYTES}:
        return base64.b64decode(value[_BYTES], validate=True)
    if set(value) == {_PAIRS}:
        return {_hashable(_decode(k)): _decode(v) for k, v in value[_PAIRS]}
    return {k: _decode(v) for k, v in value.items()}


def _hashable(key: Any) -> Any:
    if isinstance(key, list):  # a tuple key came back as a list
        return tuple(key)
    return key


def _check_request(obj: Any) -> None:
    if not isinstance(obj, dict) or not isinstance(obj.get("url"), str):
        raise ValueError("not a queued request: expected an object with a url")
    if "_class" in obj:
        raise ValueError(f"refused a queued request with a _class ({obj['_class']!r})")
    for name, allowed in (("callback", CALLBACKS), ("errback", ERRBACKS)):
        method = obj.get(name)
        if method is not None and method not in allowed:
            raise ValueError(f"refused a queued request whose {name} is {method!r}")


def _strip_meta(obj: dict[str, Any]) -> list[str]:
    meta = obj.get("meta") or {}
    if not isinstance(meta, dict):
        raise ValueError("not a queued request: its meta is not an object")
    bad = sorted(
        str(k)
        for k, v in meta.items()
        if k not in META or not isinstance(v, META[k]) or (bool in META[k]) != (type(v) is bool)
    )
    obj["meta"] = {k: v for k, v in meta.items() if str(k) not in bad}
    return bad
