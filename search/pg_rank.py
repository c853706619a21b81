"""Relevance order of a PostgreSQL search: a cheap first stage over the matches, then BM25
per field over a bounded pool of its best.

Ordering every match by `ts_rank` read (and decompressed) the tsvector of each: 380 ms for a
two-word query matching 45,000 of 100,000 lessons. And ts_rank has no idf, so on Cranfield it
ranked below plain BM25. Here the order is fixed in two steps:

1. First stage, a total order over the matches that is cheap to cut at its top:
   - a few matches (at most FULL_RANK_ROWS): all of them by `rank` (ts_rank, or the
     idf-weighted sum of ts_ranks of a long query's key words, `pg_focus`);
   - many matches of a long query: those holding one of its rarest words (up to about
     `pg_weighted.CANDIDATE_ROWS` rows, found through GIN) by `rank`, then the others,
     newest first;
   - many matches of a short query: for an OR, those holding every query word (an
     intersection through GIN; the best of an OR answer hold them all); then those whose
     title holds every query word, then any (through the GIN index on `head`, the title's
     tsvector, small and stored inline), each by ts_rank of the title; then the others,
     newest first.
2. The first POOL rows are scored with BM25 per field as tantivy scores (`pg_weighted.bm25`,
   from the positions and weight labels of the query's lexemes in each tsvector) and sorted
   by it; the rows after the pool keep the first stage's order.

Both steps depend on the matches only, never on the page asked for, so every page of an
answer cuts the same order (deeper pages read further into the first stage).
"""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, text

from hindsight.search.pg_sql import Params, leaf_ts
from hindsight.search.pg_weighted import SAFE_WORD, TermStats, bm25, idf, rarest
from hindsight.search.query import Leaf, Phrase, Prefix

POOL = 150
# A short query's words are few, so BM25 reorders fewer candidates (its pool is the costly
# part: each row's long tsvector read and unnested).
SHORT_POOL = 50
# Ranking every match by ts_rank reads each one's tsvector from TOAST (~40 us a row: 20 ms for
# 500). Past this many the tiers below choose the pool. Cranfield's nDCG@10 is the same at
# 200, 500 and 1,500 (0.373; its long questions take the rarest-words tier).
FULL_RANK_ROWS = 200
SURELY_BIG = 10  # times FULL_RANK_ROWS: see `_surely_big`
PAGE_COLUMNS = "doc_id, type, id, title, kind, status, polarity, project_id, created_at"
# Which weight labels a field query scores: the labels its field gets in `tsv`.
_FIELD_LABELS = {"title": "A", "lesson": "A", "recommendation": "B", "topic": "D", "tag": "D"}
# The tsvector decompressed once per row (OFFSET 0 keeps the subquery from being folded
# into the calls), not once per function that reads it.
_ONCE = "CROSS JOIN LATERAL (SELECT s.tsv || ''::tsvector AS t OFFSET 0) d"
_ENTRIES = (
    "SELECT s.doc_id, ARRAY[length(ts_filter(d.t, '{a}')), length(ts_filter(d.t, '{b}')), "
    "length(ts_filter(d.t, '{c}')), length(ts_filter(d.t, '{d}'))] AS lengths, "
    "(SELECT jsonb_agg(jsonb_build_array(u.lexeme, u.positions, u.weights)) "
    "FROM unnest(d.t) AS u WHERE u.lexeme = ANY(CAST(:lexemes AS text[]))) AS entries "
    f"FROM search_documents s {_ONCE} WHERE s.doc_id = ANY(CAST(:ids AS text[]))"
)


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """A word or phrase of the query, as BM25 scores it."""

    words: tuple[str, ...]
    labels: str  # the weight labels it may score in ("ABCD" for any field)
    weight: float


def query_terms(leaves: Sequence[Leaf]) -> list[QueryTerm] | None:
    """The scored terms of the positive leaves; None when a prefix is among them (its
    words are not known in advance, so the first stage's order is kept)."""
    if any(isinstance(leaf, Prefix) for leaf in leaves):
        return None
    said: Counter[tuple[tuple[str, ...], str]] = Counter()
    for leaf in leaves:
        words = leaf.words if isinstance(leaf, Phrase) else (leaf.text,)  # type: ignore[union-attr]
        labels = "ABCD" if leaf.field is None else _FIELD_LABELS.get(leaf.field, "")
        if labels and all(SAFE_WORD.fullmatch(w) for w in words):
            said[(tuple(words), labels)] += 1
    return [QueryTerm(words, labels, float(n)) for (words, labels), n in said.items()]


