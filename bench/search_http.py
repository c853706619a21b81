"""Search over HTTP against a real server, next to the bare backend, in the same run.

    python bench/search_http.py --docs 100000 --backends tantivy
    python bench/search_http.py --docs 10000 --backends whoosh
    python bench/search_http.py --docs 100000 --backends postgres \
        --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Per backend: writes N recombined NASA lessons (10 per published asset, plus their outbox
rows) straight into a fresh database, starts `hindsight serve` and times how long its
indexer takes to drain them (the import's indexing half); then, as a reader of another team
(so the access filter is real), times short and due-diligence-length queries over HTTP and
on the bare backend opened on the same index (each query over HTTP and then bare, so both
see the machine alike); then 20 new lessons a second through the API
for `--fresh-seconds` seconds, each timed from its 201 until a search finds it.
"""

import argparse
import json
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import create_engine, insert
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Timer, _conninfo, percentile
from bench.search_speed import make_docs, make_queries
from bench.server import ADMIN, running_server, team_member
from hindsight.search.base import AccessScope, IndexDoc, SearchBackend, SearchQuery
from hindsight.search.factory import open_backend
from hindsight.service import migrations
from hindsight.service.assets.models import Asset
from hindsight.service.columns import utcnow
from hindsight.service.lessons.models import Lesson
from hindsight.service.outbox.models import OutboxEntry
from hindsight.service.teams.models import Team

PER_ASSET = 10
DETAILS = {"objectives": "-", "what_went_well": [], "what_went_wrong": [], "what_to_improve": []}


@contextmanager
def database(backend: str, folder: Path, postgres_url: str | None) -> Iterator[str]:
    """SQLite in `folder`, or a scratch PostgreSQL database when the backend is postgres."""
    if backend != "postgres":
        yield f"sqlite:///{folder / 'h.db'}"
        return
    assert postgres_url, "--postgres-url is needed for the postgres backend"
    name = f"hs_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_conninfo(postgres_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_conninfo(postgres_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def write_rows(url: str, docs: list[IndexDoc]) -> float:
    """Insert the lessons, their assets and outbox rows; returns seconds taken."""
    engine = create_engine(url)
    now = utcnow()
    with Timer() as t, engine.begin() as conn:
        team_id = conn.execute(
            insert(Team).values(name="NASA bench", description="")
        ).inserted_primary_key[0]
        assets, lessons, outbox = [], [], []
        for start in range(0, len(docs), PER_ASSET):
            asset_id = start // PER_ASSET + 1
            group = docs[start : start + PER_ASSET]
            assets.append(
                {"id": asset_id, "kind": "retrospect", "title": group[0].title,
                 "summary": group[0].body[:500], "body": "", "body_html": "",
                 "tags": [], "topics": list(group[0].topics), "project_id": None,
                 "owning_team_id": team_id, "authors": [], "visibility": group[0].visibility,
                 "status": "published", "details": DETAILS, "version": 1,
                 "created_at": group[0].created_at, "updated_at": now, "published_at": now}
            )  # fmt: skip
            outbox.append({"entity_type": "asset", "entity_id": asset_id, "created_at": now})
            for doc in group:
                lessons.append(
                    {"id": doc.id, "asset_id": asset_id, "owning_team_id": team_id,
                     "visibility": group[0].visibility, "title": doc.title,
                     "observation": doc.observation, "analysis": doc.body, "five_whys": [],
                     "lesson": doc.lesson, "recommendation": doc.recommendation,
                     "polarity": "barrier", "impact": "medium",
                     "applicability": {"topics": list(doc.topics)}, "tags": list(doc.tags),
                     "status": "identified", "version": 1, "created_at": doc.created_at,
                     "updated_at": now}
                )  # fmt: skip
                outbox.append({"entity_type": "lesson", "entity_id": doc.id, "created_at": now})
        for table, rows in ((Asset, assets), (Lesson, lessons), (OutboxEntry, outbox)):
            for i in range(0, len(rows), 5000):
                conn.execute(insert(table), rows[i : i + 5000])
        if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for table in ("assets", "lessons"):
                conn.exec_driver_sql(
                    f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"
                )
    engine.dispose()
    return t.seconds


def wait_indexed(client: httpx.Client, timeout: float = 1800) -> None:
    deadline = time.monotonic() + timeout
    admin = {"Authorization": f"Bearer {ADMIN}"}
    while True:
        health = client.get("/healthz", headers=admin).json()
        if health["index"] == "ok" and not health["outbox_pending"]:
            return
        assert time.monotonic() < deadline, "the indexer did not catch up"
        time.sleep(0.1)


