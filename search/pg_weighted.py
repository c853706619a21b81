"""Due diligence on PostgreSQL: document frequencies, and a weighted OR of terms ranked like
tantivy's BM25F, without reading every matching row.

ts_rank knows neither rarity (idf) nor BM25's saturation, and ranking every row that holds
one of twenty terms reads tens of thousands of tsvectors (1.2 s at 100,000 lessons). So:

1. Candidates are the visible rows holding one of the rarest terms, up to about
   CANDIDATE_ROWS (the GIN index finds them; common terms would add rows, not information).
2. The best POOL of those by ts_rank of all the terms.
3. For those only, the tsvector entries of the query's lexemes (`unnest(tsv)`: positions and
   weight labels) and the length of each labelled part come back, and the score is BM25 per
   field in Python, as tantivy scores: per term and per label (A title and lesson, B
   recommendation, C observation, D the rest), occurrences saturated by k1 with length
   normalisation b, times the label's boost, the term's idf and its weight in the query. A
   phrase counts its words at consecutive positions. (On the 34 judged briefs this lifts
   nDCG@10 from 0.306 with a weighted sum of ts_rank to 0.408; tantivy: 0.466.)

Document frequencies come from the planner's statistics for common lexemes (ANALYZE keeps
the most common with their share of rows) and from exact counts through the GIN index for
the rest (rarer than any of those, so cheap); a word's count is kept WORD_SECONDS.
"""

import math
import re
import time
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from sqlalchemy import Connection, Engine, text

from hindsight.search.base import AccessScope, DocFreqs, SearchFilters, SearchHit, WeightedTerm
from hindsight.search.pg_sql import RANK, Params, build_where

CANDIDATE_ROWS = 3000
POOL = 150
STATS_SECONDS = 60.0  # the collection's size and its common lexemes
WORD_SECONDS = 600.0  # a word's count: rare words' counts change slowly
# Before the first ANALYZE there is no list of common lexemes, so any word may be common:
# counts stop here (an under-count, for a word in more rows than this, until then).
UNANALYSED_CAP = 2000
NO_CAP = 2**31 - 1
K1, B = 1.2, 0.75
# tantivy's field boosts, by the weight label each field gets in `tsv` (postgres_backend):
# D, the body, weighs as the lesson (see tantivy_schema.BOOSTS for the figures).
LABEL_BOOST = {"A": 3.0, "B": 2.0, "C": 1.5, "D": 3.0}
_INDEX = {label: i for i, label in enumerate(LABEL_BOOST)}
_BOOSTS = list(LABEL_BOOST.values())
SAFE_WORD = re.compile(r"[a-z0-9]{1,60}")

_COUNT_ESTIMATE = (
    "SELECT CASE WHEN c.reltuples > 0 THEN c.reltuples::bigint "
    "ELSE (SELECT count(*) FROM search_documents) END "
    "FROM pg_class c WHERE c.oid = 'search_documents'::regclass"
)
_COMMON_LEXEMES = (
    "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
    "WHERE tablename = 'search_documents' AND attname = 'tsv' "
    "AND schemaname = current_schema()"
)
_LEXEMES = (
    "SELECT t.w, (ts_lexize('english_stem', t.w))[1] FROM unnest(CAST(:words AS text[])) AS t(w)"
)
_COUNTS = (
    "SELECT t.w, (SELECT count(*) FROM (SELECT 1 FROM search_documents "
    "WHERE tsv @@ plainto_tsquery('english', t.w) LIMIT :cap) s) "
    "FROM unnest(CAST(:words AS text[])) AS t(w)"
)


def idf(doc_freq: int, total: int) -> float:
    """BM25's inverse document frequency (tantivy's)."""
    total = max(total, doc_freq)
    return math.log(1 + (total - doc_freq + 0.5) / (doc_freq + 0.5))


# A matching query's statements may run this long each (lock waits included: so generous,
# seen past 3 s on a test corpus at load 48); past it PostgreSQL cancels them and
# the search is refused (InvalidQuery), so no query holds a server process for minutes.
QUERY_TIME_BUDGET_SECONDS = 10.0


