"""Tantivy's schema and the translation between `IndexDoc`, tantivy documents and hits."""

from datetime import UTC, datetime
from typing import Any

import tantivy

from hindsight.search.base import FACET_LIMIT, FACET_NAMES, Facets, IndexDoc, SearchHit

# Field boosts: title and the lesson itself above the recommendation, above the observation.
# The title a little under the lesson: titles are short, so a title word already scores high
# (Cranfield nDCG@10 +0.004 against 3.0; bench/relevance.py). The body weighs as the lesson:
# it is all an asset or a project says besides its title (an asset's summary and text), and
# at 1.0 every title match buried the items it describes (tantivy nDCG@10, SciFact train,
# abstracts stored as research summaries: 0.573 -> 0.661; Cranfield, stored as lessons
# without a body, 0.401 either way).
BOOSTS: dict[str, float] = {
    "title": 2.5,
    "lesson": 3.0,
    "recommendation": 2.0,
    "observation": 1.5,
    "body": 3.0,
    "topics_text": 1.0,
    "tags_text": 1.0,
}
# Due diligence matches a brief's key terms against lessons, whose body is only their
# analysis: there it keeps its old weight (the 34 briefs, bench/due_diligence.py, nDCG@10:
# 0.456 with 1.0, 0.440 with 3.0).
DUE_DILIGENCE_BOOSTS: dict[str, float] = {**BOOSTS, "body": 1.0}
DEFAULT_FIELDS = tuple(BOOSTS)
# query language field -> index field
FIELD_MAP = {
    "title": "title",
    "lesson": "lesson",
    "recommendation": "recommendation",
    "topic": "topics_text",
    "tag": "tags_text",
    "kind": "kind_text",
}
KEYWORDS = ("type", "kind", "status", "polarity", "impact", "root_cause_category", "visibility")
# facet name -> fast field
FACET_FIELDS = {name: name for name in FACET_NAMES}


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("doc_id", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("id", stored=True)
    for name in ("title", "lesson", "recommendation", "observation", "body"):
        sb.add_text_field(name, stored=True, tokenizer_name="en_stem")
    for name in ("topics_text", "tags_text", "kind_text"):
        sb.add_text_field(name, tokenizer_name="en_stem")
    # Unstemmed words of the text: the vocabulary for typo corrections and suggestions.
    sb.add_text_field("spell", tokenizer_name="default", index_option="basic")
    for name in (*KEYWORDS, "topics", "tags"):
        sb.add_text_field(name, stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    for name in ("project_id", "owning_team_id"):
        sb.add_integer_field(name, stored=True, indexed=True, fast=True)
    sb.add_integer_field("team_ids", indexed=True)
    sb.add_integer_field("year", indexed=True, fast=True)
    sb.add_date_field("created_at", stored=True, indexed=True, fast=True)
    # Date fast fields keep whole seconds; "newest first" needs the order within a second.
    sb.add_integer_field("created_us", fast=True)
    sb.add_boolean_field("is_published", indexed=True)
    return sb.build()


def to_document(doc: IndexDoc) -> tantivy.Document:
    d = tantivy.Document()
    d.add_text("doc_id", doc.doc_id)
    d.add_integer("id", doc.id)
    for name in ("title", "lesson", "recommendation", "observation", "body"):
        d.add_text(name, getattr(doc, name))
    # Not the body: it is the longest text (attachments too) and would cost a third of the
    # indexing time for words that the other fields mostly already hold.
    d.add_text("spell", " ".join((doc.title, doc.lesson, doc.recommendation, doc.observation)))
    for name in KEYWORDS:
        value = getattr(doc, name)
        if value is not None:
            d.add_text(name, value)
    if doc.kind:
        d.add_text("kind_text", doc.kind)
    for topic in doc.topics:
        d.add_text("topics", topic)
        d.add_text("topics_text", topic)
    for tag in doc.tags:
        d.add_text("tags", tag)
        d.add_text("tags_text", tag)
    for name in ("project_id", "owning_team_id"):
        value = getattr(doc, name)
        if value is not None:
            d.add_integer(name, value)
    for team in doc.team_ids:
        d.add_integer("team_ids", team)
    d.add_integer("year", doc.created_at.year)
    d.add_date("created_at", doc.created_at)
    d.add_integer("created_us", int(doc.created_at.timestamp() * 1_000_000))
    d.add_boolean("is_published", doc.is_published)
    return d


def _first(stored: dict[str, list[Any]], name: str) -> Any:
    values = stored.get(name)
    return values[0] if values else None


def read_hit(stored: dict[str, list[Any]], snippet: str, score: float | None) -> SearchHit:
    created = _first(stored, "created_at")
    if isinstance(created, datetime):
        created = created.replace(tzinfo=UTC) if created.tzinfo is None else created
    return SearchHit(
        doc_id=_first(stored, "doc_id"),
        type=_first(stored, "type"),
        id=_first(stored, "id"),
        title=_first(stored, "title") or "",
        snippet=snippet,
        score=score,
        kind=_first(stored, "kind"),
        status=_first(stored, "status"),
        polarity=_first(stored, "polarity"),
        project_id=_first(stored, "project_id"),
        created_at=created,
    )


def facet_aggregation() -> dict[str, Any]:
    # segment_size far above any field's number of values keeps the counts exact.
    terms = {"size": FACET_LIMIT, "segment_size": 100_000}
    return {name: {"terms": {"field": field, **terms}} for name, field in FACET_FIELDS.items()}


def read_facets(raw: dict[str, Any]) -> Facets:
    facets: Facets = {}
    for name in FACET_NAMES:
        buckets = raw.get(name, {}).get("buckets", [])
        facets[name] = {str(b["key"]): int(b["doc_count"]) for b in buckets if b["doc_count"]}
    return facets
