"""All SQL lives in this package: the schema (as sqlite-utils migrations) and every read and
write.

One writer at a time: WAL mode, a busy timeout, and write transactions opened with
``BEGIN IMMEDIATE`` so a writer queues for the lock up front instead of failing half-way.
Readers open the file read-only (``open_readonly``) and never block the writer.

The rest of the project uses only the names re-exported here (``from digest import store``,
then ``store.open_db``, ``store.save_pages``, ...); the modules are:

- ``schema``: the migrations (m001..m009) and the ``stories`` view
- ``connection``: ``open_db``, ``open_readonly``, ``write``, ``utcnow``
- ``pages``: fetched pages and their processing state
- ``known``: the seen set as a stream of URLs, for the cluster's ingest writer
- ``articles``: articles, search and listings, topics, stories, sources
- ``runs``: runs, each source's crawl outcomes, health and weekly upkeep
- ``digests``: digest claims, records and deliveries, crash recovery
- ``salvage``: a damaged store's readable rows, copied into a new store
"""

from __future__ import annotations

from digest.store.articles import (
    ARTICLE_COLUMNS,
    ARTICLE_FIELDS,
    JSON_FIELDS,
    WHEN,
    ArticleQuery,
    articles_seen_between,
    count_articles,
    count_articles_seen_between,
    find_articles,
    get_article,
    save_article,
    search,
    set_stories,
    set_topics,
    sync_sources,
)
from digest.store.connection import (
    BUSY_TIMEOUT_MS,
    StoreBusy,
    StoreCorrupt,
    StoreFull,
    check_file,
    is_corruption,
    open_db,
    open_readonly,
    utcnow,
    verify,
    write,
)
from digest.store.digests import (
    LEASE_SECONDS,
    Holder,
    claim_alive,
    claim_digest,
    delete_digest,
    final_digests,
    get_digest,
    process_alive,
    recent_digests,
    record_delivery,
    record_digest,
    recover_after_crash,
    release_digest,
    undelivered_digests,
)
from digest.store.known import known_urls
from digest.store.pages import (
    MAX_ATTEMPTS,
    FetchedPage,
    StoredPage,
    known_listing,
    known_page,
    load_page,
    mark_page,
    page_states,
    pages_to_process,
    record_failure,
    save_pages,
)
from digest.store.runs import (
    SOURCE_RUN_FIELDS,
    finish_run,
    first_run_started,
    get_run,
    last_crawl_started,
    last_runs,
    last_source_runs,
    maintain,
    record_source_run,
    source_health,
    source_runs,
    source_runs_between,
    start_run,
)
from digest.store.salvage import salvage
from digest.store.schema import (
    STORIES_VIEW,
    m001_initial,
    m002_aliases_and_source_runs,
    m003_article_metadata_and_attempts,
    m004_digest_delivery,
    m005_digest_claims,
    m006_sources_stories_topics,
    m007_article_when_indexes,
    m008_fts_update_trigger_on_indexed_columns,
    m009_final_digests_and_claim_leases,
    migrations,
)

__all__ = [
    "ARTICLE_COLUMNS",
    "ARTICLE_FIELDS",
    "BUSY_TIMEOUT_MS",
    "JSON_FIELDS",
    "LEASE_SECONDS",
    "MAX_ATTEMPTS",
    "SOURCE_RUN_FIELDS",
    "STORIES_VIEW",
    "WHEN",
    "ArticleQuery",
    "FetchedPage",
    "Holder",
    "StoreBusy",
    "StoreCorrupt",
    "StoreFull",
    "StoredPage",
    "articles_seen_between",
    "check_file",
    "claim_alive",
    "claim_digest",
    "count_articles",
    "count_articles_seen_between",
    "delete_digest",
    "final_digests",
    "find_articles",
    "finish_run",
    "first_run_started",
    "get_article",
    "get_digest",
    "get_run",
    "is_corruption",
    "known_listing",
    "known_page",
    "known_urls",
    "last_crawl_started",
    "last_runs",
    "last_source_runs",
    "load_page",
    "m001_initial",
    "m002_aliases_and_source_runs",
    "m003_article_metadata_and_attempts",
    "m004_digest_delivery",
    "m005_digest_claims",
    "m006_sources_stories_topics",
    "m007_article_when_indexes",
    "m008_fts_update_trigger_on_indexed_columns",
    "m009_final_digests_and_claim_leases",
    "maintain",
    "mark_page",
    "migrations",
    "open_db",
    "open_readonly",
    "page_states",
    "pages_to_process",
    "process_alive",
    "recent_digests",
    "record_delivery",
    "record_digest",
    "record_failure",
    "record_source_run",
    "recover_after_crash",
    "release_digest",
    "salvage",
    "save_article",
    "save_pages",
    "search",
    "set_stories",
    "set_topics",
    "source_health",
    "source_runs",
    "source_runs_between",
    "start_run",
    "sync_sources",
    "undelivered_digests",
    "utcnow",
    "verify",
    "write",
]
