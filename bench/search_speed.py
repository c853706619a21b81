"""Search speed per backend: over HTTP against a real server and on the bare backend, in
the same run (the issue's figures), or the bare engines alone with `--bare-only`.

    python bench/search_speed.py --docs 100000 --backends tantivy
    python bench/search_speed.py --docs 100000 --backends postgres \
        --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    python bench/search_speed.py --docs 10000 --bare-only

Builds N lessons by recombining fields of different NASA LLIS records (title,
lessons_learned -> lesson, recommendations -> recommendation, driving_event -> observation,
abstract + evidence -> body). By default each backend then runs `bench/search_http.py`'s
measurement: the lessons written to a fresh database, a real `hindsight serve` draining
them into its index (the import rate end to end), 200 short queries (2-3 title words) and
40 due-diligence-length ones (150 words of lesson text) each timed over HTTP and then on the
bare backend, and the freshness of writes arriving at 20 a second. With `--bare-only` the
lessons are indexed straight into the backend and only the bare queries are timed. Queries
ask for the top 10 with counts and facets, as a team member who is not an admin.
"""

import argparse
import json
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Timer, backend, percentile
from hindsight.search.base import AccessScope, IndexDoc, SearchQuery

NASA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "nasa_llis.jsonl"
SCOPE = AccessScope(team_ids=frozenset({1, 2}))


def make_docs(n: int, seed: int = 7) -> list[IndexDoc]:
    records = [json.loads(line) for line in NASA.open(encoding="utf-8")]
    rng = random.Random(seed)
    start = datetime(2000, 1, 1, tzinfo=UTC)
    docs = []
    for i in range(n):
        a, b, c, d = (rng.choice(records) for _ in range(4))
        docs.append(
            IndexDoc(
                "lesson",
                i + 1,
                a["title"] or "",
                lesson=b["lessons_learned"] or "",
                recommendation=c["recommendations"] or "",
                observation=d["driving_event"] or "",
                body=" ".join(filter(None, (a["abstract"], b["evidence"]))),
                kind=rng.choice(["issue", "good_practice", "risk"]),
                status="published",
                polarity=rng.choice(["positive", "negative"]),
                topics=tuple(a["topics"] or ())[:5],
                tags=(a["organization"],) if a["organization"] else (),
                owning_team_id=rng.randint(1, 20),
                created_at=start + timedelta(days=rng.randint(0, 9000)),
                visibility=rng.choice(["public", "internal", "internal", "restricted"]),
            )
        )
    return docs


def make_queries(docs: list[IndexDoc], short: int, long: int, seed: int = 11):
    rng = random.Random(seed)
    shorts = []
    while len(shorts) < short:
        words = [w for w in rng.choice(docs).title.split() if len(w) > 3 and w.isalpha()]
        if len(words) >= 2:
            shorts.append(" ".join(rng.sample(words, min(len(words), rng.choice([2, 3])))))
    longs = []
    while len(longs) < long:
        text = " ".join(d.lesson + " " + d.observation for d in rng.sample(docs, 4)).split()
        words = [w for w in text if w.isalpha()]
        if len(words) >= 150:
            longs.append(" ".join(words[:150]))
    return shorts, longs


def time_queries(b, queries: list[str]) -> list[float]:
    out = []
    for q in queries:
        with Timer() as t:
            b.search(SearchQuery(q=q, limit=10), SCOPE)
        out.append(t.seconds * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--backends", default="tantivy,whoosh,postgres")
    ap.add_argument("--postgres-url", default=None)
    ap.add_argument("--short", type=int, default=200)
    ap.add_argument("--long", type=int, default=40)
    ap.add_argument("--whoosh-long", type=int, default=5, help="long queries for whoosh (slow)")
    ap.add_argument("--batch", type=int, default=1000, help="with --bare-only: docs per upsert")
    ap.add_argument("--bare-only", action="store_true", help="the bare engines, no server")
    ap.add_argument("--fresh-seconds", type=float, default=10)
    ap.add_argument("--no-settle", dest="settle", action="store_false")
    args = ap.parse_args()
    docs = make_docs(args.docs)
    shorts, longs = make_queries(docs, args.short, args.long)
    if not args.bare_only:
        from bench import search_http  # it imports this module: import it only when needed

        for name in args.backends.split(","):
            if name == "postgres" and not args.postgres_url:
                print(f"{name}: skipped (no --postgres-url)")
                continue
            print(f"{name}, {args.docs:,} lessons:", flush=True)
            search_http.run(name, docs, shorts, longs, args)
        return
    print(f"{args.docs} docs, {len(shorts)} short and {len(longs)} long queries")
    print(
        f"{'backend':10} {'index docs/s':>13} {'short p50 ms':>13} {'short p95 ms':>13} "
        f"{'long p50 ms':>12}"
    )
    for name in args.backends.split(","):
        if name == "postgres" and not args.postgres_url:
            print(f"{name:10} skipped (no --postgres-url)")
            continue
        with tempfile.TemporaryDirectory() as tmp, backend(name, Path(tmp), args.postgres_url) as b:
            with Timer() as t:
                for i in range(0, len(docs), args.batch):
                    b.upsert(docs[i : i + args.batch])
            rate = len(docs) / t.seconds
            time_queries(b, shorts[:10])  # warm the searcher and caches
            short_ms = time_queries(b, shorts)
            long_ms = time_queries(b, longs[: args.whoosh_long] if name == "whoosh" else longs)
            print(
                f"{name:10} {rate:13,.0f} {percentile(short_ms, 50):13.2f} "
                f"{percentile(short_ms, 95):13.2f} {percentile(long_ms, 50):12.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
