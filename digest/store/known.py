"""The seen set as a stream of URLs, for the cluster's ingest writer: workers on other
machines cannot ask SQLite whether a URL is known, so the writer copies the answer into
Redis (``digest/ingest.py``)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlite_utils import Database

from digest.store.pages import IS_LISTING


def known_urls(db: Database) -> Iterator[tuple[str, bool]]:
    """Every URL ``known_page`` or ``known_listing`` says yes to, as (url, is_listing).

    Article pages, articles' canonical URLs and their aliases come with False; pages found
    not to be articles (read again for their links) with True. Rows are streamed, so a
    store of millions of pages is not held in memory."""
    sql = (
        f"SELECT url, {IS_LISTING} FROM pages "
        "UNION ALL SELECT url, 0 FROM articles UNION ALL SELECT url, 0 FROM aliases"
    )
    for url, is_listing in db.execute(sql):
        yield url, bool(is_listing)
