"""Tantivy, the embedded default: an index in a folder, one writer, one shared searcher.

Ranking is BM25 per field with field boosts (title and the lesson itself above the
recommendation, above the observation and the rest), English stemming by `en_stem`.
The query tree from `search.query` becomes tantivy `Query` objects directly, never a query
string, so no tantivy parser error can reach the caller. Filters and the access scope are
constant-score clauses of the same boolean query, so hits, totals and facets all see them.
"""

import contextlib
import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import tantivy

from hindsight.search.base import (
    AccessScope,
    DocFreqs,
    IndexDoc,
    SearchFilters,
    SearchHit,
    SearchQuery,
    SearchResult,
    WeightedTerm,
    empty_facets,
)
from hindsight.search.common import BaseBackend
from hindsight.search.feedback import Weighted, feedback_leaf
from hindsight.search.query import Bool, Node, Phrase, Prefix, Term
from hindsight.search.snippets import make_snippet
from hindsight.search.tantivy_schema import (
    BOOSTS,
    DEFAULT_FIELDS,
    DUE_DILIGENCE_BOOSTS,
    FIELD_MAP,
    build_schema,
    facet_aggregation,
    read_facets,
    read_hit,
    to_document,
)

Q, Occur = tantivy.Query, tantivy.Occur
WRITER_HEAP = 64_000_000


