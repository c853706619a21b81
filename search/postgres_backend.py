"""PostgreSQL full-text search: every replica sees the same index, the database's own.

`search_documents` (created by migration 0004) holds one row per item with a weighted
tsvector: title and lesson A, recommendation B, observation C, everything else D, under a GIN
index. The query tree compiles to one `to_tsquery` expression when it can, otherwise to SQL
around several (field queries check the field's own text). Every operand is a quoted word
(the parser keeps only letters and digits), so to_tsquery never sees a syntax error. Facets
are GROUP BYs over the same WHERE clause as the hits; snippets come from `ts_headline`.
"""

import re
from collections import Counter
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from sqlalchemy import Engine, text

from search import pg_weighted
from search.base import (
    FACET_LIMIT,
    AccessScope,
    DocFreqs,
    IndexDoc,
    SearchFilters,
    SearchHit,
    SearchQuery,
    SearchResult,
    WeightedTerm,
)
from search.base import empty_facets as _empty
from search.common import BaseBackend
from search.feedback import Weighted
from search.pg_focus import Focus, key_terms, plain_words
from search.pg_sql import KEY_TERM_RANK, RANK, Params, build_where, headline_sql
from search.query import Node
from search.snippets import clean, mark_headline

_WORD = re.compile(r"[^\W\d_]{3,40}")
_COLUMNS = (
    "doc_id, type, id, title, lesson, recommendation, observation, body, kind, status, "
    "polarity, impact, root_cause_category, topics, tags, project_id, owning_team_id, "
    "created_at, year, visibility, team_ids, is_published"
)
_TSV = (
    "setweight(to_tsvector('english', :title), 'A') || "
    "setweight(to_tsvector('english', :lesson), 'A') || "
    "setweight(to_tsvector('english', :recommendation), 'B') || "
    "setweight(to_tsvector('english', :observation), 'C') || "
    "setweight(to_tsvector('english', :body || ' ' || :topic_text), 'D')"
)
_UPSERT = text(
    f"INSERT INTO search_documents ({_COLUMNS}, tsv) VALUES ("
    + ", ".join(f":{c.strip()}" for c in _COLUMNS.split(","))
    + f", {_TSV}) ON CONFLICT (doc_id) DO UPDATE SET "
    + ", ".join(f"{c.strip()} = EXCLUDED.{c.strip()}" for c in _COLUMNS.split(",")[1:])
    + ", tsv = EXCLUDED.tsv"
)
_VOCAB = text(
    "INSERT INTO search_vocabulary (word, doc_count) "
    "SELECT * FROM unnest(CAST(:words AS text[]), CAST(:counts AS integer[])) "
    "ON CONFLICT (word) DO UPDATE SET doc_count = search_vocabulary.doc_count + "
    "EXCLUDED.doc_count"
)
_FACET_SQL = {
    "type": "type",
    "kind": "kind",
    "polarity": "polarity",
    "status": "status",
    "root_cause_category": "root_cause_category",
    "year": "year::text",
}


def _row(doc: IndexDoc) -> dict[str, Any]:
    row: dict[str, Any] = {
        "doc_id": doc.doc_id,
        "type": doc.type,
        "id": doc.id,
        **{n: clean(getattr(doc, n)) for n in ("title", "lesson", "recommendation")},
        **{n: clean(getattr(doc, n)) for n in ("observation", "body")},
        "topics": list(doc.topics),
        "tags": list(doc.tags),
        "topic_text": " ".join((*doc.topics, *doc.tags)),
        "team_ids": list(doc.team_ids),
        "year": doc.created_at.year,
    }
    names = ("kind", "status", "polarity", "impact", "root_cause_category", "project_id")
    for name in (*names, "owning_team_id", "created_at", "visibility", "is_published"):
        row[name] = getattr(doc, name)
    return row


