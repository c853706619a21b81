"""Whoosh (pure Python, the `whoosh-reloaded` fork): BM25F with field boosts, stemming,
OR grouping. Slower than tantivy by two orders of magnitude, but needs no native wheel.

The query tree is compiled to whoosh query objects (never a query string), so whoosh's own
parser, which joins words with AND, is never used. Filters and the access scope go in
`filter=`, which whoosh applies while collecting: totals and facet counts honour them.
"""

import contextlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path
from typing import Any

from whoosh import index, scoring, sorting
from whoosh import query as wq
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemmingAnalyzer
from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.reading import SegmentReader
from whoosh.writing import CLEAR

from hindsight.search.base import (
    FACET_LIMIT,
    FACET_NAMES,
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
from hindsight.search.tantivy_schema import BOOSTS, DEFAULT_FIELDS, FIELD_MAP

_KEYWORDS = ("type", "kind", "status", "polarity", "impact", "root_cause_category", "visibility")
_MULTI = {"topics", "tags"}


def _schema() -> Schema:
    stem = StemmingAnalyzer()
    fields: dict[str, Any] = {
        "doc_id": ID(stored=True, unique=True),
        "id": STORED(),
        "spell": TEXT(analyzer=RegexTokenizer() | LowercaseFilter(), phrase=False),
        "project_id": ID(stored=True),
        "owning_team_id": ID(),
        "team_ids": KEYWORD(commas=True),
        "topics": KEYWORD(commas=True, stored=True),
        "tags": KEYWORD(commas=True, stored=True),
        "year": ID(),
        "created_at": DATETIME(stored=True, sortable=True),
        "is_published": BOOLEAN(),
        "kind_text": TEXT(analyzer=stem, phrase=False),
    }
    for name, boost in BOOSTS.items():
        stored = name not in ("topics_text", "tags_text")
        fields[name] = TEXT(analyzer=stem, stored=stored, field_boost=boost)
    fields.update({name: ID(stored=True) for name in _KEYWORDS})
    return Schema(**fields)


def _fields(doc: IndexDoc) -> dict[str, Any]:
    out: dict[str, Any] = {
        "doc_id": doc.doc_id,
        "id": doc.id,
        "title": doc.title,
        "lesson": doc.lesson,
        "recommendation": doc.recommendation,
        "observation": doc.observation,
        "body": doc.body,
        "spell": f"{doc.title} {doc.lesson} {doc.recommendation} {doc.observation} {doc.body}",
        "team_ids": ",".join(str(t) for t in doc.team_ids),
        "topics": ",".join(t.replace(",", " ") for t in doc.topics),
        "tags": ",".join(t.replace(",", " ") for t in doc.tags),
        "topics_text": " ".join(doc.topics),
        "tags_text": " ".join(doc.tags),
        "kind_text": doc.kind or "",
        "year": str(doc.created_at.year),
        "created_at": doc.created_at.astimezone(UTC).replace(tzinfo=None),
        "is_published": doc.is_published,
    }
    for name in ("project_id", "owning_team_id"):
        if getattr(doc, name) is not None:
            out[name] = str(getattr(doc, name))
    out.update({n: getattr(doc, n) for n in _KEYWORDS if getattr(doc, n) is not None})
    return out


# Merges in the write path, tiered: segments of like size (a tier per factor of MERGE_AT)
# are merged MERGE_AT at a time, and never into more than MAX_MERGED documents. Whoosh's own
# policy merged the whole index into each Nth commit: at 10,000 lessons a commit then took
# over a minute, and every write of those minutes waited behind it.
MERGE_AT = 8
MAX_MERGED = 4000


def _tier(docs: int) -> int:
    tier = 0
    while docs >= MERGE_AT:
        docs //= MERGE_AT
        tier += 1
    return tier


def _merge_tiers(writer: Any, segments: list[Any]) -> list[Any]:
    """A whoosh `mergetype`: add the segments to merge to `writer`, return those kept."""
    tiers: dict[int, list[Any]] = {}
    for segment in segments:
        tiers.setdefault(_tier(segment.doc_count_all()), []).append(segment)
    merged: list[Any] = []
    for tier in sorted(tiers):
        group = tiers[tier]
        size = sum(s.doc_count_all() for s in group)
        if len(group) >= MERGE_AT and size <= MAX_MERGED:
            merged.extend(group)
    for segment in merged:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in merged]


@contextmanager
def _writing(writer: Any) -> Iterator[Any]:
    """Commit at the end; on a failure (a full disk) cancel, which releases the index's
    write lock: a writer left holding it would refuse every later write."""
    try:
        yield writer
        writer.commit(mergetype=_merge_tiers)
    except BaseException:
        with contextlib.suppress(Exception):
            writer.cancel()
        # A commit that failed half-way leaves cancel() nothing to do, lock included.
        lock = getattr(writer, "writelock", None)
        if lock is not None:
            with contextlib.suppress(Exception):
                lock.release()
        raise


