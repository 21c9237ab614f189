"""Crawling on several processes through a real Redis (issue 10): worker processes share
one frontier and each article is fetched and stored once, also when a worker is killed
mid-crawl or all are stopped and started again; pages reach the store through the one
ingest writer, which outlives a Redis restart and loses nothing when it crashes."""

from __future__ import annotations

import json
import os
import pickle
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import redis
from scrapy import Request, Spider
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from bench.site import SiteInfo, generate_site, newsdesk_toml
from crawler.cluster import beat, keys, serializer
from crawler.cluster import worker as worker_module
from crawler.cluster.dupefilter import SLOT, DailyDupeFilter
from crawler.cluster.queue import LEASE, LeasedPriorityQueue
from crawler.cluster.scheduler import LeasingScheduler
from crawler.cluster.serializer import loads
from crawler.settings import CONCURRENT_REQUESTS
from crawler.siteserver import SiteServer, serve_site
from digest import ingest, jobs, store
from digest.cluster import (
    DEAD,
    FAILED,
    INGEST_LOCK,
    KNOWN_ARTICLES,
    KNOWN_LISTINGS,
    KNOWN_SYNCED,
    PAGES,
    PROCESSING,
    encode_page,
    payload_limit,
    url_member,
)
from digest.config import load_config
from digest.ingest import IngestBusy, IngestFailed, IngestWriter, crawl_with_ingest
from tests.redisserver import RedisServer, running_redis
from tests.unit.test_cluster import Planted

N = 300
NOW = datetime.now(UTC).replace(second=0, microsecond=0)
SPIDER = "news-wire"
QUEUE = keys.QUEUE % {"spider": SPIDER}
LIMIT = payload_limit(10.0)


@pytest.fixture(scope="module")
def news_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SiteServer, SiteInfo]]:
    """A generated site of N articles (sections, feeds, a sitemap index), served once."""
    root = tmp_path_factory.mktemp("site")
    with serve_site(root) as server:
        yield server, generate_site(root, N, now=NOW, base=server.base_url, per_page=20)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with running_redis(tmp_path / "redis") as server:
        yield server