def force_index(conn: Connection) -> None:
    """Settings for the transaction of a query that matches words (SET LOCAL)."""
    # For a count or a LIMIT over a tsquery the planner may pick a sequential scan, which
    # tests every row's tsvector; through GIN's bitmap only matching rows are read.
    conn.execute(text("SET LOCAL enable_seqscan = off"))
    budget_ms = max(1, int(QUERY_TIME_BUDGET_SECONDS * 1000))
    conn.execute(text(f"SET LOCAL statement_timeout = {budget_ms}"))


class TermStats:
    """Per backend: the collection size and common lexemes' shares (read every
    STATS_SECONDS), and per word its lexeme and document frequency (kept WORD_SECONDS)."""

    def __init__(self) -> None:
        self.read_at = -math.inf
        self.total = 0
        self.common: dict[str, float] = {}
        # word -> (when looked up, lexeme, frequency)
        self.words: dict[str, tuple[float, str | None, int]] = {}

    def doc_freq(self, engine: Engine, words: Sequence[str]) -> DocFreqs:
        now = time.monotonic()
        if now - self.read_at >= STATS_SECONDS:
            with engine.connect() as conn:
                total = int(conn.execute(text(_COUNT_ESTIMATE)).scalar_one())
                stats = conn.execute(text(_COMMON_LEXEMES)).first()
            self.read_at, self.total = now, total
            self.common = dict(zip(stats[0], stats[1], strict=False)) if stats and stats[0] else {}
            self.words = {w: v for w, v in self.words.items() if now - v[0] < WORD_SECONDS}
        wanted = [w for w in dict.fromkeys(words) if w not in self.words]
        if wanted:
            found = self._look_up(engine, wanted)
            self.words.update((w, (now, lexeme, n)) for w, (lexeme, n) in found.items())
        return DocFreqs(total=self.total, freq={w: self._known(w)[2] for w in words})

    def lexeme(self, word: str) -> str | None:
        return self._known(word)[1]

    def _known(self, word: str) -> tuple[float, str | None, int]:
        return self.words.get(word, (0.0, None, 0))

    def _look_up(self, engine: Engine, words: list[str]) -> dict[str, tuple[str | None, int]]:
        safe = [w for w in words if SAFE_WORD.fullmatch(w)]
        found: dict[str, tuple[str | None, int]] = dict.fromkeys(words, (None, 0))
        with engine.connect() as conn:
            lexemes = dict(conn.execute(text(_LEXEMES), {"words": safe}).all()) if safe else {}
            rare = [w for w, lexeme in lexemes.items() if lexeme and lexeme not in self.common]
            counted: dict[str, int] = {}
            if rare:
                force_index(conn)
                cap = NO_CAP if self.common else UNANALYSED_CAP
                counted = dict(conn.execute(text(_COUNTS), {"words": rare, "cap": cap}).all())
        for word, lexeme in lexemes.items():
            if lexeme in self.common:
                found[word] = (lexeme, round(self.common[lexeme] * self.total))
            elif lexeme:
                found[word] = (lexeme, int(counted.get(word, 0)))
        return found


def rarest(words: Sequence[str], freqs: DocFreqs) -> list[str]:
    """The rarest of `words`, together in up to about CANDIDATE_ROWS rows (at least one
    word when there are any): they find the candidates, common words would add rows only."""
    chosen: list[str] = []
    rows = 0
    for df, word in sorted((freqs.freq.get(w, 0), w) for w in words):
        if chosen and rows + df > CANDIDATE_ROWS:
            break
        chosen.append(word)
        rows += df
    return chosen


def _operand(words: Sequence[str]) -> str:
    # Every word is letters and digits only (SAFE_WORD), so quoting it is safe.
    return " <-> ".join(f"'{w}'" for w in words)


