"""PostgreSQL full-text search: every replica sees the same index, the database's own.

`search_documents` (created by migration 0004) holds one row per item with a weighted
tsvector: title and lesson A, recommendation B, observation C, everything else D, under a GIN
index. The query tree compiles to one `to_tsquery` expression when it can, otherwise to SQL
around several (field queries check the field's own text). Every operand is a quoted word
(the parser keeps only letters and digits), so to_tsquery never sees a syntax error. The
total and facets are one pass over the same WHERE clause as the hits (`pg_facets`), counted
beside the ranking (`pg_rank`); snippets come from `ts_headline`.
"""

import json
import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from hindsight.search import pg_rank, pg_weighted
from hindsight.search.base import (
    AccessScope,
    DocFreqs,
    Facets,
    IndexDoc,
    InvalidQuery,
    SearchFilters,
    SearchHit,
    SearchQuery,
    SearchResult,
    WeightedTerm,
)
from hindsight.search.common import BaseBackend
from hindsight.search.feedback import Weighted
from hindsight.search.pg_facets import facet_sql, read_facets
from hindsight.search.pg_focus import Focus, key_terms, plain_words
from hindsight.search.pg_sql import KEY_TERM_RANK, RANK, Params, build_where, headline_sql
from hindsight.search.query import Bool, Node, positive_leaves
from hindsight.search.snippets import clean, mark_headline

log = logging.getLogger("hindsight.search")
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
_HEAD = "to_tsvector('english', :title)"  # the first ranking stage of big answers (pg_rank)
# Each row's facet and label sets (revision 0009) are inserted when new and looked up by the
# digest of their text form, as the revision wrote them: once per batch, by position.
_FACETS = ("type", "kind", "polarity", "status", "root_cause_category", "year")
_FACET_RECORD = (
    "x(i integer, type varchar, kind varchar, polarity varchar, status varchar, "
    "root_cause_category varchar, year integer)"
)
_FACET_DIGEST = f"md5(ROW({', '.join(f'x.{n}' for n in _FACETS)})::text)"
_LABEL_RECORD = "x(i integer, topics text[], tags text[])"
_LABEL_DIGEST = "md5(ROW(x.topics, x.tags)::text)"
_SETS = {
    "search_facet_sets": (_FACET_RECORD, _FACET_DIGEST, _FACETS, "facet_key"),
    "search_label_sets": (_LABEL_RECORD, _LABEL_DIGEST, ("topics", "tags"), "label_key"),
}
_UPSERT = text(
    f"INSERT INTO search_documents ({_COLUMNS}, tsv, head, facet_key, label_key) VALUES ("
    + ", ".join(f":{c.strip()}" for c in _COLUMNS.split(","))
    + f", {_TSV}, {_HEAD}, :facet_key, :label_key) ON CONFLICT (doc_id) DO UPDATE SET "
    + ", ".join(f"{c.strip()} = EXCLUDED.{c.strip()}" for c in _COLUMNS.split(",")[1:])
    + ", tsv = EXCLUDED.tsv, head = EXCLUDED.head, facet_key = EXCLUDED.facet_key, "
    "label_key = EXCLUDED.label_key"
)
_CLEAN_PENDING = (
    "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i "
    "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
    "WHERE i.indrelid = 'search_documents'::regclass AND a.amname = 'gin'"
)
_VOCAB = text(
    "INSERT INTO search_vocabulary (word, doc_count) "
    "SELECT * FROM unnest(CAST(:words AS text[]), CAST(:counts AS integer[])) "
    "ON CONFLICT (word) DO UPDATE SET doc_count = search_vocabulary.doc_count + "
    "EXCLUDED.doc_count"
)


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


_QUERY_CANCELED = "57014"  # statement_timeout fired