def settle(folder: Path, url: str, quiet: float = 3.0, timeout: float = 180.0) -> float:
    """Wait until the index has settled after the import, as it does by itself: tantivy
    merges segments in the background for a while (on the same two cores the queries need),
    so wait until its `meta.json` has not changed for `quiet` seconds; the indexer ANALYZEs
    PostgreSQL's search rows once a backlog is indexed, so wait for that. Returns the
    seconds waited."""
    started = time.monotonic()
    if url.startswith("postgresql"):
        engine = create_engine(url)
        sql = "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'search_documents'"
        try:
            with engine.connect() as conn:
                while conn.exec_driver_sql(sql).scalar() is None:
                    assert time.monotonic() - started < timeout, "the indexer never settled"
                    time.sleep(0.2)
                    conn.rollback()
        finally:
            engine.dispose()
        return time.monotonic() - started
    meta = folder / "index" / "meta.json"
    if not meta.exists():
        return 0.0
    last, since = meta.stat().st_mtime_ns, time.monotonic()
    while time.monotonic() - since < quiet and time.monotonic() - started < timeout:
        time.sleep(0.2)
        if (now := meta.stat().st_mtime_ns) != last:
            last, since = now, time.monotonic()
    return time.monotonic() - started


def segments(folder: Path) -> str:
    meta = folder / "index" / "meta.json"
    if not meta.exists():
        return ""
    return f"; {len(json.loads(meta.read_text())['segments'])} segments"


def paired_times(
    client: httpx.Client,
    headers: dict[str, str],
    bare: SearchBackend,
    scope: AccessScope,
    queries: list[str],
) -> tuple[list[float], list[float]]:
    """Each query over HTTP, then on the bare backend at once: both halves see the machine
    in the same state (a merge or another process busy), so their difference is the HTTP
    path's own cost, not the moment's noise."""
    for q in queries[:10]:  # warm both: the searcher, the stem cache, the connection
        client.get("/v1/search", params={"q": q, "limit": 10}, headers=headers)
        bare.search(SearchQuery(q=q, limit=10), scope)
    http, plain = [], []
    for q in queries:
        with Timer() as t:
            response = client.get("/v1/search", params={"q": q, "limit": 10}, headers=headers)
        assert response.status_code == 200, response.text
        http.append(t.seconds * 1000)
        with Timer() as t:
            bare.search(SearchQuery(q=q, limit=10), scope)
        plain.append(t.seconds * 1000)
    return http, plain


@contextmanager
def bare_backend(backend_name: str, folder: Path, url: str) -> Iterator[SearchBackend]:
    """The backend opened on the server's index (or database), as the server opens it."""
    engine = create_engine(url) if backend_name == "postgres" else None
    b = open_backend(backend_name, index_dir=folder / "index", engine=engine)
    try:
        yield b
    finally:
        b.close()
        if engine is not None:
            engine.dispose()


POLL_SECONDS = 0.2
PROBE_WORD = "freshprobe"