@dataclass(frozen=True, slots=True)
class Ranked:
    row: Any  # the PAGE_COLUMNS of a match
    score: float


def rank_page(
    conn: Connection,
    engine: Engine,
    stats: TermStats,
    *,
    leaves: Sequence[Leaf],
    where: str,
    params: Params,
    rank: str,
    rank_q: str,
    count_upto: Callable[[int], int],
    title_where: str | None = None,
    long_query: bool,
    any_word: bool,
    offset: int,
    limit: int,
) -> list[Ranked]:
    """The hits from `offset` to `offset + limit` of the matches of `where`, best first.
    `rank` is a first-stage score expression over `tsv`, `rank_q` the tsquery of every
    positive leaf; `count_upto(n)` counts the matches up to n (how many picks the first
    stage); `any_word` says the query asks for any of its words (an OR), not all;
    `title_where`, when given, is `where` without its text condition, which a title holding
    every positive leaf satisfies by itself (the query has no NOT and no field)."""
    terms = query_terms(leaves)
    words = sorted({w for t in terms or () for w in t.words})
    freqs = stats.doc_freq(engine, words) if words else None
    total = FULL_RANK_ROWS + 1
    if not _surely_big(leaves, terms, freqs, any_word):
        total = count_upto(FULL_RANK_ROWS + 1)
    size = POOL if long_query else SHORT_POOL
    wanted = max(size, offset + limit)
    every = any_word and len(leaves) > 1
    rows = _first_stage(
        conn,
        leaves,
        terms,
        freqs,
        where,
        title_where or where,
        params,
        rank,
        rank_q,
        total,
        long_query,
        every,
        wanted,
    )
    pool = rows[:size]
    if terms and freqs is not None and pool:
        scored = _scored(conn, stats, terms, freqs, pool)
        best = sorted(range(len(pool)), key=lambda i: (-scored[i], i))
        pool = [(pool[i][0], scored[i]) for i in best]
    ordered = pool + rows[size:]
    page = ordered[offset : offset + limit]
    if terms and freqs is not None and offset + limit > size and page:
        # Past the pool the order is the first stage's; the score shown is the hit's BM25,
        # capped by the pool's lowest so that no later hit shows more than an earlier one.
        floor = min(score for _, score in pool)
        exact = _scored(conn, stats, terms, freqs, page)
        page = [
            (row, score if offset + i < size else min(floor, fresh))
            for i, ((row, score), fresh) in enumerate(zip(page, exact, strict=True))
        ]
    return [Ranked(row, score) for row, score in page]


def _surely_big(
    leaves: Sequence[Leaf], terms: list[QueryTerm] | None, freqs: Any, any_word: bool
) -> bool:
    """Whether the words' document counts alone say the answer is far past FULL_RANK_ROWS
    (then counting is skipped: its GIN bitmap of tens of thousands of rows costs ~6 ms).
    Counts include items the caller cannot see, hence the wide margin; a wrong guess only
    picks the tiered first stage for an answer that could have been ranked whole."""
    singles = [t.words[0] for t in terms or () if len(t.words) == 1]
    if freqs is None or not singles or len(singles) != len(leaves):
        return False  # phrases or prefixes: no count to go by
    counts = [freqs.freq.get(word, 0) for word in singles]
    estimate = max(counts) if any_word else min(counts)
    return estimate >= SURELY_BIG * FULL_RANK_ROWS


