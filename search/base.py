"""The search protocol and the plain values every backend speaks.

Backends receive `IndexDoc` values (never ORM objects) and answer `SearchResult`s. The
`AccessScope` is a required argument of every read, so no backend can forget visibility:
the scope becomes part of the index query itself, which keeps hits, totals, facets,
suggestions and related lessons free of anything the caller may not see.
"""

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar, Literal, Protocol, runtime_checkable

DocType = Literal["lesson", "asset", "project"]
Visibility = Literal["public", "internal", "restricted"]
SortOrder = Literal["relevance", "newest"]

DOC_TYPES: tuple[str, ...] = ("lesson", "asset", "project")
FACET_NAMES: tuple[str, ...] = (
    "type",
    "kind",
    "topics",
    "tags",
    "polarity",
    "status",
    "root_cause_category",
    "year",
)
# Facet values past this many per facet (most frequent first) are left out of the answer.
FACET_LIMIT = 50
MAX_LIMIT = 100


class InvalidQuery(ValueError):
    """The query cannot be understood; `str(exc)` says what is wrong (answered as 400)."""


@dataclass(frozen=True, slots=True)
class IndexDoc:
    """One searchable item, flattened by the indexer from a lesson, asset or project."""

    type: DocType
    id: int
    title: str
    lesson: str = ""
    recommendation: str = ""
    observation: str = ""
    body: str = ""  # summary, analysis, details, attachment text: everything else
    kind: str | None = None
    status: str | None = None
    polarity: str | None = None
    impact: str | None = None
    root_cause_category: str | None = None
    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    project_id: int | None = None
    owning_team_id: int | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    visibility: Visibility = "internal"
    team_ids: tuple[int, ...] = ()
    is_published: bool = True

    def __post_init__(self) -> None:
        if self.type not in DOC_TYPES:
            raise ValueError(f"unknown document type {self.type!r}")
        if self.created_at.tzinfo is None:
            raise ValueError("created_at must be timezone-aware (UTC)")
        # Tuples keep the value hashable and immutable even when lists are passed in.
        object.__setattr__(self, "topics", tuple(self.topics))
        object.__setattr__(self, "tags", tuple(self.tags))
        object.__setattr__(self, "team_ids", tuple(self.team_ids))
        object.__setattr__(self, "created_at", self.created_at.astimezone(UTC))

    @property
    def doc_id(self) -> str:
        return doc_key(self.type, self.id)


def doc_key(doc_type: str, doc_id: int) -> str:
    """The index key of an item: "lesson:12", "asset:3", "project:5"."""
    return f"{doc_type}:{doc_id}"