class PostgresBackend(BaseBackend):
    uses_feedback = False  # ts_rank cannot weigh single words; see bench/relevance.py

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("the postgres search backend needs a PostgreSQL engine")
        self._engine = engine
        self._term_stats = pg_weighted.TermStats()

    def upsert(self, docs: Sequence[IndexDoc]) -> None:
        if not docs:
            return
        words: Counter[str] = Counter()
        for doc in docs:
            texts = (doc.title, doc.lesson, doc.recommendation, doc.observation, doc.body)
            words.update({w.lower() for t in texts for w in _WORD.findall(t)})
        ordered = sorted(words)  # a fixed order: two writers cannot deadlock on the rows
        with self._engine.begin() as conn:
            conn.execute(_UPSERT, [_row(d) for d in docs])
            conn.execute(_VOCAB, {"words": ordered, "counts": [words[w] for w in ordered]})

    def delete(self, doc_ids: Sequence[str]) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                text("DELETE FROM search_documents WHERE doc_id = ANY(:ids)"),
                {"ids": list(doc_ids)},
            )

    def _clear(self) -> None:
        with self._engine.begin() as conn:
            conn.execute(text("DELETE FROM search_documents"))
            conn.execute(text("DELETE FROM search_vocabulary"))

    def count(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM search_documents")).scalar_one())

    def close(self) -> None:
        """The engine belongs to the caller; nothing of ours to release."""

    def _stem(self, word: str) -> str | None:
        return word  # snippets come from ts_headline, which stems by itself

    def _focus(self, node: Node | None) -> Focus | None:
        words = plain_words(node)
        if words is None:
            return None
        sql = (
            "SELECT word, doc_count FROM search_vocabulary WHERE word = ANY(:words) "
            # The planner's row estimate is free and close enough for an idf; counting
            # only until the table has been analysed once.
            "UNION ALL SELECT '', CASE WHEN reltuples > 0 THEN reltuples::bigint "
            "ELSE (SELECT count(*) FROM search_documents) END "
            "FROM pg_class WHERE oid = 'search_documents'::regclass"
        )
        with self._engine.connect() as conn:
            rows = conn.execute(text(sql), {"words": sorted(set(words))}).all()
        counts = {word: int(n) for word, n in rows}
        return key_terms(words, counts, max(counts.pop("", 0), 1))

    def _run(
        self,
        node: Node | None,
        query: SearchQuery,
        scope: AccessScope,
        exclude: str | None = None,
        feedback: Weighted = (),
        counted: SearchResult | None = None,
    ) -> SearchResult:
        params = Params()
        focus = self._focus(node)
        if focus is not None:
            node = focus.node
        where, rank_q = build_where(node, query.filters, scope, exclude, params)
        by_score = query.sort == "relevance" and rank_q is not None
        rank = RANK.format(q=rank_q) if rank_q else "NULL::real"
        if focus is not None:
            rank = " + ".join(
                f"{idf:.4f} * "
                + KEY_TERM_RANK.format(q=f"to_tsquery('english', {params.add(_quoted(w))})")
                for w, idf in focus.weights.items()
            )
        order = "score DESC, created_at DESC, doc_id" if by_score else "created_at DESC, doc_id"
        params["limit"], params["offset"] = query.limit, query.offset
        page_sql = (
            f"SELECT p.*, {headline_sql(rank_q, params)} AS headline FROM ("
            f"SELECT doc_id, type, id, title, kind, status, polarity, project_id, created_at, "
            f"lesson, recommendation, observation, body, {rank} AS score "
            f"FROM search_documents WHERE {where} ORDER BY {order} "
            f"LIMIT :limit OFFSET :offset) p ORDER BY {order}"
        )
        facet_sql = self._facet_sql(where)
        with self._engine.connect() as conn:
            rows = conn.execute(text(page_sql), params).mappings().all()
            counts = conn.execute(text(facet_sql), params).all()
        facets = _empty()
        total = 0
        for name, value, n in counts:
            if name == "total":
                total = int(n)
            elif value is not None:
                facets[name][str(value)] = int(n)
        for name, values in facets.items():
            top = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_LIMIT]
            facets[name] = dict(top)
        hits = [self._hit(r, by_score) for r in rows]
        return SearchResult(hits=hits, total=total, facets=facets)

    @staticmethod
    def _facet_sql(where: str) -> str:
        parts = ["SELECT 'total', NULL, count(*) FROM m"]
        parts += [
            f"SELECT '{name}', {expr}, count(*) FROM m GROUP BY {expr}"
            for name, expr in _FACET_SQL.items()
        ]
        parts += [
            f"SELECT '{name}', v, count(*) FROM m, unnest(m.{name}) AS v GROUP BY v"
            for name in ("topics", "tags")
        ]
        cols = "type, kind, polarity, status, root_cause_category, year, topics, tags"
        return (
            f"WITH m AS MATERIALIZED (SELECT {cols} FROM search_documents WHERE {where}) "
            + " UNION ALL ".join(parts)
        )

    def _hit(self, r: Any, by_score: bool) -> SearchHit:
        if r["headline"] is not None:
            snippet = mark_headline(r["headline"])
        else:
            texts = [r["lesson"], r["recommendation"], r["observation"], r["body"]]
            snippet = mark_headline(next((t for t in texts if t), "")[:300])
        return SearchHit(
            doc_id=r["doc_id"],
            type=r["type"],
            id=r["id"],
            title=r["title"],
            snippet=snippet,
            score=float(r["score"]) if by_score and r["score"] is not None else None,
            kind=r["kind"],
            status=r["status"],
            polarity=r["polarity"],
            project_id=r["project_id"],
            created_at=r["created_at"].astimezone(UTC),
        )

    def _vocabulary(self, prefix: str) -> list[tuple[str, int]]:
        sql = "SELECT word, doc_count FROM search_vocabulary WHERE word LIKE :p"
        with self._engine.connect() as conn:
            rows = conn.execute(text(sql), {"p": _like_prefix(prefix)}).all()
        return [(w, int(c)) for w, c in rows]

    def _fetch_texts(self, doc_id: str, scope: AccessScope) -> list[str] | None:
        params = Params()
        where, _ = build_where(None, None, scope, None, params)
        params["d"] = doc_id
        sql = (
            "SELECT title, lesson, recommendation, observation FROM search_documents "
            f"WHERE doc_id = :d AND {where}"
        )
        with self._engine.connect() as conn:
            row = conn.execute(text(sql), params).first()
        return list(row) if row else None

    def _suggest_titles(self, word: str, scope: AccessScope, limit: int) -> list[str]:
        params = Params()
        where, _ = build_where(None, None, scope, None, params)
        params.update(q=f"{word}:*", limit=limit)
        sql = (
            "SELECT title FROM search_documents WHERE tsv @@ to_tsquery('english', :q) "
            f"AND to_tsvector('english', title) @@ to_tsquery('english', :q) AND {where} "
            "ORDER BY ts_rank(tsv, to_tsquery('english', :q)) DESC, doc_id LIMIT :limit"
        )
        with self._engine.connect() as conn:
            return [r[0] for r in conn.execute(text(sql), params)]

    def _suggest_terms(self, word: str, scope: AccessScope, limit: int) -> list[str]:
        params = Params()
        where, _ = build_where(None, None, scope, None, params)
        params.update(p=_like_prefix(word), limit=limit)
        # The vocabulary lists words of every item; keep those a visible item contains.
        sql = (
            "SELECT v.word FROM (SELECT word, doc_count FROM search_vocabulary "
            "WHERE word LIKE :p ORDER BY doc_count DESC, word LIMIT :limit * 3) v "
            "WHERE EXISTS (SELECT 1 FROM search_documents WHERE "
            f"tsv @@ plainto_tsquery('english', v.word) AND {where}) "
            "ORDER BY v.doc_count DESC, v.word LIMIT :limit"
        )
        with self._engine.connect() as conn:
            return [r[0] for r in conn.execute(text(sql), params)]

    # -- due diligence: term statistics and weighted candidates (search/pg_weighted.py) ----
    def doc_freq(self, words: Sequence[str]) -> DocFreqs:
        return self._term_stats.doc_freq(self._engine, words)

    def weighted_search(
        self,
        terms: Sequence[WeightedTerm],
        scope: AccessScope,
        filters: SearchFilters,
        limit: int,
    ) -> list[SearchHit]:
        return pg_weighted.weighted_search(
            self._engine, self._term_stats, terms, scope, filters, limit
        )


def _quoted(word: str) -> str:
    """A vocabulary word (letters only) as a tsquery operand."""
    return "'" + word.replace("'", "") + "'"


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