def freshness(
    client: httpx.Client, headers: dict[str, str], seconds: float, rate: float
) -> list[float]:
    """Write `rate` lessons a second; for each, seconds from its 201 until search finds it."""
    asset = client.post(
        "/v1/assets",
        json={"kind": "retrospect", "title": "Freshness probe", "details": DETAILS},
        headers=headers,
    ).json()
    pending: dict[str, tuple[int, float]] = {}
    delays: list[float] = []
    lock = threading.Lock()
    done = threading.Event()
    give_up = threading.Event()

    def poll() -> None:
        with httpx.Client(base_url=str(client.base_url), timeout=30) as poller:
            while not give_up.is_set() and not (done.is_set() and not pending):
                with lock:
                    items = list(pending.items())
                # One search finds every recent probe (they share a word; newest first): a
                # search per probe made a round as slow as the backlog times one search, and
                # ORing many probes' words ran into the long-query handling, which keeps only
                # the rarest words.
                if items:
                    params = {"q": PROBE_WORD, "type": "lesson", "sort": "newest", "limit": 100}
                    found = poller.get("/v1/search", params=params, headers=headers).json()
                    seen = {i["id"] for i in found["items"]}
                    now = time.perf_counter()
                    for word, (lesson_id, acked) in items:
                        if lesson_id in seen:
                            with lock:
                                pending.pop(word, None)
                                delays.append(now - acked)
                # Paced: whoosh spends about 90 ms of the server's CPU on one search at 10,000
                # lessons, so an unpaced poller starved the very writes it timed.
                time.sleep(POLL_SECONDS)

    poller = threading.Thread(target=poll)
    poller.start()
    n = int(seconds * rate)
    start = time.perf_counter()
    for i in range(n):
        time.sleep(max(0.0, start + i / rate - time.perf_counter()))
        word = "fresh" + "".join(chr(97 + (i // 26**k) % 26) for k in range(4))
        response = client.post(
            "/v1/lessons",
            json={"asset_id": asset["id"], "title": f"Probe {word}",
                  "lesson": f"{word} arrives, a {PROBE_WORD}",
                  "polarity": "barrier", "impact": "low"},
            headers=headers,
        )  # fmt: skip
        assert response.status_code == 201, response.text
        with lock:
            pending[word] = (response.json()["id"], time.perf_counter())
    done.set()
    poller.join(timeout=60)
    give_up.set()
    poller.join()
    if pending:
        print(f"  {len(pending)} writes never found within 60 s of the last")
    return delays


def run(
    name: str, docs: list[IndexDoc], shorts: list[str], longs: list[str], args: argparse.Namespace
) -> None:
    with tempfile.TemporaryDirectory() as tmp, database(name, Path(tmp), args.postgres_url) as url:
        folder = Path(tmp)
        migrations.upgrade(url)
        db_seconds = write_rows(url, docs)
        started = time.perf_counter()
        with (
            running_server(folder, url, search_backend=name) as base,
            httpx.Client(base_url=base, timeout=120) as client,
        ):
            wait_indexed(client)
            index_seconds = time.perf_counter() - started
            items = len(docs) + len(docs) // PER_ASSET
            print(
                f"  rows written {len(docs) / db_seconds:,.0f} lessons/s; indexer drained "
                f"{items:,} items in {index_seconds:.1f} s ({items / index_seconds:,.0f}/s); "
                f"end to end {len(docs) / (db_seconds + index_seconds):,.0f} lessons/s"
            )
            if args.settle:
                waited = settle(folder, url)
                print(f"  index settled after {waited:.1f} s more{segments(folder)}")
            headers, team_id = team_member(client, role="contributor")
            scope = AccessScope(team_ids=frozenset({team_id}))
            long_n = args.whoosh_long if name == "whoosh" else len(longs)
            with bare_backend(name, folder, url) as bare:
                short_http, short_bare = paired_times(client, headers, bare, scope, shorts)
                long_http, long_bare = paired_times(client, headers, bare, scope, longs[:long_n])
            for label, h, b in (
                ("short", short_http, short_bare),
                ("long", long_http, long_bare),
            ):
                print(
                    f"  {label:5} queries (n={len(h)}): HTTP p50 {percentile(h, 50):.2f} / "
                    f"p95 {percentile(h, 95):.2f} ms; bare p50 {percentile(b, 50):.2f} / "
                    f"p95 {percentile(b, 95):.2f} ms; HTTP - bare p50 "
                    f"{percentile(h, 50) - percentile(b, 50):.2f} ms"
                )
            if args.fresh_seconds:
                delays = freshness(client, headers, args.fresh_seconds, 20)
                print(
                    f"  freshness at 20 writes/s: {len(delays)} writes, searchable after "
                    f"p50 {percentile(delays, 50) * 1000:.0f} / "
                    f"p95 {percentile(delays, 95) * 1000:.0f} ms"
                )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--backends", default="tantivy,whoosh,postgres")
    ap.add_argument("--postgres-url", default=None)
    ap.add_argument("--short", type=int, default=200)
    ap.add_argument("--long", type=int, default=40)
    ap.add_argument("--whoosh-long", type=int, default=5, help="long queries for whoosh (slow)")
    ap.add_argument("--fresh-seconds", type=float, default=10)
    ap.add_argument(
        "--no-settle",
        dest="settle",
        action="store_false",
        help="time queries at once after the import, while the index may still be merging",
    )
    args = ap.parse_args()
    docs = make_docs(args.docs)
    shorts, longs = make_queries(docs, args.short, args.long)
    for name in args.backends.split(","):
        if name == "postgres" and not args.postgres_url:
            print(f"{name}: skipped (no --postgres-url)")
            continue
        print(f"{name}, {args.docs:,} lessons:", flush=True)
        run(name, docs, shorts, longs, args)


if __name__ == "__main__":
    main()
