"""What every backend shares: parsing, the fuzzy fallback, related lessons, suggestions
and snippet matching. A backend implements the engine-specific steps (`_run`, `_vocabulary`,
`_fetch_texts`, `_suggest_titles`, `_suggest_terms`, `_stem`) and inherits the behaviour,
so the three engines answer the same query the same way."""

import re
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import lru_cache

from hindsight.search import feedback, typo
from hindsight.search.base import (
    AccessScope,
    IndexDoc,
    SearchFilters,
    SearchHit,
    SearchQuery,
    SearchResult,
)
from hindsight.search.feedback import Weighted
from hindsight.search.query import (
    STOPWORDS,
    Bool,
    Node,
    Phrase,
    Prefix,
    Term,
    corrected_query,
    parse,
    positive_leaves,
    widen_terms,
)
from hindsight.search.snippets import Matcher

RELATED_TERMS = 25
# A query of a few plain words first asks for all of them; when that finds at least this
# many, those are the answer (precise, and cheap: an intersection, not a third of the
# collection to rank and count). Fewer, and any of the words will do, as for prose.
ALL_WORDS_MAX_TERMS = 4
ALL_WORDS_ENOUGH = 10
_EXPLICIT_OR = re.compile(r"(?:^|\s)OR(?:\s|$)")
_WORD = re.compile(r"[^\W_]+")


def all_words(q: str, node: Node | None) -> Bool | None:
    """`a b c` as `a AND b AND c`, for a short query of plain words and phrases only; None
    for anything else, including a query that says OR itself."""
    if not isinstance(node, Bool) or node.must or node.must_not:
        return None
    if not 2 <= len(node.should) <= ALL_WORDS_MAX_TERMS or _EXPLICIT_OR.search(q):
        return None
    if not all(isinstance(leaf, Term | Phrase) for leaf in node.should):
        return None
    return Bool(must=node.should)


