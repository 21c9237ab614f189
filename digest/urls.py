"""URL identity: one spelling per page, so the same article is fetched and stored once.

Pure functions, shared by the crawler (before a request is made) and by extraction (with
the page's declared rel=canonical).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# Parameters that only say where a click came from, or which session made it.
TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|ocid|cmpid|_ga|igshid|ref_src"
    r"|sessionid|session_id|sid|phpsessid|jsessionid)$",
    re.IGNORECASE,
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def clean_url(url: str) -> str:
    """Lower-case scheme and host, drop the default port, the fragment, tracking and
    session parameters and ``;jsessionid=`` path parameters; sort the query. A URL that
    cannot be parsed (a broken IPv6 host, a port that is not a number) gives ""."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    if port and port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    path = re.sub(r";jsessionid=[^/?#]*", "", parts.path, flags=re.IGNORECASE) or "/"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not TRACKING_PARAMS.match(k)
    )
    return urlunsplit((scheme, host, path, urlencode(query), "")).strip()


def canonical_url(page_url: str, declared: str | None) -> str:
    """The article's identity: its declared canonical URL when it stays on the page's
    host, else the page's own URL; cleaned either way."""
    url = page_url
    if declared:
        try:
            absolute = urljoin(page_url, declared.strip())
        except ValueError:
            absolute = ""
        web = urlsplit(absolute).scheme in ("http", "https")
        saved = urlsplit(page_url).scheme not in ("http", "https")  # a file read from disk
        if web and (saved or urlsplit(absolute).hostname == urlsplit(page_url).hostname):
            url = absolute
    return clean_url(url)