class WhooshBackend(BaseBackend):
    def __init__(self, index_dir: Path | None) -> None:
        self._dir = Path(index_dir) if index_dir else None
        if index_dir is None:
            self._index = RamStorage().create_index(_schema())
        else:
            Path(index_dir).mkdir(parents=True, exist_ok=True)
            if index.exists_in(str(index_dir)):
                self._index = index.open_dir(str(index_dir))
            else:
                self._index = index.create_in(str(index_dir), _schema())
        self._stemmer = StemmingAnalyzer()
        self._lock = threading.Lock()
        self._searcher = self._index.searcher(weighting=scoring.BM25F())

    def upsert(self, docs: Sequence[IndexDoc]) -> None:
        with self._lock, _writing(self._index.writer(limitmb=256)) as writer:
            for doc in docs:
                writer.update_document(**_fields(doc))

    def delete(self, doc_ids: Sequence[str]) -> None:
        with self._lock, _writing(self._index.writer()) as writer:
            for doc_id in doc_ids:
                writer.delete_by_term("doc_id", doc_id)

    def _clear(self) -> None:
        with self._lock:
            writer = self._index.writer()
            writer.commit(mergetype=CLEAR)

    def count(self) -> int:
        return self._current().doc_count()

    def intact(self) -> bool:
        # Whether a table of contents is there, not whoosh's `exists_in`: that opens the
        # newest one, which a commit in another thread may delete under it (FileNotFoundError
        # from a health check while the index is fine).
        return self._dir is None or any(self._dir.glob("_MAIN_*.toc"))

    def close(self) -> None:
        self._searcher.close()

    def _current(self) -> Any:
        # The same searcher while no commit happened (whoosh's own refresh() fails on a
        # searcher opened over an empty index, so reopen by hand).
        if not self._searcher.up_to_date():
            old, self._searcher = self._searcher, self._index.searcher(weighting=scoring.BM25F())
            old.close()
        return self._searcher

    def _stem(self, word: str) -> str | None:
        tokens = [t.text for t in self._stemmer(word)]
        return tokens[0] if tokens else None

    def _compile(self, node: Node) -> wq.Query:
        if isinstance(node, Bool):
            parts = [self._compile(c) for c in node.must]
            if node.should:
                parts.append(wq.Or([self._compile(c) for c in node.should]))
            positive = wq.And(parts) if parts else wq.Every()
            if node.must_not:
                return wq.AndNot(positive, wq.Or([self._compile(c) for c in node.must_not]))
            return positive
        names = DEFAULT_FIELDS if node.field is None else (FIELD_MAP[node.field],)
        leaves = [q for name in names if (q := self._leaf(node, name)) is not None]
        return wq.Or(leaves) if leaves else wq.NullQuery

    def _leaf(self, node: Term | Phrase | Prefix, name: str) -> wq.Query | None:
        if isinstance(node, Prefix):
            return wq.Prefix(name, node.text)
        words = node.words if isinstance(node, Phrase) else (node.text,)
        stems = [s for w in words if (s := self._stem(w))]
        if not stems:
            return None
        return wq.Term(name, stems[0]) if len(stems) == 1 else wq.Phrase(name, stems)

    def _filter(self, query: SearchQuery, scope: AccessScope, extra: wq.Query | None) -> Any:
        f = query.filters
        parts: list[wq.Query] = [wq.Term(n, v) for n, v in f.keyword_items()]
        if f.topic is not None:
            parts.append(wq.Term("topics", f.topic))
        if f.tag is not None:
            parts.append(wq.Term("tags", f.tag))
        if f.project_id is not None:
            parts.append(wq.Term("project_id", str(f.project_id)))
        if f.team_id is not None:
            team = str(f.team_id)
            parts.append(wq.Or([wq.Term("owning_team_id", team), wq.Term("team_ids", team)]))
        if f.created_from is not None or f.created_to is not None:
            naive = [
                d.astimezone(UTC).replace(tzinfo=None) if d else None
                for d in (f.created_from, f.created_to)
            ]
            parts.append(wq.DateRange("created_at", naive[0], naive[1]))
        if not scope.is_admin:
            teams = [str(t) for t in sorted(scope.team_ids)]
            owner = [wq.Term("owning_team_id", t) for t in teams]
            readable = [wq.Term("visibility", "public"), wq.Term("visibility", "internal")]
            readable += owner + [wq.Term("team_ids", t) for t in teams]
            parts.append(wq.Or(readable))
            if not scope.sees_unpublished:
                parts.append(wq.Or([wq.Term("is_published", True), *owner]))
        if extra is not None:
            parts.append(extra)
        return wq.And(parts) if parts else None

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
        text_q = self._compile(node) if node is not None else wq.Every()
        if feedback:  # AndMaybe: the extra words rank, they do not match
            extra = [self._compile(feedback_leaf(t)).with_boost(weight) for t, weight in feedback]
            text_q = wq.AndMaybe(text_q, wq.Or(extra))
        if exclude:
            text_q = wq.AndNot(text_q, wq.Term("doc_id", exclude))
        by_score = query.sort == "relevance" and node is not None
        groups = {
            name: sorting.FieldFacet(name, allow_overlap=name in _MULTI, maptype=sorting.Count)
            for name in FACET_NAMES
        }
        results = searcher.search(
            text_q,
            limit=query.offset + query.limit,
            filter=self._filter(query, scope, None),
            # Grouping even when `counted` has the facets: whoosh's top-k collector without
            # it scores AndMaybe differently and loses hits (Cranfield R@100 0.75 -> 0.65).
            groupedby=groups,
            **({} if by_score else {"sortedby": "created_at", "reverse": True}),
        )
        matches = self.matcher(node)
        hits = [
            _hit(hit, make_snippet([hit.get(n, "") for n in _SNIPPET_FIELDS], matches), by_score)
            for hit in results[query.offset : query.offset + query.limit]
        ]
        total = len(results)
        facets = empty_facets()
        if total:
            for name in FACET_NAMES:
                counts = results.groups(name)
                top = sorted(
                    ((str(k), v) for k, v in counts.items() if k is not None and v),
                    key=lambda kv: (-kv[1], kv[0]),
                )
                facets[name] = dict(top[:FACET_LIMIT])
        return SearchResult(hits=hits, total=total, facets=facets)

    def _vocabulary(self, prefix: str) -> list[tuple[str, int]]:
        reader = self._current().reader()
        return [
            (t.decode() if isinstance(t, bytes) else t, info.doc_frequency())
            for t, info in reader.iter_prefix("spell", prefix)
        ]

    def _visible(self, q: wq.Query, scope: AccessScope, limit: int) -> Any:
        return self._current().search(
            q, limit=limit, filter=self._filter(SearchQuery(), scope, None)
        )

    def _fetch_texts(self, doc_id: str, scope: AccessScope) -> list[str] | None:
        found = self._visible(wq.Term("doc_id", doc_id), scope, 1)
        if not found:
            return None
        return [found[0].get(n, "") for n in ("title", "lesson", "recommendation", "observation")]

    def _suggest_titles(self, word: str, scope: AccessScope, limit: int) -> list[str]:
        return [hit["title"] for hit in self._visible(wq.Prefix("title", word), scope, limit)]

    def _suggest_terms(self, word: str, scope: AccessScope, limit: int) -> list[str]:
        ranked = sorted(self._vocabulary(word), key=lambda kv: (-kv[1], kv[0]))[: limit * 3]
        out = [t for t, _ in ranked if self._visible(wq.Term("spell", t), scope, 1)]
        return out[:limit]

    # -- due diligence: term statistics and weighted candidates ----------------------------
    def doc_freq(self, words: Sequence[str]) -> DocFreqs:
        """Per word, the most items holding its stem in any one text field."""
        reader = self._current().reader()
        freq: dict[str, int] = {}
        for word in words:
            stem = self._stem(word)
            counts = [reader.doc_frequency(n, stem) for n in _SNIPPET_FIELDS] if stem else [0]
            freq[word] = max([*counts, reader.doc_frequency("title", stem) if stem else 0])
        return DocFreqs(total=reader.doc_count(), freq=freq)

    def weighted_search(
        self,
        terms: Sequence[WeightedTerm],
        scope: AccessScope,
        filters: SearchFilters,
        limit: int,
    ) -> list[SearchHit]:
        """An OR of per-field term (or phrase) queries, each boosted by its term's weight;
        BM25F with the schema's field boosts; the access scope and filters in `filter=`."""
        leaves: list[wq.Query] = []
        for text, weight in terms:
            stems = [s for w in text.split() if (s := self._stem(w))]
            if not stems:
                continue
            for name in DEFAULT_FIELDS:
                if len(stems) == 1:
                    leaves.append(wq.Term(name, stems[0], boost=weight))
                else:
                    leaves.append(wq.Phrase(name, stems, boost=weight))
        if not leaves or limit < 1:
            return []
        results = self._current().search(
            wq.Or(leaves),
            limit=limit,
            filter=self._filter(SearchQuery(filters=filters), scope, None),
        )
        return [_hit(hit, "", True) for hit in results]


_SNIPPET_FIELDS = ("lesson", "recommendation", "observation", "body")


def _hit(hit: Any, snippet: str, by_score: bool) -> SearchHit:
    project = hit.get("project_id")
    return SearchHit(
        doc_id=hit["doc_id"],
        type=hit["type"],
        id=hit["id"],
        title=hit.get("title", ""),
        snippet=snippet,
        score=float(hit.score) if by_score and hit.score is not None else None,
        kind=hit.get("kind"),
        status=hit.get("status"),
        polarity=hit.get("polarity"),
        project_id=int(project) if project else None,
        created_at=hit["created_at"].replace(tzinfo=UTC),
    )