@dataclass
class Cluster:
    """newsdesk processes in ``cwd`` against one Redis and the generated site."""

    cwd: Path
    server: SiteServer
    info: SiteInfo
    redis: RedisServer
    mark: int = 0
    procs: list[subprocess.Popen[str]] = field(default_factory=list)
    logs: dict[int, Path] = field(default_factory=dict)  # pid -> its output

    def configure(self, *, delay: float = 0.0, **cluster: Any) -> None:
        settings = {"redis_url": self.redis.url, "lease_seconds": 3, **cluster}
        table = "\n".join(f"{k} = {v!r}".replace("'", '"') for k, v in settings.items())
        # One schedule slot for the whole test: a boundary would seed the listings again.
        top = f"download_delay = {delay}\ncrawl_interval_minutes = 100000"
        text = newsdesk_toml(
            self.server.base_url,
            settings=f"{top}\n[cluster]\n{table}",
            sitemaps=True,
            source="max_pages = 1000",
        )
        (self.cwd / "newsdesk.toml").write_text(text, encoding="utf-8")
        self.mark = len(self.server.log)

    def start(self, *args: str) -> subprocess.Popen[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
        env["PYTHONUNBUFFERED"] = "1"
        path = self.cwd / f"{args[0]}-{len(self.procs)}.log"
        out = path.open("w")
        proc = subprocess.Popen(
            [sys.executable, "-m", "scheduler", "--config", "newsdesk.toml", *args],
            cwd=self.cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
        out.close()
        self.logs[proc.pid] = path
        self.procs.append(proc)
        return proc

    def worker(self) -> subprocess.Popen[str]:
        return self.start("worker", "--log-level", "INFO")

    def output(self, proc: subprocess.Popen[str]) -> str:
        return self.logs[proc.pid].read_text(encoding="utf-8")

    def stop(self, *procs: subprocess.Popen[str]) -> None:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            assert proc.wait(timeout=30) == 0, self.output(proc)[-3000:]

    def stored(self) -> list[str]:
        return [u.removeprefix(self.server.base_url) for u in stored_urls(self.cwd, as_list=True)]

    def fetches(self) -> Counter[str]:
        """Article pages served (200) since configure()."""
        articles = set(self.info.articles)
        return Counter(p for _, p, s in self.server.log[self.mark :] if s == 200 and p in articles)

    def wait_until(self, what: str, condition: Callable[[], bool], timeout: float = 45) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            for proc in self.procs:
                assert proc.poll() in (None, 0), f"{proc.args} died:\n{self.output(proc)[-3000:]}"
            time.sleep(0.2)
        logs = "\n".join(self.output(p)[-1500:] for p in self.procs)
        raise AssertionError(f"timed out waiting for {what}; stored {len(self.stored())}\n{logs}")

    def all_stored(self) -> bool:
        return set(self.stored()) >= set(self.info.articles)

    def drained(self) -> bool:
        """Nothing is queued on the frontier and no worker holds a request."""
        r = self.redis.client()
        held = sum(r.hlen(k) for k in r.scan_iter(keys.inflight(SPIDER, "*")))
        return r.zcard(QUEUE) == 0 and held == 0


@pytest.fixture
def cluster(
    tmp_path: Path, news_site: tuple[SiteServer, SiteInfo], redis_server: RedisServer
) -> Iterator[Cluster]:
    server, info = news_site
    c = Cluster(tmp_path, server, info, redis_server)
    yield c
    for proc in c.procs:  # a failed test leaves nothing running
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def pushed(output: str) -> int:
    """Pages a worker pushed to the ingest queue, from the stats Scrapy logs on close."""
    found = re.search(r"'newsdesk/pages/pushed': (\d+)", output)
    return int(found[1]) if found else 0


def worker_ids(redis: RedisServer) -> dict[int, str]:
    """pid -> worker id of the workers registered on the frontier."""
    members = redis.client().smembers(keys.WORKERS)
    return {int(m.decode().split(":")[1]): m.decode() for m in members}


def test_workers_share_one_frontier_and_store_every_article_once(cluster: Cluster) -> None:
    cluster.configure(delay=0.05)  # long enough a crawl that every worker is up for it
    # Someone who can write to Redis queued a pickle that would run a command when loaded.
    marker = cluster.cwd / "pwned"
    cluster.redis.client().zadd(QUEUE, {pickle.dumps(Planted(marker)): -100})
    ingest = cluster.start("ingest")
    workers = [cluster.worker() for _ in range(3)]
    cluster.wait_until("every article stored", cluster.all_stored)
    # Listing pages may still be queued or in flight; a worker stopped now gives back what
    # it holds, so stop the workers once nothing is left to do.
    cluster.wait_until("the frontier drained", cluster.drained)
    cluster.stop(*workers, ingest)

    assert not marker.exists()  # never unpickled, and the workers went on
    assert "dropped an unreadable or refused request" in "".join(map(cluster.output, workers))
    stored = cluster.stored()
    assert sorted(p for p in stored if p in set(cluster.info.articles)) == sorted(
        cluster.info.articles
    )
    fetched = cluster.fetches()
    assert set(fetched) == set(cluster.info.articles)
    assert max(fetched.values()) == 1, [p for p, n in fetched.items() if n > 1]
    counts = [pushed(cluster.output(w)) for w in workers]
    assert sum(counts) == N, counts  # each page was pushed by exactly one worker
    assert sum(1 for n in counts if n) >= 2, counts  # and the work was shared
    assert cluster.redis.client().zcard(QUEUE) == 0


def test_a_killed_workers_requests_come_back(cluster: Cluster) -> None:
    cluster.configure(delay=0.05)
    cluster.start("ingest")
    workers = [cluster.worker() for _ in range(3)]
    cluster.wait_until("a third stored", lambda: len(cluster.stored()) >= N // 3)

    victim = workers[0]
    victim_id = worker_ids(cluster.redis)[victim.pid]
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    cluster.procs.remove(victim)
    r = cluster.redis.client()
    held = [loads(v)["url"] for v in r.hvals(keys.inflight(SPIDER, victim_id))]
    assert held, "the killed worker held no requests: nothing was tested"

    cluster.wait_until("every article stored", cluster.all_stored)
    assert not r.exists(keys.inflight(SPIDER, victim_id))  # its leases were reclaimed
    stored = cluster.stored()
    held_paths = {u.removeprefix(cluster.server.base_url) for u in held}
    assert {p for p in held_paths if p in set(cluster.info.articles)} <= set(stored)
    fetched = cluster.fetches()
    assert set(fetched) == set(cluster.info.articles)  # every article fetched
    twice = {p for p, n in fetched.items() if n > 1}
    assert twice <= held_paths  # only what the dead worker had taken was fetched again
    assert max(fetched.values()) <= 2


def test_stopped_workers_resume_the_frontier(cluster: Cluster) -> None:
    cluster.configure(delay=0.05)
    ingest = cluster.start("ingest")
    first = [cluster.worker() for _ in range(2)]
    cluster.wait_until("some articles stored", lambda: len(cluster.stored()) >= 40)
    cluster.stop(*first)

    r = cluster.redis.client()
    assert r.zcard(QUEUE) > 0, "the frontier was not kept"
    assert not r.keys(keys.inflight(SPIDER, "*"))  # a stopped worker returns what it held
    cluster.wait_until("the queue drained", lambda: r.llen(PAGES) + r.llen(PROCESSING) == 0)
    assert len(cluster.stored()) < N

    second = [cluster.worker() for _ in range(2)]
    cluster.wait_until("every article stored", cluster.all_stored)
    cluster.stop(*second, ingest)
    fetched = cluster.fetches()
    assert set(fetched) == set(cluster.info.articles)
    assert max(fetched.values()) == 1, [p for p, n in fetched.items() if n > 1]
    homepage = [p for _, p, _ in cluster.server.log[cluster.mark :] if p == "/"]
    assert len(homepage) == 1  # the restarted workers did not seed the slot again


def test_workers_ride_out_a_redis_restart(cluster: Cluster) -> None:
    cluster.configure(delay=0.05)
    cluster.start("ingest")
    workers = [cluster.worker() for _ in range(2)]
    cluster.wait_until("some articles stored", lambda: len(cluster.stored()) >= 60)
    cluster.redis.restart(down_seconds=2)
    cluster.wait_until("every article stored", cluster.all_stored)
    assert all(w.poll() is None for w in workers)
    assert "Redis is back" in cluster.output(workers[0]) + cluster.output(workers[1])
    fetched = cluster.fetches()
    assert set(fetched) == set(cluster.info.articles)
    assert max(fetched.values()) == 1, [p for p, n in fetched.items() if n > 1]


def test_workers_wait_while_the_ingest_queue_is_full(cluster: Cluster) -> None:
    cluster.configure(max_queued_pages=20)
    workers = [cluster.worker() for _ in range(2)]
    r = cluster.redis.client()
    cluster.wait_until("the ingest queue filled", lambda: r.llen(PAGES) >= 20)
    # Observe for a while: the queue stays near its bound (each worker may have up to
    # CONCURRENT_REQUESTS pages between the check and the push) and the rest waits.
    deadline, longest = time.monotonic() + 3, 0
    while time.monotonic() < deadline:
        longest = max(longest, r.llen(PAGES))
        time.sleep(0.1)
    assert longest <= 20 + 2 * CONCURRENT_REQUESTS
    assert not cluster.stored()
    assert "pages wait for the ingest writer: pausing" in cluster.output(workers[0]) + (
        cluster.output(workers[1])
    )

    cluster.start("ingest")
    cluster.wait_until("every article stored", cluster.all_stored)
    assert max(cluster.fetches().values()) == 1


def run_newsdesk(cluster: Cluster, *args: str) -> subprocess.CompletedProcess[str]:
    """`newsdesk ARGS` in the cluster's folder, with no NEWSDESK_* variable from here."""
    return subprocess.run(
        [sys.executable, "-m", "scheduler", *args],
        cwd=cluster.cwd,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")},
    )


def crawl_redis(cluster: Cluster) -> subprocess.CompletedProcess[str]:
    """`newsdesk crawl --redis URL`."""
    return run_newsdesk(cluster, "crawl", "--redis", cluster.redis.url)


def test_crawl_redis_coordinates_crawls_and_ingests(cluster: Cluster) -> None:
    cluster.configure()
    helper = cluster.worker()
    result = crawl_redis(cluster)
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.search(r"crawl \d+: ok \(\d+ new pages stored\)", result.stdout), result.stdout
    assert cluster.all_stored()  # the crawl ended only once its slot was drained
    assert max(cluster.fetches().values()) == 1
    cluster.stop(helper)
    db = store.open_readonly(cluster.cwd / "data" / "newsdesk.db")
    (row,) = store.last_source_runs(db)
    assert row["status"] == "ok" and row["pages_saved"] == N  # summed over both crawlers

    # A Redis that lost everything (no frontier, no duplicate filter): the ingest writer
    # fills the known sets from the store, and stored articles are not fetched again.
    cluster.redis.client().flushall()
    again = crawl_redis(cluster)
    assert again.returncode == 0, again.stderr[-3000:]
    assert max(cluster.fetches().values()) == 1
    homepage = [p for _, p, _ in cluster.server.log[cluster.mark :] if p == "/"]
    assert len(homepage) == 2  # the listings were read again, in the new slot
    db = store.open_readonly(cluster.cwd / "data" / "newsdesk.db")
    (row,) = store.last_source_runs(db)
    assert row["status"] == "empty" and row["known_skipped"] >= N


# --- the ingest writer ---------------------------------------------------------------------


def page(n: int, source: str = "wire") -> store.FetchedPage:
    return store.FetchedPage(
        url=f"https://example.com/2026/11/26/story-{n}/",
        source=source,
        final_url=f"https://example.com/2026/11/26/story-{n}/",
        http_status=200,
        content_type="text/html; charset=utf-8",
        html=f"<html><body><p>Story {n} – ünïcode.</p></body></html>",
        fetched_at="2026-11-26T05:00:00+00:00",
    )


def stored_urls(cwd: Path, *, as_list: bool = False) -> Any:
    """The URLs in the store's pages table (none while the store is being created)."""
    db = cwd / "data" / "newsdesk.db"
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            urls = [url for (url,) in conn.execute("SELECT url FROM pages")]
    except sqlite3.OperationalError:  # not created yet, or its schema not yet
        urls = []
    return urls if as_list else set(urls)


def test_the_ingest_writer_survives_a_redis_restart(cluster: Cluster) -> None:
    cluster.configure()
    r = cluster.redis.client()
    ingest = cluster.start("ingest")
    r.lpush(PAGES, *[encode_page(page(n), limit=LIMIT) for n in range(20)])
    cluster.wait_until("20 pages stored", lambda: len(stored_urls(cluster.cwd)) == 20)

    cluster.redis.restart(down_seconds=2)
    r = cluster.redis.client()
    r.lpush(PAGES, *[encode_page(page(n), limit=LIMIT) for n in range(20, 40)])
    cluster.wait_until("40 pages stored", lambda: len(stored_urls(cluster.cwd)) == 40)
    assert ingest.poll() is None
    assert r.sismember(KNOWN_ARTICLES, url_member(page(39).url))  # workers will skip it
    cluster.stop(ingest)
    log = cluster.output(ingest)
    assert "unavailable" in log and "Redis is back" in log


def test_an_ingest_crash_loses_no_page(tmp_path: Path, redis_server: RedisServer) -> None:
    cfg = _ingest_config(tmp_path, redis_server.url)
    db = store.open_db(cfg.db_path)
    store.save_pages(db, [page(100), page(101, source="wire")])
    store.mark_page(db, page(101).url, "not_article", "a tag page")
    db.close()
    r = redis_server.client()
    # A writer died after taking this batch and before committing it.
    r.lpush(PROCESSING, *[encode_page(page(n), limit=LIMIT) for n in range(3)])
    r.lpush(PAGES, encode_page(page(3), limit=LIMIT), encode_page(page(4, "other"), limit=LIMIT))
    r.lpush(PAGES, b"\x78\x9c not zlib", encode_page(page(5), limit=LIMIT))

    writer = IngestWriter(cfg, redis_server.url)
    writer.claim()
    with pytest.raises(IngestBusy, match="another ingest writer"):
        IngestWriter(cfg, redis_server.url).claim()
    counts = writer.run(drain=True)

    assert stored_urls(tmp_path) == {page(n).url for n in (0, 1, 2, 3, 5, 100, 101)}
    assert counts["rejected"] == 2  # an unknown source and a payload that is not one
    assert r.llen(DEAD) == 2 and r.llen(PROCESSING) == 0 and r.llen(PAGES) == 0
    assert r.sismember(KNOWN_ARTICLES, url_member(page(100).url))  # seeded from the store
    assert r.sismember(KNOWN_LISTINGS, url_member(page(101).url))
    assert not r.exists("newsdesk:ingest:writer")  # the role is free again


# --- the shared duplicate filter and queue --------------------------------------------------


def test_the_duplicate_filter_forgets_after_its_days(redis_server: RedisServer) -> None:
    r = redis_server.client()
    seen = DailyDupeFilter(r, "newsdesk:news-t:seen", days=2)
    article = Request("https://example.com/2026/11/26/a/")
    assert not seen.request_seen(article)
    assert seen.request_seen(article)
    today, yesterday = seen.day_keys()
    assert 0 < r.ttl(today) <= 2 * 86400  # today's set expires: the filter cannot grow forever

    listing = Request("https://example.com/", meta={SLOT: 7})
    assert not seen.request_seen(listing)
    assert seen.request_seen(listing)
    assert not seen.request_seen(Request("https://example.com/", meta={SLOT: 8}))

    recent, old = Request("https://example.com/recent/"), Request("https://example.com/old/")
    r.sadd(yesterday, seen.request_fingerprint(recent))
    before = datetime.now(UTC).date() - timedelta(days=2)
    r.sadd(seen.day_keys(before)[0], seen.request_fingerprint(old))  # the set of that day
    assert seen.request_seen(recent)
    assert not seen.request_seen(old)  # out of the window: forgotten


class PageSpider(Spider):
    name = "news-t"

    def parse_page(self, response: object) -> None:
        pass


def _queue(r: redis.Redis, worker: str = "w1") -> LeasedPriorityQueue:
    spider = PageSpider()
    spider.settings = Settings({"NEWSDESK_CLUSTER_WORKER_ID": worker})  # type: ignore[assignment]
    return LeasedPriorityQueue(r, spider, keys.QUEUE, serializer)


def test_a_queued_pickle_is_dropped_not_run(redis_server: RedisServer, tmp_path: Path) -> None:
    r = redis_server.client()
    queue = _queue(r)
    marker = tmp_path / "pwned"
    r.zadd(queue.key, {pickle.dumps(Planted(marker)): -2})
    queue.push(Request("https://example.com/ok/", priority=1))

    assert queue.pop() is None  # the pickle: dropped, its lease ended
    assert not marker.exists()
    request = queue.pop()  # and the queue goes on
    assert request is not None and request.url == "https://example.com/ok/"
    assert r.hlen(queue.inflight_key) == 1  # leased until released
    queue.release([request.meta[LEASE]])
    assert r.hlen(queue.inflight_key) == 0 and len(queue) == 0


def test_queued_requests_cannot_call_other_methods_or_lift_safeguards(
    redis_server: RedisServer,
) -> None:
    r = redis_server.client()
    queue = _queue(r)
    r.zadd(queue.key, {b'{"url": "https://example.com/a/", "callback": "begin_slot"}': -2})
    meta = {"dont_obey_robotstxt": True, "proxy": "http://evil:8080", "newsdesk_listing": True}
    entry = {"url": "https://example.com/b/", "callback": "parse_page", "meta": meta}
    r.zadd(queue.key, {json.dumps(entry).encode(): -1})

    assert queue.pop() is None  # refused: begin_slot is not a page callback
    request = queue.pop()
    assert request is not None and request.url == "https://example.com/b/"
    assert "dont_obey_robotstxt" not in request.meta and "proxy" not in request.meta
    assert request.meta["newsdesk_listing"] is True


def _scheduler(r_url: str, worker: str) -> LeasingScheduler:
    settings = {
        "REDIS_URL": r_url,
        "SCHEDULER_QUEUE_CLASS": "crawler.cluster.queue.LeasedPriorityQueue",
        "SCHEDULER_QUEUE_KEY": keys.QUEUE,
        "DUPEFILTER_CLASS": "crawler.cluster.dupefilter.DailyDupeFilter",
        "SCHEDULER_DUPEFILTER_KEY": keys.SEEN,
        "SCHEDULER_SERIALIZER": "crawler.cluster.serializer",
        "NEWSDESK_CLUSTER_WORKER_ID": worker,
        "NEWSDESK_CLUSTER_LEASE_SECONDS": 3,
    }

    crawler = get_crawler(PageSpider, settings)
    crawler.engine = SimpleNamespace(_slot=None)  # type: ignore[assignment]
    scheduler = LeasingScheduler.from_crawler(crawler)
    scheduler.open(PageSpider.from_crawler(crawler))
    return scheduler


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_request_whose_push_failed_is_queued_later(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    """Redis fails while a request is being queued, before the push ran or after it ran
    (its reply lost): once Redis answers again the request is in the queue, not dropped
    as already seen by the duplicate filter."""
    scheduler = _scheduler(redis_server.url, f"w-{when}")
    server = scheduler.server
    real = server.execute_command
    failed = []

    def flaky(*args: Any, **options: Any) -> Any:
        pushing = args[0] == "ZADD" or (args[0] == "EVALSHA" and scheduler.queue.key in args)
        if pushing and not failed:
            failed.append(args[0])
            if when == "after":
                real(*args, **options)
            raise redis.ConnectionError("Redis went away")
        return real(*args, **options)

    monkeypatch.setattr(server, "execute_command", flaky)
    request = Request("https://example.com/2026/11/26/lost/", callback=scheduler.spider.parse_page)
    assert scheduler.enqueue_request(request)
    assert failed  # the failure happened after the duplicate filter's step, or with it
    scheduler.flush()  # the heartbeat loop's next tick, Redis back

    taken = scheduler.next_request()
    assert taken is not None and taken.url == request.url
    assert scheduler.next_request() is None  # queued once
    assert not scheduler.enqueue_request(request.replace())  # and now seen
    scheduler.close("finished")


def test_no_peer_is_reclaimed_until_a_lease_after_redis_is_back(
    redis_server: RedisServer,
) -> None:
    r = redis_server.client()
    peer = _queue(r, "peer")
    peer.push(Request("https://example.com/held/"))
    assert peer.pop() is not None  # leased to the peer, whose heartbeat has expired
    loop = beat.ProcessLoop(r, "me", lease_seconds=1.0)

    loop.redis_down = True  # this process just reached Redis again after an outage
    loop.tick()
    assert r.hlen(peer.inflight_key) == 1  # the peer may be alive: give it time to beat
    time.sleep(1.1)
    loop.tick()
    assert r.hlen(peer.inflight_key) == 0 and len(peer) == 1  # now it counts as dead
    assert not r.sismember(keys.WORKERS, "peer")


def test_drained_reads_the_queue_every_lease_and_the_pages_at_once(
    redis_server: RedisServer,
) -> None:
    r = redis_server.client()
    drained = r.register_script(worker_module._DRAINED)
    claim = keys.slot_claim("news-t", 1)
    args = [claim, keys.queue("news-t"), keys.WORKERS, INGEST_LOCK, PAGES, PROCESSING]

    def state() -> tuple[bytes, int]:
        claim_value, done = drained(keys=args, args=["news-t"])
        return claim_value, done

    r.set(claim, "seeded w1")
    assert state() == (b"seeded w1", 1)
    peer = _queue(r, "peer")
    peer.push(Request("https://example.com/a/"))
    assert state()[1] == 0  # queued
    taken = peer.pop()
    assert taken is not None
    assert state()[1] == 0  # leased to a peer
    r.set(INGEST_LOCK, "writer")
    r.lpush(PAGES, b"page")
    peer.release([taken.meta[LEASE]])
    assert state()[1] == 0  # its page waits for the ingest writer
    r.delete(PAGES)
    assert state()[1] == 1


def _ingest_config(tmp_path: Path, url: str) -> Any:
    (tmp_path / "newsdesk.toml").write_text(
        f'[cluster]\nredis_url = "{url}"\n'
        '[[sources]]\nname = "wire"\nhomepage = "https://example.com/"\n',
        encoding="utf-8",
    )
    return load_config(tmp_path / "newsdesk.toml")


def test_a_failing_ingest_fails_the_crawl_and_sets_the_batch_aside(
    tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = _ingest_config(tmp_path, redis_server.url)
    r = redis_server.client()
    r.lpush(PAGES, *[encode_page(page(n), limit=LIMIT) for n in range(2)])

    def broken(*args: Any) -> None:
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(ingest.store, "save_pages", broken)

    def crawl() -> str:
        deadline = time.monotonic() + 20
        while not r.llen(FAILED) and time.monotonic() < deadline:
            time.sleep(0.1)
        return "the crawl's row"

    with pytest.raises(IngestFailed, match="2 pages failed to commit") as failed:
        crawl_with_ingest(cfg, crawl)
    assert failed.value.result == "the crawl's row"  # so the run can be marked failed
    assert r.llen(FAILED) == 2 and r.llen(PROCESSING) == 0  # no crash loop on that batch
    assert r.llen(PAGES) == 0


def test_the_known_sets_are_copied_again_only_when_redis_lost_them(
    tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = _ingest_config(tmp_path, redis_server.url)
    db = store.open_db(cfg.db_path)
    store.save_pages(db, [page(1)])
    db.close()
    copies = []
    real = ingest.store.known_urls

    def counted(db: Any) -> Any:
        copies.append(1)
        return real(db)

    monkeypatch.setattr(ingest.store, "known_urls", counted)
    monkeypatch.setattr(ingest, "MARKER_SECONDS", 0.1)
    writer = IngestWriter(cfg, redis_server.url)
    writer.claim()
    r = redis_server.client()
    assert copies == [1] and r.exists(KNOWN_SYNCED)
    thread = ingest.start_in_thread(writer)
    try:
        time.sleep(1.0)
        assert copies == [1]  # no periodic copy while Redis keeps the sets
        r.flushdb()  # Redis lost its data
        deadline = time.monotonic() + 10
        while not r.exists(KNOWN_SYNCED) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(copies) == 2
        assert r.sismember(KNOWN_ARTICLES, url_member(page(1).url))
    finally:
        writer.stop.set()
        thread.join()


def test_the_services_crawl_job_goes_through_redis_then_processes(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interval job with [cluster] redis_url set, `newsdesk ingest` beside the service:
    the crawl works the shared frontier and ends once the writer has stored every page (it
    cannot process pages itself: they reach the store through Redis), then processing
    turns every stored page into an article."""
    cluster.configure()
    for name in [k for k in os.environ if k.startswith("NEWSDESK_")]:
        monkeypatch.delenv(name)
    writer = cluster.start("ingest")
    cfg = load_config(cluster.cwd / "newsdesk.toml")
    jobs.crawl_and_process(cfg)
    cluster.stop(writer)
    db = store.open_readonly(cfg.db_path)
    runs = store.last_runs(db)
    assert (runs["crawl"]["status"], runs["process"]["status"]) == ("ok", "ok")
    assert store.count_articles(db) == N
    assert max(cluster.fetches().values()) == 1