def weighted_search(
    engine: Engine,
    stats: TermStats,
    terms: Sequence[WeightedTerm],
    scope: AccessScope,
    filters: SearchFilters,
    limit: int,
) -> list[SearchHit]:
    query = [
        (tuple(words), float(weight))
        for word_text, weight in terms
        if (words := word_text.split()) and all(SAFE_WORD.fullmatch(w) for w in words)
    ]
    if not query or limit < 1:
        return []
    freqs = stats.doc_freq(engine, sorted({w for words, _ in query for w in words}))
    generator = [_operand([w]) for w in rarest([ws[0] for ws, _ in query if len(ws) == 1], freqs)]
    if not generator:  # phrases only: they find their own candidates
        generator = [f"({_operand(words)})" for words, _ in query]
    lexemes = sorted({lx for words, _ in query for w in words if (lx := stats.lexeme(w))})
    params = Params()
    where, _ = build_where(None, filters, scope, None, params)
    rare = params.add(" | ".join(generator))
    every = params.add(" | ".join(f"({_operand(words)})" for words, _ in query))
    first_rank = RANK.format(q=f"to_tsquery('english', {every})")
    params.update(pool=max(POOL, limit), lexemes=lexemes)
    sql = (
        "WITH c AS MATERIALIZED (SELECT doc_id, type, id, title, kind, status, polarity, "
        "project_id, created_at, tsv FROM search_documents "
        f"WHERE tsv @@ to_tsquery('english', {rare}) AND {where} "
        f"ORDER BY {first_rank} DESC, doc_id LIMIT :pool) "
        "SELECT doc_id, type, id, title, kind, status, polarity, project_id, created_at, "
        "ARRAY[length(ts_filter(tsv, '{a}')), "
        "length(ts_filter(tsv, '{b}')), length(ts_filter(tsv, '{c}')), "
        "length(ts_filter(tsv, '{d}'))] AS lengths, "
        "(SELECT jsonb_agg(jsonb_build_array(u.lexeme, u.positions, u.weights)) "
        "FROM unnest(tsv) AS u WHERE u.lexeme = ANY(CAST(:lexemes AS text[]))) AS entries "
        "FROM c"
    )
    with engine.connect() as conn:
        force_index(conn)
        rows = conn.execute(text(sql), params).mappings().all()
    if not rows:
        return []
    lexeme_query = [
        (
            [stats.lexeme(w) for w in words],
            weight * sum(idf(freqs.freq[w], freqs.total) for w in words) / len(words),
        )
        for words, weight in query
    ]
    # Field lengths are averaged over the pool: the rows being compared.
    averages = [sum(r["lengths"][i] for r in rows) / len(rows) or 1.0 for i in range(4)]
    scored = [(bm25(r, lexeme_query, averages), r) for r in rows]
    scored.sort(key=lambda sr: (-sr[0], sr[1]["doc_id"]))
    return [_hit(r, score) for score, r in scored[:limit] if score > 0]


def bm25(row: Any, query: list[tuple[list[str | None], float]], averages: list[float]) -> float:
    """BM25 per weight label of one row (its `entries` and `lengths`, as the SQL above
    returns them); pg_rank scores `/v1/search` hits with it too."""
    entries = {lexeme: (positions, labels) for lexeme, positions, labels in row["entries"] or []}
    norms = [K1 * (1 - B + B * n / avg) for n, avg in zip(row["lengths"], averages, strict=True)]
    score = 0.0
    for lexemes, weight in query:
        for i, tf in enumerate(_label_counts(lexemes, entries)):
            if tf:
                score += weight * _BOOSTS[i] * tf * (K1 + 1) / (tf + norms[i])
    return score


def _label_counts(lexemes: list[str | None], entries: dict[str, Any]) -> list[int]:
    """Occurrences of a term per label A..D (a phrase: its words at consecutive positions,
    labelled as its first word)."""
    counts = [0, 0, 0, 0]
    if any(lx not in entries for lx in lexemes):
        return counts
    positions, labels = entries[lexemes[0]]  # type: ignore[index]
    if len(lexemes) == 1:
        for label in labels:
            counts[_INDEX[label]] += 1
        return counts
    following = [set(entries[lx][0]) for lx in lexemes[1:]]  # type: ignore[index]
    for position, label in zip(positions, labels, strict=False):
        if all(position + step in later for step, later in enumerate(following, start=1)):
            counts[_INDEX[label]] += 1
    return counts


def _hit(row: Any, score: float) -> SearchHit:
    return SearchHit(
        doc_id=row["doc_id"],
        type=row["type"],
        id=row["id"],
        title=row["title"],
        snippet="",
        score=round(score, 6),
        kind=row["kind"],
        status=row["status"],
        polarity=row["polarity"],
        project_id=row["project_id"],
        created_at=row["created_at"].astimezone(UTC),
    )