class TantivyBackend(BaseBackend):
    defers_commits = True

    def __init__(self, index_dir: Path | None) -> None:
        """`index_dir=None` keeps the index in memory (tests)."""
        self.schema = build_schema()
        self._path = Path(index_dir) if index_dir else None
        if self._path:
            self._path.mkdir(parents=True, exist_ok=True)
            self._index = tantivy.Index(self.schema, path=str(self._path), reuse=True)
        else:
            self._index = tantivy.Index(self.schema)
        self._analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.stemmer("english"))
            .build()
        )  # the same chain as the built-in `en_stem` tokenizer, to stem query words
        self._writer: tantivy.IndexWriter | None = None
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._searcher = self._index.searcher()
        self._dirty = False
        self._bulk_depth = 0

    # -- writing: only the indexer calls these, and it is the only writer -------------------
    def _w(self) -> tantivy.IndexWriter:
        if self._writer is None:  # taken on first write, so readers never hold the lock
            self._writer = self._index.writer(WRITER_HEAP)
        return self._writer

    def upsert(self, docs: Sequence[IndexDoc]) -> None:
        with self._lock:
            writer = self._w()
            for doc in docs:
                writer.delete_documents_by_term("doc_id", doc.doc_id)
                writer.add_document(to_document(doc))
            self._commit()

    def delete(self, doc_ids: Sequence[str]) -> None:
        with self._lock:
            writer = self._w()
            for doc_id in doc_ids:
                writer.delete_documents_by_term("doc_id", doc_id)
            self._commit()

    def _commit(self) -> None:
        if self._bulk_depth == 0:
            self._w().commit()
            self._dirty = True

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """One commit for everything upserted inside: tantivy indexes added documents in
        its own threads (outside the GIL) while the caller prepares the next batch, so the
        final commit has little left to do, where a commit per batch waits each time."""
        with self._lock:
            self._bulk_depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._bulk_depth -= 1
                if self._bulk_depth == 0 and self._writer is not None:
                    self._writer.commit()
                    self._dirty = True

    def _clear(self) -> None:
        with self._lock:
            self._w().delete_all_documents()
            self._w().commit()
            self._dirty = True

    def count(self) -> int:
        return self._current().num_docs

    def intact(self) -> bool:
        return self._path is None or (self._path / "meta.json").is_file()

    def reset_writer(self) -> None:
        with self._lock:
            writer, self._writer = self._writer, None
            if writer is not None:
                # Already broken, it may refuse even these. Dropping the Python object is not
                # enough: tantivy keeps its own directory lock until the writer is consumed.
                with contextlib.suppress(Exception):
                    writer.rollback()
                with contextlib.suppress(Exception):
                    writer.wait_merging_threads()

    def close(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.wait_merging_threads()
                self._writer = None

    # -- reading --------------------------------------------------------------------------
    def _current(self) -> tantivy.Searcher:
        """The shared searcher, reloaded only when this or another process committed."""
        stamp = None
        if self._path:
            try:
                st = os.stat(self._path / "meta.json")
                stamp = (st.st_mtime_ns, st.st_size)
            except OSError:
                stamp = None
        if self._dirty or stamp != self._stamp:
            self._index.reload()
            self._searcher = self._index.searcher()
            self._stamp, self._dirty = stamp, False
        return self._searcher

    def _stem(self, word: str) -> str | None:
        tokens = self._analyzer.analyze(word)
        return tokens[0] if tokens else None

    def _leaf_fields(
        self, field: str | None, boosts: dict[str, float] = BOOSTS
    ) -> list[tuple[str, float]]:
        if field is None:
            return [(f, boosts[f]) for f in DEFAULT_FIELDS]
        return [(FIELD_MAP[field], 1.0)]

    def _compile(self, node: Node, boosts: dict[str, float] = BOOSTS) -> tantivy.Query:
        if isinstance(node, Bool):
            clauses = [(Occur.Must, self._compile(c, boosts)) for c in node.must]
            if node.should:
                shoulds = [(Occur.Should, self._compile(c, boosts)) for c in node.should]
                clauses.append((Occur.Must, Q.boolean_query(shoulds)))
            if not clauses:
                clauses.append((Occur.Must, Q.all_query()))
            clauses += [(Occur.MustNot, self._compile(c, boosts)) for c in node.must_not]
            return Q.boolean_query(clauses)
        per_field = []
        for name, boost in self._leaf_fields(node.field, boosts):
            q = self._leaf_query(node, name)
            if q is not None:
                per_field.append((Occur.Should, Q.boost_query(q, boost) if boost != 1 else q))
        return Q.boolean_query(per_field) if per_field else Q.empty_query()

    def _leaf_query(self, node: Term | Phrase | Prefix, name: str) -> tantivy.Query | None:
        if isinstance(node, Prefix):
            return Q.regex_query(self.schema, name, re.escape(node.text) + ".*")
        words = node.words if isinstance(node, Phrase) else (node.text,)
        stems = [s for w in words if (s := self._stem(w))]
        if not stems:
            return None
        if len(stems) == 1:
            return Q.term_query(self.schema, name, stems[0])
        return Q.phrase_query(self.schema, name, stems)

    def _scope_query(self, scope: AccessScope) -> tantivy.Query | None:
        if scope.is_admin:
            return None
        teams = sorted(scope.team_ids)
        readable = [Q.term_set_query(self.schema, "visibility", ["public", "internal"])]
        owner: list[tantivy.Query] = []
        if teams:
            owner = [Q.term_set_query(self.schema, "owning_team_id", teams)]
            readable += [*owner, Q.term_set_query(self.schema, "team_ids", teams)]
        clauses = [(Occur.Must, Q.boolean_query([(Occur.Should, q) for q in readable]))]
        if not scope.sees_unpublished:
            published = [Q.term_query(self.schema, "is_published", True), *owner]
            clauses.append((Occur.Must, Q.boolean_query([(Occur.Should, q) for q in published])))
        return Q.boolean_query(clauses)

    def _filter_queries(self, query: SearchQuery) -> list[tantivy.Query]:
        f, s = query.filters, self.schema
        out = [Q.term_query(s, name, value) for name, value in f.keyword_items()]
        if f.topic is not None:
            out.append(Q.term_query(s, "topics", f.topic))
        if f.tag is not None:
            out.append(Q.term_query(s, "tags", f.tag))
        if f.project_id is not None:
            out.append(Q.term_query(s, "project_id", f.project_id))
        if f.team_id is not None:
            team = [Q.term_query(s, n, f.team_id) for n in ("owning_team_id", "team_ids")]
            out.append(Q.boolean_query([(Occur.Should, q) for q in team]))
        if f.created_from is not None or f.created_to is not None:
            out.append(
                Q.range_query(s, "created_at", tantivy.FieldType.Date, f.created_from, f.created_to)
            )
        return out

    def _full_query(
        self,
        node: Node | None,
        filters: list[tantivy.Query],
        scope: AccessScope,
        exclude: str | None,
    ) -> tantivy.Query:
        clauses = [(Occur.Must, self._compile(node) if node is not None else Q.all_query())]
        scope_q = self._scope_query(scope)
        for q in [*filters, *([scope_q] if scope_q is not None else [])]:
            clauses.append((Occur.Must, Q.const_score_query(q, 0.0)))
        if exclude:
            clauses.append((Occur.MustNot, Q.term_query(self.schema, "doc_id", exclude)))
        return Q.boolean_query(clauses)

    def _run(
        self,
        node: Node | None,
        query: SearchQuery,
        scope: AccessScope,
        exclude: str | None = None,
        feedback: Weighted = (),
        counted: SearchResult | None = None,
    ) -> SearchResult:
        searcher = self._current()
        full = self._full_query(node, self._filter_queries(query), scope, exclude)
        by_score = query.sort == "relevance" and node is not None
        # The facet aggregation visits every match anyway, and every document has exactly one
        # type, so the type buckets give the total: the top-k search can skip counting and
        # prune by score instead of visiting every match a second time.
        if counted is not None:
            facets, total = counted.facets, counted.total
        else:
            facets = read_facets(searcher.aggregate(full, facet_aggregation()))
            total = sum(facets["type"].values())
        if total == 0:
            return SearchResult(hits=[], total=0, facets=empty_facets())
        ranked = full
        if feedback:  # optional clauses: they add to scores, the matches stay those of `full`
            extra = [
                (Occur.Should, Q.boost_query(self._compile(feedback_leaf(text)), weight))
                for text, weight in feedback
            ]
            ranked = Q.boolean_query([(Occur.Must, full), *extra])
        found = searcher.search(
            ranked,
            query.limit,
            count=False,
            offset=query.offset,
            **({} if by_score else {"order_by_field": "created_us"}),
        )
        matches = self.matcher(node)
        hits = []
        for key, address in found.hits:
            stored = searcher.doc(address).to_dict()
            texts = [stored.get(n, [""])[0] for n in ("lesson", "recommendation", "observation")]
            texts.append(stored.get("body", [""])[0])
            snippet = make_snippet(texts, matches)
            hits.append(read_hit(stored, snippet, float(key) if by_score else None))
        return SearchResult(hits=hits, total=total, facets=facets)

    def _vocabulary(self, prefix: str) -> list[tuple[str, int]]:
        return self._current().terms_with_prefix("spell", prefix)

    def _fetch_many(self, doc_ids: Sequence[str], scope: AccessScope) -> dict[str, list[str]]:
        searcher = self._current()
        wanted = Q.term_set_query(self.schema, "doc_id", list(doc_ids))
        found = searcher.search(self._full_query(None, [wanted], scope, None), len(doc_ids) or 1)
        names = ("title", "lesson", "recommendation", "observation")
        out = {}
        for _, address in found.hits:
            stored = searcher.doc(address).to_dict()
            out[stored["doc_id"][0]] = [stored.get(n, [""])[0] for n in names]
        return out

    def _fetch_texts(self, doc_id: str, scope: AccessScope) -> list[str] | None:
        searcher = self._current()
        q = self._full_query(None, [Q.term_query(self.schema, "doc_id", doc_id)], scope, None)
        found = searcher.search(q, 1)
        if not found.hits:
            return None
        stored = searcher.doc(found.hits[0][1]).to_dict()
        names = ("title", "lesson", "recommendation", "observation")
        return [stored.get(n, [""])[0] for n in names]

    def _suggest_titles(self, word: str, scope: AccessScope, limit: int) -> list[str]:
        searcher = self._current()
        q = self._full_query(Prefix(word, "title"), [], scope, None)
        return [searcher.doc(a).to_dict()["title"][0] for _, a in searcher.search(q, limit).hits]

    def _suggest_terms(self, word: str, scope: AccessScope, limit: int) -> list[str]:
        searcher = self._current()
        visible = self._full_query(None, [], scope, None)
        pairs = searcher.terms_with_prefix("spell", word, filter_query=visible, limit=limit)
        return [term for term, count in pairs if count > 0]

    # -- due diligence: term statistics and weighted candidates ----------------------------
    def doc_freq(self, words: Sequence[str]) -> DocFreqs:
        """Per word, the most items holding its stem in any one text field (a lower bound
        of the union, read from the term dictionary without running a query)."""
        searcher = self._current()
        freq: dict[str, int] = {}
        for word in words:
            stem = self._stem(word)
            counts = [searcher.doc_freq(name, stem) for name in _DF_FIELDS] if stem else [0]
            freq[word] = max(counts)
        return DocFreqs(total=searcher.num_docs, freq=freq)

    def weighted_search(
        self,
        terms: Sequence[WeightedTerm],
        scope: AccessScope,
        filters: SearchFilters,
        limit: int,
    ) -> list[SearchHit]:
        """One boolean OR of boosted term (or phrase) queries over the weighted fields; BM25
        per field times the term's weight; top `limit` only, nothing counted."""
        shoulds = []
        for text, weight in terms:
            words = tuple(text.split())
            leaf: Term | Phrase = Term(words[0]) if len(words) == 1 else Phrase(words)
            compiled = self._compile(leaf, DUE_DILIGENCE_BOOSTS)
            shoulds.append((Occur.Should, Q.boost_query(compiled, weight)))
        if not shoulds or limit < 1:
            return []
        clauses = [(Occur.Must, Q.boolean_query(shoulds))]
        scope_q = self._scope_query(scope)
        constraints = self._filter_queries(SearchQuery(filters=filters))
        for q in [*constraints, *([scope_q] if scope_q is not None else [])]:
            clauses.append((Occur.Must, Q.const_score_query(q, 0.0)))
        searcher = self._current()
        found = searcher.search(Q.boolean_query(clauses), limit, count=False)
        return [
            read_hit(searcher.doc(address).to_dict(), "", float(score))
            for score, address in found.hits
        ]


_DF_FIELDS = ("title", "lesson", "recommendation", "observation", "body")