class PostgresBackend(BaseBackend):
    uses_feedback = False  # ts_rank cannot weigh single words; see bench/relevance.py

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("the postgres search backend needs a PostgreSQL engine")
        self._engine = engine
        self._term_stats = pg_weighted.TermStats()
        # Totals and facets are counted on a connection of their own while the page is
        # ranked on another: two server processes, two cores (for an answer of 45,000
        # matches at 100,000 lessons, ~70 ms of counting beside ~40 ms of ranking).
        self._counting = ThreadPoolExecutor(max_workers=4, thread_name_prefix="hindsight-facets")

    def upsert(self, docs: Sequence[IndexDoc]) -> None:
        if not docs:
            return
        words: Counter[str] = Counter()
        for doc in docs:
            texts = (doc.title, doc.lesson, doc.recommendation, doc.observation, doc.body)
            words.update({w.lower() for t in texts for w in _WORD.findall(t)})
        ordered = sorted(words)  # a fixed order: two writers cannot deadlock on the rows
        rows = [_row(d) for d in docs]
        with self._engine.begin() as conn:
            for table, (_, _, names, key) in _SETS.items():
                sets = [_set_of(r, names) for r in rows]
                keys = _set_keys(conn, table, sets)
                for r, values in zip(rows, sets, strict=True):
                    r[key] = keys[values]
            conn.execute(_UPSERT, rows)
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

    def settle(self) -> None:
        """ANALYZE the search rows and merge the GIN pending lists. The planner's choices
        (GIN bitmap or not) and the term statistics of due diligence and ranking (the most
        common lexemes) depend on ANALYZE, and autovacuum may be off or a minute late: before
        it, a short query at 100,000 freshly indexed lessons took p50 40 / p95 69 ms over
        HTTP; after it, p50 31 / p95 52 ms. A pending list is read through by every search
        until merged, and only VACUUM or autovacuum's ANALYZE merge it."""
        with self._engine.connect() as conn:
            try:
                conn.execute(text(_CLEAN_PENDING))
                conn.commit()
            except DBAPIError as error:  # e.g. not the index's owner: merged by VACUUM then
                conn.rollback()
                log.warning("could not merge the search index's pending entries: %s", error)
            # Last: a finished ANALYZE says the backend has settled (bench/search_http.py).
            conn.execute(text("ANALYZE search_documents"))
            conn.commit()
        self._term_stats.read_at = -math.inf  # read the new statistics at the next search

    def search(self, query: SearchQuery, scope: AccessScope) -> SearchResult:
        try:
            return super().search(query, scope)
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) != _QUERY_CANCELED:
                raise
            budget = pg_weighted.QUERY_TIME_BUDGET_SECONDS
            raise InvalidQuery(
                f"the query took longer than its time budget of {budget:g} s, the limit; "
                "use fewer or longer words"
            ) from error

    def close(self) -> None:
        """The engine belongs to the caller; only the counting threads are ours."""
        self._counting.shutdown(wait=True)

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
        counting = self._counting.submit(self._count, where, Params(params), node is not None)
        try:
            title_where = _title_where(node, query, scope, exclude, params) if by_score else None
            page, texts = self._page(
                node, query, where, title_where, params, rank_q, focus, by_score
            )
        finally:
            total, facets = counting.result()
        hits = [self._hit(r, texts[r["doc_id"]], score) for r, score in page]
        return SearchResult(hits=hits, total=total, facets=facets)

    def _count(self, where: str, params: Params, matching: bool) -> tuple[int, Facets]:
        with self._engine.connect() as conn:
            if matching:
                pg_weighted.force_index(conn)
            return read_facets(conn.execute(text(facet_sql(where)), params).all())

    def _page(
        self,
        node: Node | None,
        query: SearchQuery,
        where: str,
        title_where: str | None,
        params: Params,
        rank_q: str | None,
        focus: Focus | None,
        by_score: bool,
    ) -> tuple[list[tuple[Any, float | None]], dict[str, Any]]:
        """The page's rows (with their scores) and their snippet sources; `title_where` as
        `_title_where` gives it."""
        page: list[tuple[Any, float | None]] = []
        with self._engine.connect() as conn:
            if node is not None:
                pg_weighted.force_index(conn)
            if by_score:
                assert rank_q is not None and node is not None

                def count_upto(n: int) -> int:
                    inner = f"SELECT 1 FROM search_documents WHERE {where} LIMIT {n}"
                    return int(
                        conn.execute(text(f"SELECT count(*) FROM ({inner}) m"), params).scalar_one()
                    )

                ranked = pg_rank.rank_page(
                    conn,
                    self._engine,
                    self._term_stats,
                    leaves=positive_leaves(node),
                    where=where,
                    params=params,
                    rank=self._rank(rank_q, focus, params),
                    rank_q=rank_q,
                    count_upto=count_upto,
                    title_where=title_where,
                    long_query=focus is not None,
                    any_word=isinstance(node, Bool) and len(node.should) > 1 and not node.must,
                    offset=query.offset,
                    limit=query.limit,
                )
                page = [(r.row, r.score) for r in ranked]
            else:
                params["limit"], params["offset"] = query.limit, query.offset
                sql = (
                    f"SELECT {pg_rank.PAGE_COLUMNS} FROM search_documents WHERE {where} "
                    # doc_id breaks ties, so pages never overlap
                    "ORDER BY created_at DESC, doc_id LIMIT :limit OFFSET :offset"
                )
                page = [(r, None) for r in conn.execute(text(sql), params).mappings()]
            texts = self._texts(conn, [r["doc_id"] for r, _ in page], rank_q, params)
        return page, texts

    @staticmethod
    def _rank(rank_q: str, focus: Focus | None, params: Params) -> str:
        """The first-stage score (pg_rank): ts_rank, or for a long query the sum of its key
        words' ts_ranks weighted by their idf."""
        if focus is None:
            return RANK.format(q=rank_q)
        return " + ".join(
            f"{idf:.4f} * "
            + KEY_TERM_RANK.format(q=f"to_tsquery('english', {params.add(_quoted(w))})")
            for w, idf in focus.weights.items()
        )

    @staticmethod
    def _texts(
        conn: Connection, doc_ids: list[str], rank_q: str | None, params: Params
    ) -> dict[str, Any]:
        """The snippet sources of the page's hits: ts_headline when the query has words."""
        if not doc_ids:
            return {}
        params["page_ids"] = doc_ids
        sql = (
            f"SELECT p.doc_id, p.lesson, p.recommendation, p.observation, p.body, "
            f"{headline_sql(rank_q, params)} AS headline FROM search_documents p "
            "WHERE p.doc_id = ANY(CAST(:page_ids AS text[]))"
        )
        return {r["doc_id"]: r for r in conn.execute(text(sql), params).mappings()}

    def _hit(self, r: Any, texts: Any, score: float | None) -> SearchHit:
        if texts["headline"] is not None:
            snippet = mark_headline(texts["headline"])
        else:
            parts = [texts["lesson"], texts["recommendation"], texts["observation"], texts["body"]]
            snippet = mark_headline(next((t for t in parts if t), "")[:300])
        return SearchHit(
            doc_id=r["doc_id"],
            type=r["type"],
            id=r["id"],
            title=r["title"],
            snippet=snippet,
            score=score,
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


def _set_of(row: dict[str, Any], names: Sequence[str]) -> tuple[Any, ...]:
    """A row's values of a set's columns, hashable (arrays as tuples)."""
    return tuple(tuple(v) if isinstance(v, list) else v for v in (row[n] for n in names))


def _set_keys(
    conn: Connection, table: str, sets: list[tuple[Any, ...]]
) -> dict[tuple[Any, ...], int]:
    """The keys of `sets` (value tuples in `_SETS[table]`'s column order) in `table`,
    inserting those it lacks."""
    record, digest, names, _ = _SETS[table]
    distinct = sorted(set(sets), key=repr)  # a fixed order: concurrent writers cannot deadlock
    payload = json.dumps(
        [{"i": i, **dict(zip(names, s, strict=True))} for i, s in enumerate(distinct)]
    )
    source = f"jsonb_to_recordset(CAST(:sets AS jsonb)) AS {record}"
    conn.execute(
        text(
            f"INSERT INTO {table} (digest, {', '.join(names)}) "
            f"SELECT {digest}, {', '.join(f'x.{n}' for n in names)} FROM {source} "
            "ON CONFLICT (digest) DO NOTHING"
        ),
        {"sets": payload},
    )
    found = conn.execute(
        text(f"SELECT x.i, t.key FROM {source} JOIN {table} t ON t.digest = {digest}"),
        {"sets": payload},
    ).all()
    return {distinct[i]: key for i, key in found}


def _title_where(
    node: Node | None,
    query: SearchQuery,
    scope: AccessScope,
    exclude: str | None,
    params: Params,
) -> str | None:
    """The condition of the matches without their text condition, when a title holding every
    positive leaf matches the query by itself: no NOT and no field anywhere in it (the title
    is part of `tsv`, with the same words at the same positions). None otherwise."""
    if node is None or not _plain(node):
        return None
    return build_where(None, query.filters, scope, exclude, params)[0]


def _plain(node: Node) -> bool:
    if isinstance(node, Bool):
        return not node.must_not and all(_plain(c) for c in (*node.must, *node.should))
    return node.field is None


def _quoted(word: str) -> str:
    """A vocabulary word (letters only) as a tsquery operand."""
    return "'" + word.replace("'", "") + "'"


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
