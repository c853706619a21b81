"""Ranking quality on judged collections, per backend, next to plain BM25 (bm25s).

    python bench/relevance.py
    python bench/relevance.py --collections scifact_train --backends tantivy --no-fuzzy
    python bench/relevance.py --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

The collections are read at run time from `../shared/ir/` (see its README; they are never
shipped with Hindsight):

- `cranfield`: 1,400 aeronautics abstracts, 225 questions with graded judgments. Each
  document is stored as a lesson is (title as the title, abstract as the lesson).
- `scifact_train`: 5,183 biomedical abstracts, 809 claims (BEIR's train split). Each
  document is stored as a published `research_summary` asset is: the title as its title,
  the abstract as its summary, or as its body when longer than a summary may be.

Documents are flattened by the service's own `service.search.documents` (what the indexer
writes), indexed, and searched with the backend's `search`, which is all `/v1/search` calls
(the query is the judged text as a user would type it; the first 100 hits are kept). bm25s
ranks the same title + abstract text (Lucene BM25, k1=0.9, b=0.4, English stemmer and stop
words) in the same run. Scores are trec_eval's (pytrec_eval): nDCG@10 with the graded
judgments, recall at 10 and 100, averaged over every judged query (a query that finds
nothing scores 0).
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import backend
from hindsight.schemas.assets import AssetCreate
from hindsight.search.base import AccessScope, IndexDoc, SearchQuery
from hindsight.service.search.documents import _asset_doc, _lesson_doc

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "ir"
COLLECTIONS = ("cranfield", "scifact_train")
DEPTH = 100
MEASURES = {"ndcg_cut_10": "nDCG@10", "recall_10": "R@10", "recall_100": "R@100"}
Run = dict[str, dict[str, float]]


def load(folder: Path) -> tuple[list[dict], dict[str, str], dict[str, dict[str, int]]]:
    if not (folder / "corpus.jsonl").is_file():
        sys.exit(f"no collection at {folder}; pass --data (see ../shared/ir/README.md)")
    with (folder / "corpus.jsonl").open(encoding="utf-8") as f:
        corpus = [json.loads(line) for line in f]
    with (folder / "queries.jsonl").open(encoding="utf-8") as f:
        queries = {q["_id"]: q["text"] for q in map(json.loads, f)}
    qrels: dict[str, dict[str, int]] = {}
    with (folder / "qrels.tsv").open(encoding="utf-8") as f:
        next(f)  # header
        for line in f:
            qid, did, score = line.split()
            qrels.setdefault(qid, {})[did] = int(score)
    return corpus, queries, qrels


WHEN = datetime(2020, 1, 1, tzinfo=UTC)
SUMMARY_LIMIT = AssetCreate.model_fields["summary"].metadata[0].max_length
# A research summary's required details; a dash holds no word, so only the abstract counts.
DETAILS = {"question": "-", "findings": "-", "limitations": "-", "population": "-"}


def as_lesson(d: dict) -> IndexDoc:
    """A Cranfield abstract as the indexer flattens a lesson row (a lesson of team 1)."""
    row = SimpleNamespace(
        id=int(d["_id"]), title=d["title"], lesson=d["text"], recommendation="",
        observation="", analysis="", five_whys=[], root_cause_description="",
        status="identified", polarity=None, impact=None, root_cause_category=None,
        applicability={}, tags=[], created_at=WHEN, asset_id=1, kind="post_project_review",
        project_id=None, owning_team_id=1, visibility="public", asset_status="published",
    )  # fmt: skip
    return _lesson_doc(row, [])


def as_asset(d: dict) -> IndexDoc:
    """A SciFact abstract as the indexer flattens a published research summary asset."""
    short = len(d["text"]) <= SUMMARY_LIMIT
    row = SimpleNamespace(
        id=int(d["_id"]), title=d["title"], summary=d["text"] if short else "",
        body="" if short else d["text"], details=DETAILS, kind="research_summary",
        status="published", topics=[], tags=[], project_id=None, owning_team_id=1,
        created_at=WHEN, visibility="public",
    )  # fmt: skip
    return _asset_doc(row, [])


def as_docs(collection: str, corpus: list[dict]) -> list[IndexDoc]:
    flatten = as_asset if collection.startswith("scifact") else as_lesson
    return [flatten(d) for d in corpus]


def evaluate(qrels: dict[str, dict[str, int]], run: Run) -> dict[str, float]:
    import pytrec_eval

    evaluator = pytrec_eval.RelevanceEvaluator(qrels, set(MEASURES))
    per_query = evaluator.evaluate({q: r for q, r in run.items() if r})
    # trec_eval leaves out queries without results; they count as 0 here.
    return {m: sum(per_query.get(q, {}).get(m, 0.0) for q in qrels) / len(qrels) for m in MEASURES}


def run_backend(name: str, docs: list[IndexDoc], queries: dict[str, str], args) -> tuple[Run, str]:
    scope = AccessScope(team_ids=frozenset({2}))  # a reader of another team: public items
    with tempfile.TemporaryDirectory() as tmp, backend(name, Path(tmp), args.postgres_url) as b:
        started = time.perf_counter()
        for i in range(0, len(docs), 1000):
            b.upsert(docs[i : i + 1000])
        indexed = time.perf_counter() - started
        run: Run = {}
        times = []
        for qid, text in queries.items():
            started = time.perf_counter()
            result = b.search(SearchQuery(q=text, limit=DEPTH, fuzzy=not args.no_fuzzy), scope)
            times.append((time.perf_counter() - started) * 1000)
            # Ranks as scores: trec_eval sorts by score, and ties would reorder by doc id.
            run[qid] = {str(h.id): float(DEPTH - rank) for rank, h in enumerate(result.hits)}
    return run, f"index {indexed:.1f} s, query p50 {statistics.median(times):.1f} ms"


def run_bm25s(corpus: list[dict], queries: dict[str, str]) -> tuple[Run, str]:
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    texts = [f"{d['title']} {d['text']}" for d in corpus]
    ids = [d["_id"] for d in corpus]
    started = time.perf_counter()
    retriever = bm25s.BM25(k1=0.9, b=0.4, method="lucene")
    retriever.index(
        bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False),
        show_progress=False,
    )
    indexed = time.perf_counter() - started
    qids = list(queries)
    tokens = bm25s.tokenize([queries[q] for q in qids], stopwords="en", stemmer=stemmer,
                            show_progress=False)  # fmt: skip
    found, scores = retriever.retrieve(tokens, k=DEPTH, show_progress=False)
    run = {
        qid: {ids[d]: float(s) for d, s in zip(found[i], scores[i], strict=True) if s > 0}
        for i, qid in enumerate(qids)
    }
    return run, f"index {indexed:.1f} s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA, help="the folder of the collections")
    ap.add_argument("--collections", default=",".join(COLLECTIONS))
    ap.add_argument("--backends", default="tantivy,whoosh,postgres")
    ap.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    ap.add_argument("--no-fuzzy", action="store_true", help="without the typo fallback")
    args = ap.parse_args()
    for collection in args.collections.split(","):
        measure(collection, args)


def measure(collection: str, args: argparse.Namespace) -> None:
    corpus, queries, qrels = load(args.data / collection)
    judged = {q: t for q, t in queries.items() if q in qrels}
    docs = as_docs(collection, corpus)
    print(f"{collection}: {len(corpus)} docs, {len(judged)} judged queries, top {DEPTH} kept")
    print(f"{'system':10} {'nDCG@10':>8} {'R@10':>7} {'R@100':>7}   notes")
    names = [n for n in args.backends.split(",") if n]
    systems = [(n, lambda n=n: run_backend(n, docs, judged, args)) for n in names]
    systems.append(("bm25s", lambda: run_bm25s(corpus, judged)))
    for name, go in systems:
        run, notes = go()
        scores = evaluate(qrels, run)
        figures = " ".join(f"{scores[m]:{7 if m != 'ndcg_cut_10' else 8}.4f}" for m in MEASURES)
        print(f"{name:10} {figures}   {notes}", flush=True)
    print(flush=True)


if __name__ == "__main__":
    main()
