"""Due diligence against plain BM25 and /v1/search on judged project briefs; its latency.

    python bench/due_diligence.py                        # relevance on the tantivy backend
    python bench/due_diligence.py --verbose              # plus one row per brief
    python bench/due_diligence.py --backend postgres \
        --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    python bench/due_diligence.py --latency 100000 --backend tantivy
    python bench/due_diligence.py --latency 100000 --backend postgres \
        --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Relevance: loads the 2,102 NASA LLIS lessons into a fresh database (rows written straight in
with external_id "nasa-llis:<lesson_id>", or with `hindsight import` when --loader import),
starts `hindsight serve` on it and waits for its indexer to drain the outbox; then, for each
brief of bench/due_diligence_briefs/briefs.jsonl, ranks the lessons three ways and scores
each top ten against the judged grades: (a) bm25s over the corpus (title, abstract, lesson,
recommendation) with the whole brief as the query, (b) GET /v1/search?type=lesson with the
brief as q (cut to the API's 2,000 characters at a word boundary), (c) POST
/v1/due-diligence with the brief (results.lessons[].lesson.id; "n/a" when the endpoint
answers 404). Prints recall@10, nDCG@10 (gain 2^grade - 1) and precision@10 per method.

Latency (--latency N): N recombined NASA lessons written straight into the database with
their outbox rows (as bench/search_http.py does), the server drains them, then 300-word
briefs are POSTed to /v1/due-diligence (and, for comparison, sent to /v1/search as q) as a
contributor of another team, so the access filter is real: p50/p95 over --requests requests.
"""

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import bm25s
import httpx
import Stemmer
from sqlalchemy import create_engine, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Timer, percentile
from bench.search_http import DETAILS, database, wait_indexed, write_rows
from bench.search_speed import make_docs
from bench.server import running_server, team_member
from hindsight.service import migrations
from hindsight.service.assets.models import Asset
from hindsight.service.columns import utcnow
from hindsight.service.lessons.models import Lesson, LessonLabel
from hindsight.service.outbox.models import OutboxEntry
from hindsight.service.teams.models import Team

NASA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "nasa_llis.jsonl"
BRIEFS = Path(__file__).resolve().parent / "due_diligence_briefs" / "briefs.jsonl"
EXTERNAL_PREFIX = "nasa-llis:"
K = 10
MAX_Q = 2000  # GET /v1/search refuses a longer q
BRIEF_WORDS = 300  # the latency target is for a 300-word brief


@dataclass(frozen=True)
class Brief:
    id: str
    title: str
    description: str
    phase: str | None
    topics: tuple[str, ...]
    organisation_type: str | None
    relevant: dict[str, int]

    @property
    def text(self) -> str:
        return f"{self.title}\n\n{self.description}"

    def due_diligence_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"title": self.title, "description": self.description}
        if self.phase:
            body["phase"] = self.phase
        if self.topics:
            body["topics"] = list(self.topics)
        if self.organisation_type:
            body["organisation_type"] = self.organisation_type
        return body


def load_briefs(path: Path = BRIEFS) -> list[Brief]:
    briefs = []
    for line in path.open(encoding="utf-8"):
        raw = json.loads(line)
        briefs.append(
            Brief(
                id=raw["id"],
                title=raw["title"],
                description=raw["description"],
                phase=raw.get("phase"),
                topics=tuple(raw.get("topics") or ()),
                organisation_type=raw.get("organisation_type"),
                relevant={str(k): int(v) for k, v in raw["relevant"].items()},
            )
        )
    return briefs


def load_nasa() -> list[dict[str, Any]]:
    return [json.loads(line) for line in NASA.open(encoding="utf-8")]


# --- scoring ---------------------------------------------------------------------------


def recall_at(ranked: Sequence[str], relevant: dict[str, int], k: int = K) -> float:
    return len(set(ranked[:k]) & relevant.keys()) / len(relevant)