@dataclass(frozen=True, slots=True)
class AccessScope:
    """Who is searching, reduced to what visibility needs."""

    is_admin: bool = False
    team_ids: frozenset[int] = frozenset()
    sees_unpublished: bool = False  # reviewers and above see drafts and items in review

    def __post_init__(self) -> None:
        object.__setattr__(self, "team_ids", frozenset(self.team_ids))

    def can_see(self, doc: IndexDoc) -> bool:
        """The visibility rule in Python; backends build the same rule into their queries."""
        return self.may_read(doc.owning_team_id, doc.team_ids, doc.visibility, doc.is_published)

    def may_read(
        self, owning_team_id: int, team_ids: Iterable[int], visibility: str, is_published: bool
    ) -> bool:
        """`can_see` over the facts alone, for what is not an index document (a snapshot)."""
        if self.is_admin:
            return True
        owner = owning_team_id in self.team_ids
        in_team = owner or bool(self.team_ids & set(team_ids))
        readable = visibility != "restricted" or in_team
        return readable and (is_published or owner or self.sees_unpublished)


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Exact-match filters, applied inside the index query. `team_id` matches the owning
    team or a team the item is shared with."""

    type: DocType | None = None
    kind: str | None = None
    topic: str | None = None
    tag: str | None = None
    polarity: str | None = None
    impact: str | None = None
    status: str | None = None
    root_cause_category: str | None = None
    project_id: int | None = None
    team_id: int | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None

    # The filters that compare one keyword column with one value.
    KEYWORDS: ClassVar[tuple[str, ...]] = (
        "type",
        "kind",
        "polarity",
        "impact",
        "status",
        "root_cause_category",
    )

    def keyword_items(self) -> list[tuple[str, str]]:
        return [(n, v) for n in self.KEYWORDS if (v := getattr(self, n)) is not None]


@dataclass(frozen=True, slots=True)
class SearchQuery:
    q: str = ""
    filters: SearchFilters = field(default_factory=SearchFilters)
    sort: SortOrder = "relevance"
    limit: int = 10
    offset: int = 0
    fuzzy: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        if self.offset < 0:
            raise ValueError("offset must not be negative")
        if self.sort not in ("relevance", "newest"):
            raise ValueError(f"unknown sort {self.sort!r}")


@dataclass(frozen=True, slots=True)
class SearchHit:
    doc_id: str
    type: DocType
    id: int
    title: str
    snippet: str  # HTML-escaped, matches wrapped in <mark>
    score: float | None  # None when the order is not by relevance
    kind: str | None
    status: str | None
    polarity: str | None
    project_id: int | None
    created_at: datetime


Facets = dict[str, dict[str, int]]


def empty_facets() -> Facets:
    return {name: {} for name in FACET_NAMES}


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: list[SearchHit]
    total: int
    facets: Facets
    suggestion: str | None = None


@dataclass(frozen=True, slots=True)
class DocFreqs:
    """How many indexed items hold each word (stemmed as the engine stems it), out of
    `total`: the IDF half of weighting the terms of a long text. Counts cover every item,
    hidden ones too, so they must only weigh terms, never be shown."""

    total: int
    freq: dict[str, int]


WeightedTerm = tuple[str, float]
"""A word, or two words separated by a space (a phrase), and how much a match counts."""


@runtime_checkable
class SearchBackend(Protocol):
    """Full-text index over lessons, assets and projects; derived from the database and
    rebuildable. Only one process writes (the indexer); any number read."""

    # True when `bulk` really defers commits (one commit for many upserts is then worth a
    # backlog waiting for it); False when every upsert commits anyway.
    defers_commits: bool

    def upsert(self, docs: Sequence[IndexDoc]) -> None: ...

    def delete(self, doc_ids: Sequence[str]) -> None: ...

    def bulk(self) -> AbstractContextManager[None]:
        """Inside it, `upsert` and `delete` may wait for one commit at its end (tantivy
        indexes in its own threads meanwhile); readers see the changes after it."""
        ...

    def settle(self) -> None:
        """After a backlog was indexed: whatever the engine needs to search the new items
        well (PostgreSQL: fresh planner statistics)."""
        ...

    def search(self, query: SearchQuery, scope: AccessScope) -> SearchResult: ...

    def suggest(self, prefix: str, scope: AccessScope, limit: int = 10) -> list[str]: ...

    def related(self, doc_id: str, scope: AccessScope, limit: int = 5) -> list[SearchHit]: ...

    def rebuild(self, docs: Iterable[IndexDoc]) -> None: ...

    def count(self) -> int: ...

    def intact(self) -> bool:
        """Cheap (a stat or two): are the index's files still where it keeps them? False
        after someone deleted the folder; the service then rebuilds it from the database."""
        ...

    def reset_writer(self) -> None:
        """After a failed write (a full disk): drop the writer, so the next write starts a
        fresh one rather than reusing one the engine may have left broken."""
        ...

    def close(self) -> None: ...

    def doc_freq(self, words: Sequence[str]) -> DocFreqs: ...

    def weighted_search(
        self,
        terms: Sequence[WeightedTerm],
        scope: AccessScope,
        filters: SearchFilters,
        limit: int,
    ) -> list[SearchHit]:
        """The best `limit` visible items for an OR of weighted terms, best first (for due
        diligence: a page of prose reduced to its key terms). No facets, no totals, no
        snippets: only the candidates, cheaply."""
        ...