class BaseBackend(ABC):
    # Pseudo-relevance feedback for prose queries (see `search.feedback`).
    uses_feedback = True
    defers_commits = False  # `bulk` below commits nothing itself

    def search(self, query: SearchQuery, scope: AccessScope) -> SearchResult:
        node = parse(query.q)
        strict = all_words(query.q, node)
        if strict is not None:
            # The same choice on every page, since it depends on the total, not the offset.
            result = self._run(strict, query, scope)
            if result.total >= ALL_WORDS_ENOUGH:
                return result
        # Prose: its adjacent words side by side rank higher from the first pass on, so the
        # feedback documents are chosen with them too.
        pairs = feedback.proximity_pairs(node) if self._feedback_for(node, query) else ()  # type: ignore[arg-type]
        result = self._run(node, query, scope, feedback=pairs)
        # With fewer hits than this, the typo fallback below has its turn instead.
        if pairs and result.total >= typo.FUZZY_BELOW:
            return self._with_feedback(node, query, scope, result, pairs)  # type: ignore[arg-type]
        if not query.fuzzy or node is None or result.total >= typo.FUZZY_BELOW:
            return result
        fixes = typo.corrections(node, self._vocabulary)
        if not fixes:
            return result
        wider = self._run(widen_terms(node, fixes), query, scope)
        # Offer a correction only when the corrected words find something the caller may
        # see: a word known only from hidden items must not surface as a suggestion.
        fixed = tuple(Term(w) for w in sorted(set(fixes.values())))
        probe = SearchQuery(filters=query.filters, limit=1, fuzzy=False)
        if wider.total == 0 or self._run(Bool(should=fixed), probe, scope).total == 0:
            return result
        return replace(wider, suggestion=corrected_query(query.q, node, fixes))

    def _feedback_for(self, node: Node | None, query: SearchQuery) -> bool:
        return self.uses_feedback and query.sort == "relevance" and feedback.wants_feedback(node)

    def _with_feedback(
        self,
        node: Bool,
        query: SearchQuery,
        scope: AccessScope,
        first: SearchResult,
        pairs: Weighted,
    ) -> SearchResult:
        """`first` (ranked with `pairs`) ranked again with the words its best hits share too
        (see `search.feedback`); the same best hits on every page, so pages never overlap."""
        best = first.hits[: feedback.FEEDBACK_DOCS]
        if query.offset or len(best) < min(feedback.FEEDBACK_DOCS, first.total):
            probe = SearchQuery(filters=query.filters, limit=feedback.FEEDBACK_DOCS, fuzzy=False)
            best = self._run(node, probe, scope, feedback=pairs).hits
        texts = self._fetch_many([hit.doc_id for hit in best], scope)
        docs = [(hit.score or 0.0, texts.get(hit.doc_id, [])) for hit in best]
        words = feedback.feedback_terms(docs, self._cached_stem)
        if not words:
            return first
        extra = (*words, *pairs)
        return self._run(node, query, scope, feedback=extra, counted=first)

    def _fetch_many(self, doc_ids: Sequence[str], scope: AccessScope) -> dict[str, list[str]]:
        """`_fetch_texts` of several items (the visible ones)."""
        found = {doc_id: self._fetch_texts(doc_id, scope) for doc_id in doc_ids}
        return {doc_id: texts for doc_id, texts in found.items() if texts is not None}

    def related(self, doc_id: str, scope: AccessScope, limit: int = 5) -> list[SearchHit]:
        """Visible lessons most like the given item (itself excluded); [] when the caller
        cannot see the item."""
        texts = self._fetch_texts(doc_id, scope)
        if texts is None:
            return []
        node = key_terms(texts)
        if node is None:
            return []
        query = SearchQuery(filters=SearchFilters(type="lesson"), limit=limit, fuzzy=False)
        return self._run(node, query, scope, exclude=doc_id).hits

    def suggest(self, prefix: str, scope: AccessScope, limit: int = 10) -> list[str]:
        """Completions for what the user is typing: visible titles with a word starting
        with the last word typed, then words of visible items."""
        words = _WORD.findall(prefix.lower())
        if not words or limit < 1:
            return []
        word = words[-1]
        out: list[str] = []
        for candidate in [
            *self._suggest_titles(word, scope, limit),
            *self._suggest_terms(word, scope, limit),
        ]:
            if candidate not in out:
                out.append(candidate)
        return out[:limit]

    def intact(self) -> bool:
        return True  # in memory, or in the database: nothing on disk to lose

    def reset_writer(self) -> None:  # noqa: B027 (a hook: most engines keep no writer)
        pass

    def settle(self) -> None:  # noqa: B027 (a hook: most engines need nothing)
        """Nothing to do for an embedded index: it merges by itself."""

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """By default every upsert commits by itself; tantivy overrides this."""
        yield

    def rebuild(self, docs: Iterable[IndexDoc]) -> None:
        self._clear()
        batch: list[IndexDoc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= 1000:
                self.upsert(batch)
                batch = []
        if batch:
            self.upsert(batch)

    def matcher(self, node: Node | None) -> Callable[[str], bool]:
        """Does a word of the text match the query (same stem, or starts with a prefix)?"""
        stems: set[str] = set()
        prefixes: list[str] = []
        for leaf in positive_leaves(node):
            if isinstance(leaf, Prefix):
                prefixes.append(leaf.text)
            elif isinstance(leaf, Phrase):
                stems.update(s for w in leaf.words if (s := self._cached_stem(w)))
            elif isinstance(leaf, Term) and (s := self._cached_stem(leaf.text)):
                stems.add(s)

        def matches(word: str) -> bool:
            if word.startswith(tuple(prefixes)) and prefixes:
                return True
            return self._cached_stem(word) in stems

        # English stems keep a word's first three letters, so those find the candidates.
        return Matcher(matches, [*prefixes, *(s[:3] for s in stems)])

    @property
    def _cached_stem(self) -> Callable[[str], str | None]:
        cache = self.__dict__.get("_stem_cache")
        if cache is None:
            cache = lru_cache(maxsize=200_000)(self._stem)
            self.__dict__["_stem_cache"] = cache
        return cache

    @abstractmethod
    def upsert(self, docs: Sequence[IndexDoc]) -> None: ...

    @abstractmethod
    def _clear(self) -> None: ...

    @abstractmethod
    def _run(
        self,
        node: Node | None,
        query: SearchQuery,
        scope: AccessScope,
        exclude: str | None = None,
        feedback: Weighted = (),
        counted: SearchResult | None = None,
    ) -> SearchResult:
        """Hits of `node` within the scope and filters. `feedback` words, when given, add to
        the score of hits that contain them and never change which items match; `counted`
        is an earlier result for the same matches, whose total and facets may be reused."""

    @abstractmethod
    def _vocabulary(self, prefix: str) -> list[tuple[str, int]]: ...

    @abstractmethod
    def _fetch_texts(self, doc_id: str, scope: AccessScope) -> list[str] | None: ...

    @abstractmethod
    def _suggest_titles(self, word: str, scope: AccessScope, limit: int) -> list[str]: ...

    @abstractmethod
    def _suggest_terms(self, word: str, scope: AccessScope, limit: int) -> list[str]: ...

    @abstractmethod
    def _stem(self, word: str) -> str | None: ...


def key_terms(texts: Sequence[str]) -> Node | None:
    """An OR query of an item's most frequent words: "more like this" for any engine (the
    ranking's IDF then favours the rare ones)."""
    counts = Counter(
        w
        for text in texts
        for w in _WORD.findall(text.lower())
        if len(w) > 2 and w not in STOPWORDS and not w.isdigit()
    )
    top = sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[:RELATED_TERMS]
    terms = tuple(Term(w) for w, _ in top)
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else Bool(should=terms)