def precision_at(ranked: Sequence[str], relevant: dict[str, int], k: int = K) -> float:
    return len(set(ranked[:k]) & relevant.keys()) / k


def ndcg_at(ranked: Sequence[str], relevant: dict[str, int], k: int = K) -> float:
    """Graded nDCG: gain 2^grade - 1, so a directly applicable lesson (2) weighs three times
    a partly useful one (1); the ideal ranking puts every judged lesson first, best first."""

    def dcg(grades: Iterable[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))

    ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
    return dcg(relevant.get(doc, 0) for doc in ranked[:k]) / ideal if ideal else 0.0


# --- (a) plain BM25 --------------------------------------------------------------------


def bm25_rankings(
    records: list[dict[str, Any]], briefs: list[Brief], fields: Sequence[str]
) -> dict[str, list[str]]:
    """Top ten LLIS lesson ids per brief from bm25s over `fields`, English stemming and
    stopwords, the whole brief (title and description) as the query."""
    stemmer = Stemmer.Stemmer("english")
    corpus = [" ".join(r[f] or "" for f in fields) for r in records]
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(corpus, stopwords="en", stemmer=stemmer, show_progress=False),
        show_progress=False,
    )
    queries = bm25s.tokenize(
        [b.text for b in briefs],
        stopwords="en",
        stemmer=stemmer,
        return_ids=False,
        show_progress=False,
    )
    docs, _ = retriever.retrieve(queries, k=K, show_progress=False)
    ranked = zip(briefs, docs, strict=True)
    return {b.id: [records[i]["lesson_id"] for i in row] for b, row in ranked}


# --- loading the corpus into Hindsight -------------------------------------------------


def _when(record: dict[str, Any]) -> datetime:
    for key in ("lesson_date", "publish_date"):
        if record.get(key):
            return datetime.combine(date.fromisoformat(record[key]), datetime.min.time(), UTC)
    return utcnow()


def _labels(values: Iterable[str]) -> list[str]:
    # Lower-cased and unique: the label table is what topic/tag filters read.
    return sorted({v.strip().lower()[:100] for v in values if v and v.strip()})


def write_nasa_rows(url: str, records: list[dict[str, Any]]) -> None:
    """The LLIS lessons as published, public lessons, one retrospect per NASA centre, with
    external_id set and an outbox row each, in one transaction (the indexer does the rest)."""
    engine = create_engine(url)
    now = utcnow()
    with engine.begin() as conn:
        team_id = conn.execute(
            insert(Team).values(name="NASA LLIS", description="Imported lessons")
        ).inserted_primary_key[0]
        centres = sorted({r["organization"] or "NASA" for r in records})
        asset_of = {c: i + 1 for i, c in enumerate(centres)}
        assets = [
            {"id": asset_of[c], "kind": "retrospect", "title": f"NASA LLIS lessons: {c}",
             "summary": f"Public NASA lessons learned submitted by {c}.", "body": "",
             "body_html": "", "tags": ["nasa-llis"], "topics": [], "project_id": None,
             "owning_team_id": team_id, "authors": [], "visibility": "public",
             "status": "published", "details": DETAILS, "version": 1, "created_at": now,
             "updated_at": now, "published_at": now}
            for c in centres
        ]  # fmt: skip
        lessons, labels = [], []
        outbox = [{"entity_type": "asset", "entity_id": a["id"], "created_at": now} for a in assets]
        for i, r in enumerate(records, start=1):
            topics = _labels(r["topics"] or [])
            tags = _labels([r["organization"] or ""])
            lessons.append(
                {"id": i, "asset_id": asset_of[r["organization"] or "NASA"],
                 "external_id": EXTERNAL_PREFIX + r["lesson_id"], "title": r["title"][:300],
                 "observation": r["driving_event"] or "", "analysis": r["abstract"] or "",
                 "five_whys": [],
                 "lesson": r["lessons_learned"] or r["recommendations"] or r["title"],
                 "recommendation": r["recommendations"] or "", "polarity": "barrier",
                 "impact": "medium", "applicability": {"topics": topics}, "tags": tags,
                 "status": "identified", "version": 1, "created_at": _when(r),
                 "updated_at": now}
            )  # fmt: skip
            labels += [{"lesson_id": i, "facet": "topic", "value": t} for t in topics]
            labels += [{"lesson_id": i, "facet": "tag", "value": t} for t in tags]
            outbox.append({"entity_type": "lesson", "entity_id": i, "created_at": now})
        for table, rows in (
            (Asset, assets),
            (Lesson, lessons),
            (LessonLabel, labels),
            (OutboxEntry, outbox),
        ):
            for start in range(0, len(rows), 1000):
                conn.execute(insert(table), rows[start : start + 1000])
        if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for table in ("assets", "lessons"):
                conn.exec_driver_sql(
                    f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"
                )
    engine.dispose()


