"""Search use cases: the caller's scope goes into the backend query, every search is logged."""

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlmodel import Session

from hindsight.schemas.search import SearchItem, SearchPage
from hindsight.search.base import InvalidQuery as BackendInvalidQuery
from hindsight.search.base import SearchBackend, SearchFilters, SearchHit, SearchQuery, doc_key
from hindsight.service.auth import Principal
from hindsight.service.errors import InvalidQuery, ValidationFailed
from hindsight.service.lessons import service as lessons_service
from hindsight.service.search.scope import scope_for
from hindsight.service.search.search_log import SearchLog

MAX_QUERY_CHARS = 2000
# Engines rank the top offset+limit hits; past this depth nobody reads, and the cost grows.
MAX_OFFSET = 10_000


def to_item(hit: SearchHit) -> SearchItem:
    return SearchItem(
        type=hit.type,
        id=hit.id,
        title=hit.title,
        snippet=hit.snippet,
        score=hit.score,
        kind=hit.kind,
        status=hit.status,
        polarity=hit.polarity,
        project_id=hit.project_id,
        created_at=hit.created_at,
    )


def _logged_filters(filters: SearchFilters, sort: str) -> dict[str, Any]:
    out: dict[str, Any] = {"sort": sort} if sort != "relevance" else {}
    for name, value in asdict(filters).items():
        if value is not None:
            out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out


def search(
    backend: SearchBackend,
    search_log: SearchLog,
    who: Principal,
    *,
    q: str,
    filters: SearchFilters,
    sort: str,
    limit: int,
    offset: int,
) -> SearchPage:
    if len(q) > MAX_QUERY_CHARS:
        # API.md: a query past a limit is an invalid_query naming the limit, like the others.
        raise InvalidQuery(
            f"the query is {len(q)} characters, past the limit of {MAX_QUERY_CHARS}; shorten it"
        )
    if offset > MAX_OFFSET:
        raise ValidationFailed(
            "offset", f"offset goes up to {MAX_OFFSET}; narrow the search instead"
        )
    query = SearchQuery(q=q, filters=filters, sort=sort, limit=limit, offset=offset)  # type: ignore[arg-type]
    try:
        result = backend.search(query, scope_for(who))
    except BackendInvalidQuery as exc:
        raise InvalidQuery(str(exc)) from exc
    search_log.record(
        query=q,
        filters=_logged_filters(filters, sort),
        result_count=result.total,
        user_id=who.user_id,
        team_ids=who.team_ids,
    )
    return SearchPage(
        items=[to_item(h) for h in result.hits],
        total=result.total,
        limit=limit,
        offset=offset,
        facets=result.facets,
        suggestion=result.suggestion,
    )


def related_lessons(
    db: Session, backend: SearchBackend, who: Principal, lesson_id: int, *, limit: int
) -> list[SearchItem]:
    """Lessons like a visible lesson; a lesson the caller cannot see is a 404 (the check is
    the database's visibility predicate, then the backend's scope filters the hits)."""
    lessons_service.get_visible(db, who, lesson_id)
    hits = backend.related(doc_key("lesson", lesson_id), scope_for(who), limit=limit)
    return [to_item(h) for h in hits]