def _first_stage(
    conn: Connection,
    leaves: Sequence[Leaf],
    terms: list[QueryTerm] | None,
    freqs: Any,
    where: str,
    title_where: str,
    params: Params,
    rank: str,
    rank_q: str,
    total: int,
    long_query: bool,
    all_words_first: bool,
    wanted: int,
) -> list[tuple[Any, float]]:
    """The first `wanted` matches in the first stage's order, with its score. `where` is the
    matches' condition, `title_where` the one that suffices for a title holding every leaf."""
    head_key = f"ts_rank(head, {rank_q})"
    if total <= FULL_RANK_ROWS:
        tiers: list[tuple[str, str | None, str]] = [("TRUE", rank, where)]
    elif long_query and terms and (rare := _rarest(terms, freqs)):
        generator = f"tsv @@ to_tsquery('english', {params.add(rare)})"
        tiers = [(generator, rank, where), (f"NOT ({generator})", None, where)]
    else:
        # Tiers may repeat rows of earlier ones (skipped below): a NOT of an earlier one
        # would read each later row's long tsvector.
        head = f"head @@ {rank_q}"
        # A title holding any word matches by itself an answer that asks for any word.
        any_title = title_where if all_words_first or len(leaves) == 1 else where
        tiers = [(head, head_key, any_title), (f"NOT ({head})", None, where)]
        if len(leaves) > 1:
            every = params.add(" & ".join(f"({leaf_ts(leaf)})" for leaf in leaves))
            # Titles holding every word: few, and the likeliest to be what was meant. The
            # GIN bitmap of a common-word answer (5 ms for 27,000 rows) is not needed then.
            tiers.insert(0, (f"head @@ to_tsquery('english', {every})", head_key, title_where))
            if all_words_first:
                tiers.insert(0, (f"tsv @@ to_tsquery('english', {every})", head_key, where))
    rows: list[tuple[Any, float]] = []
    seen: set[str] = set()
    for predicate, key, condition in tiers:
        if len(rows) >= wanted:
            break
        order = f"{key} DESC, created_at DESC, doc_id" if key else "created_at DESC, doc_id"
        source = f"search_documents WHERE {condition} AND {predicate}"
        if key is not None and key != head_key:
            # Each ts_rank of `rank` would decompress the tsvector again: once per row here.
            source = f"(SELECT {PAGE_COLUMNS}, tsv || ''::tsvector AS tsv FROM {source} OFFSET 0) s"
        sql = (
            f"SELECT {PAGE_COLUMNS}, {key or '0'} AS first FROM {source} "
            # `wanted`, not what is missing: this tier may repeat up to all the rows so far.
            f"ORDER BY {order} LIMIT {wanted}"
        )
        for r in conn.execute(text(sql), params).mappings():
            if r["doc_id"] not in seen and len(rows) < wanted:
                seen.add(r["doc_id"])
                rows.append((r, float(r["first"] or 0.0)))
    return rows


def _rarest(terms: list[QueryTerm], freqs: Any) -> str | None:
    """A tsquery of the query's rarest single words (`pg_weighted.rarest`)."""
    words = rarest([t.words[0] for t in terms if len(t.words) == 1], freqs)
    return " | ".join(f"'{w}'" for w in words) or None  # SAFE_WORD: letters and digits


def _scored(
    conn: Connection,
    stats: TermStats,
    terms: list[QueryTerm],
    freqs: Any,
    rows: list[tuple[Any, float]],
) -> list[float]:
    """BM25 per field of each row (0 for a row whose tsvector lacks every query term)."""
    lexeme_query = []
    for term in terms:
        lexemes = [stats.lexeme(w) for w in term.words]
        if any(lx is None for lx in lexemes):
            continue  # a stop word or a word no item holds
        weight = term.weight * sum(idf(freqs.freq[w], freqs.total) for w in term.words)
        lexeme_query.append((lexemes, weight / len(term.words), term.labels))
    lexemes = sorted({lx for lxs, _, _ in lexeme_query for lx in lxs if lx})
    ids = [r["doc_id"] for r, _ in rows]
    if not lexeme_query:
        return [0.0] * len(rows)
    found = {
        r["doc_id"]: r
        for r in conn.execute(text(_ENTRIES), {"ids": ids, "lexemes": lexemes}).mappings()
    }
    present = [found[i] for i in ids if i in found]
    if not present:
        return [0.0] * len(rows)
    averages = [sum(r["lengths"][i] for r in present) / len(present) or 1.0 for i in range(4)]
    out = []
    for doc_id in ids:
        row = found.get(doc_id)
        out.append(_bm25_fields(row, lexeme_query, averages) if row else 0.0)
    return out


def _bm25_fields(
    row: Any, query: list[tuple[list[str | None], float, str]], averages: list[float]
) -> float:
    """`pg_weighted.bm25`, with each term scored only in the labels of its field."""
    score = 0.0
    for lexemes, weight, labels in query:
        masked = _masked(row, labels)
        score += bm25(masked, [(lexemes, weight)], averages)
    return score


def _masked(row: Any, labels: str) -> dict[str, Any]:
    if labels == "ABCD":
        return {"entries": row["entries"], "lengths": row["lengths"]}
    entries = []
    for lexeme, positions, weights in row["entries"] or []:
        kept = [(p, w) for p, w in zip(positions, weights, strict=False) if w in labels]
        if kept:
            entries.append([lexeme, [p for p, _ in kept], [w for _, w in kept]])
    return {"entries": entries, "lengths": row["lengths"]}