def import_with_cli(url: str, folder: Path) -> None:
    """`hindsight import PATH` (the bulk import command), run against the same database."""
    hindsight = shutil.which("hindsight", path=str(Path(sys.executable).parent)) or "hindsight"
    env = {
        "HINDSIGHT_DATA_DIR": str(folder),
        "HINDSIGHT_DATABASE_URL": url,
        "HINDSIGHT_INDEX_DIR": str(folder / "index"),
    }
    subprocess.run([hindsight, "import", str(NASA)], env={**os.environ, **env}, check=True)


def nasa_ids_by_lesson(url: str) -> dict[int, str]:
    """Hindsight lesson id -> LLIS lesson_id, read from external_id in the database (the
    lesson API does not return external_id)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Lesson.id, Lesson.external_id).where(
                Lesson.external_id.startswith(EXTERNAL_PREFIX)  # type: ignore[union-attr]
            )
        ).all()
    engine.dispose()
    return {lesson_id: ext.removeprefix(EXTERNAL_PREFIX) for lesson_id, ext in rows}


# --- (b) /v1/search and (c) /v1/due-diligence ------------------------------------------


def cut(text: str, limit: int) -> str:
    """`text` whole when it fits, else up to the last whole word within `limit` characters."""
    if len(text) <= limit:
        return text
    return text[: text.rfind(" ", 0, limit + 1)].rstrip()


def search_rankings(
    client: httpx.Client, headers: dict[str, str], briefs: list[Brief], nasa_of: dict[int, str]
) -> tuple[dict[str, list[str]], int]:
    """Top ten per brief from GET /v1/search?type=lesson; also how many briefs were cut."""
    out, cut_count = {}, 0
    for b in briefs:
        q = cut(b.text, MAX_Q)
        response = search_once(client, headers, q)
        while is_too_many_terms(response):  # the parser's term limit: drop the last words
            q = " ".join(q.split()[:-10])
            response = search_once(client, headers, q)
        assert response.status_code == 200, f"{b.id}: {response.status_code} {response.text}"
        cut_count += q != b.text
        out[b.id] = [nasa_of.get(item["id"], "?") for item in response.json()["items"]]
    return out, cut_count


def search_once(client: httpx.Client, headers: dict[str, str], q: str) -> httpx.Response:
    return client.get("/v1/search", params={"q": q, "type": "lesson", "limit": K}, headers=headers)


def is_too_many_terms(response: httpx.Response) -> bool:
    return response.status_code == 400 and "terms" in response.json()["error"]["message"]


def due_diligence_rankings(
    client: httpx.Client, headers: dict[str, str], briefs: list[Brief], nasa_of: dict[int, str]
) -> dict[str, list[str]] | None:
    """Top ten lessons per brief from POST /v1/due-diligence; None when there is no such
    endpoint (404/405)."""
    out = {}
    for b in briefs:
        response = client.post("/v1/due-diligence", json=b.due_diligence_body(), headers=headers)
        if response.status_code in (404, 405):
            return None
        assert response.status_code in (200, 201), f"{b.id}: {response.text}"
        lessons = response.json()["results"]["lessons"]
        out[b.id] = [nasa_of.get(item["lesson"]["id"], "?") for item in lessons[:K]]
    return out


# --- reporting -------------------------------------------------------------------------


def scores(ranked: dict[str, list[str]], briefs: list[Brief]) -> dict[str, tuple[float, ...]]:
    return {
        b.id: (
            recall_at(ranked[b.id], b.relevant),
            ndcg_at(ranked[b.id], b.relevant),
            precision_at(ranked[b.id], b.relevant),
        )
        for b in briefs
    }


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values)


def print_report(
    methods: list[tuple[str, dict[str, list[str]] | None]], briefs: list[Brief], verbose: bool
) -> None:
    table = {name: scores(r, briefs) if r is not None else None for name, r in methods}
    width = max(len(name) for name, _ in methods)
    print(f"\n{'method':<{width}}  recall@10  nDCG@10  P@10   ({len(briefs)} briefs)")
    for name, per in table.items():
        if per is None:
            print(f"{name:<{width}}  {'n/a':>9}  {'n/a':>7}  {'n/a':>4}")
            continue
        r, n, p = (mean(v[i] for v in per.values()) for i in range(3))
        print(f"{name:<{width}}  {r:9.3f}  {n:7.3f}  {p:4.2f}")
    if not verbose:
        return
    names = [name for name, per in table.items() if per is not None]
    print("\nper brief, recall@10/nDCG@10 of: " + " | ".join(n.strip() for n in names))
    for b in briefs:
        cells = [f"{table[n][b.id][0]:.2f}/{table[n][b.id][1]:.2f}" for n in names]  # type: ignore[index]
        print(f"{b.id} {b.title[:44]:<44} judged {len(b.relevant):2}  " + "  ".join(cells))


# --- runs ------------------------------------------------------------------------------


def relevance(args: argparse.Namespace) -> None:
    briefs = load_briefs()
    records = load_nasa()
    judged = sum(len(b.relevant) for b in briefs)
    known = {r["lesson_id"] for r in records}
    unknown = sorted({i for b in briefs for i in b.relevant} - known)
    if unknown:
        raise SystemExit(f"judged lessons missing from {NASA}: {', '.join(unknown)}")
    print(
        f"{len(briefs)} briefs, {judged} judged pairs; {len(records):,} NASA lessons; "
        f"backend {args.backend}"
    )
    plain = bm25_rankings(
        records, briefs, ("title", "abstract", "lessons_learned", "recommendations")
    )
    every = bm25_rankings(
        records,
        briefs,
        ("title", "abstract", "driving_event", "lessons_learned", "recommendations"),
    )
    with (
        tempfile.TemporaryDirectory() as tmp,
        database(args.backend, Path(tmp), args.postgres_url) as url,
    ):
        folder = Path(tmp)
        migrations.upgrade(url)
        if args.loader == "import":
            import_with_cli(url, folder)
        else:
            write_nasa_rows(url, records)
        nasa_of = nasa_ids_by_lesson(url)
        assert len(nasa_of) == len(records), f"{len(nasa_of)} lessons carry a NASA external_id"
        with (
            running_server(folder, url, search_backend=args.backend) as base,
            httpx.Client(base_url=base, timeout=120) as client,
        ):
            with Timer() as t:
                wait_indexed(client)
            print(f"indexed in {t.seconds:.1f} s")
            headers, _ = team_member(client, role="contributor")
            searched, cut_count = search_rankings(client, headers, briefs, nasa_of)
            checked = due_diligence_rankings(client, headers, briefs, nasa_of)
    print(
        f"/v1/search: {cut_count} of {len(briefs)} briefs (title + description) were cut at a "
        f"word boundary to fit q's {MAX_Q} characters and the parser's term limit"
    )
    print_report(
        [
            ("(a) bm25s, whole brief", plain),
            ("    bm25s, + driving event", every),
            ("(b) GET /v1/search", searched),
            ("(c) POST /v1/due-diligence", checked),
        ],
        briefs,
        args.verbose,
    )


def brief_texts(briefs: list[Brief], n: int, words: int = BRIEF_WORDS) -> list[str]:
    """`n` distinct briefs of exactly `words` words: brief i followed by brief i+1+round,
    cut to length (the briefs are 286 to 364 words, so each starts as a real brief)."""
    pool = [b.description.split() for b in briefs]
    out = []
    for i in range(n):
        first, second = pool[i % len(pool)], pool[(i + 1 + i // len(pool)) % len(pool)]
        out.append(" ".join((first + second)[:words]))
    return out


def timed(send: Any, bodies: list[Any]) -> list[float] | None:
    """Milliseconds per call; None when the endpoint does not exist (404/405)."""
    out = []
    for body in bodies:
        with Timer() as t:
            response = send(body)
        if response.status_code in (404, 405):
            return None
        assert response.status_code in (200, 201), response.text
        out.append(t.seconds * 1000)
    return out


def latency(args: argparse.Namespace) -> None:
    briefs = load_briefs()
    texts = brief_texts(briefs, args.requests)
    docs = make_docs(args.latency)
    print(f"{args.backend}, {args.latency:,} recombined lessons, {len(texts)} briefs of "
          f"{BRIEF_WORDS} words")  # fmt: skip
    with (
        tempfile.TemporaryDirectory() as tmp,
        database(args.backend, Path(tmp), args.postgres_url) as url,
    ):
        folder = Path(tmp)
        migrations.upgrade(url)
        db_seconds = write_rows(url, docs)
        with (
            running_server(folder, url, search_backend=args.backend) as base,
            httpx.Client(base_url=base, timeout=120) as client,
        ):
            started = time.perf_counter()
            wait_indexed(client, timeout=3600)
            print(
                f"  rows written in {db_seconds:.1f} s; indexer drained in "
                f"{time.perf_counter() - started:.1f} s"
            )
            headers, _ = team_member(client, role="contributor")

            def check(text: str) -> httpx.Response:
                body = {"title": "Project brief", "description": text, "phase": "planning"}
                return client.post("/v1/due-diligence", json=body, headers=headers)

            def search(text: str) -> httpx.Response:
                q = cut(text, MAX_Q)
                response = search_once(client, headers, q)
                while is_too_many_terms(response):
                    q = " ".join(q.split()[:-10])
                    response = search_once(client, headers, q)
                return response

            for name, send in (("POST /v1/due-diligence", check), ("GET /v1/search", search)):
                if timed(send, texts[:5]) is None:  # warm up; skip a missing endpoint
                    print(f"  {name:<24} n/a (404: the endpoint is not there)")
                    continue
                ms = timed(send, texts) or []
                print(
                    f"  {name:<24} n={len(ms)}  p50 {percentile(ms, 50):7.1f} ms  "
                    f"p95 {percentile(ms, 95):7.1f} ms  max {max(ms):7.1f} ms"
                )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", default="tantivy", choices=["tantivy", "whoosh", "postgres"])
    ap.add_argument("--postgres-url", default=None)
    ap.add_argument("--verbose", action="store_true", help="one row per brief")
    ap.add_argument(
        "--loader",
        default="rows",
        choices=["rows", "import"],
        help="write the NASA rows directly, or run `hindsight import` on the corpus",
    )
    ap.add_argument("--latency", type=int, default=0, help="time due diligence at N lessons")
    ap.add_argument("--requests", type=int, default=64, help="timed requests (latency)")
    args = ap.parse_args()
    if args.backend == "postgres" and not args.postgres_url:
        ap.error("--postgres-url is needed for the postgres backend")
    if args.latency:
        latency(args)
    else:
        relevance(args)


if __name__ == "__main__":
    main()
