"""`/v1/search`, `/v1/search/suggest` and `/v1/lessons/{id}/related`."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from hindsight.schemas.common import Timestamp
from hindsight.schemas.enums import AssetKind, Impact, Polarity, RootCauseCategory
from hindsight.schemas.search import RelatedLessons, SearchPage, Suggestions
from hindsight.search.base import SearchFilters
from hindsight.service.deps import (
    BriefPrincipal,
    CurrentPrincipal,
    DbSession,
    IdPath,
    IdQuery,
    Paging,
)
from hindsight.service.errors import ValidationFailed
from hindsight.service.search import service as search_service
from hindsight.service.search.runtime import SearchRuntimeDep
from hindsight.service.search.scope import scope_for

router = APIRouter(tags=["search"])

EARLIEST, LATEST = 1900, 2200
Label = Annotated[str | None, Query(max_length=100)]


@router.get("/search", response_model=SearchPage)
def search(
    who: BriefPrincipal,
    runtime: SearchRuntimeDep,
    page: Paging,
    q: Annotated[str, Query(description='words, "phrases", field:term, AND/OR/NOT, prefix*')] = "",
    type: Annotated[Literal["lesson", "asset", "project"] | None, Query()] = None,
    kind: Annotated[AssetKind | None, Query()] = None,
    topic: Label = None,
    tag: Label = None,
    polarity: Annotated[Polarity | None, Query()] = None,
    impact: Annotated[Impact | None, Query()] = None,
    status: Annotated[
        str | None, Query(max_length=30, description="a lesson, asset or project status")
    ] = None,
    root_cause_category: Annotated[RootCauseCategory | None, Query()] = None,
    project_id: IdQuery = None,
    team_id: IdQuery = None,
    created_from: Annotated[Timestamp | None, Query()] = None,
    created_to: Annotated[Timestamp | None, Query()] = None,
    sort: Annotated[Literal["relevance", "newest"], Query()] = "relevance",
) -> Response:
    """Lessons, assets and projects the caller may see, best first; facets count the same
    visible matches; a misspelt query is widened and `suggestion` names the correction."""
    for name, value in (("created_from", created_from), ("created_to", created_to)):
        if value is not None and value.tzinfo is None:
            raise ValidationFailed(name, f"{name} needs a timezone, e.g. 2026-01-31T00:00:00Z")
        # The index stores dates as 64-bit nanoseconds, so it cannot compare outside this span.
        if value is not None and not EARLIEST <= value.year <= LATEST:
            raise ValidationFailed(name, f"{name} must be a year from {EARLIEST} to {LATEST}")
    if created_from and created_to and created_to < created_from:
        raise ValidationFailed("created_to", "created_to is before created_from")
    filters = SearchFilters(
        type=type,
        kind=kind.value if kind else None,
        topic=" ".join(topic.split()).lower() if topic else None,
        tag=" ".join(tag.split()).lower() if tag else None,
        polarity=polarity.value if polarity else None,
        impact=impact.value if impact else None,
        status=status,
        root_cause_category=root_cause_category.value if root_cause_category else None,
        project_id=project_id,
        team_id=team_id,
        created_from=created_from,
        created_to=created_to,
    )
    found = search_service.search(
        runtime.backend,
        runtime.log,
        who,
        q=q,
        filters=filters,
        sort=sort,
        limit=page.limit,
        offset=page.offset,
    )
    # The page is already a validated SearchPage: serialise it once, not validate it again
    # (the busiest read path; the response_model still documents it).
    return Response(found.model_dump_json(), media_type="application/json")


@router.get("/search/suggest", response_model=Suggestions)
def suggest(
    who: BriefPrincipal,
    runtime: SearchRuntimeDep,
    q: Annotated[str, Query(max_length=200, description="what the user has typed so far")] = "",
    limit: Annotated[int, Query(ge=1, le=20)] = 10,
) -> Suggestions:
    """Completions from visible titles and words, for a search box."""
    return Suggestions(suggestions=runtime.backend.suggest(q, scope_for(who), limit=limit))


@router.get("/lessons/{lesson_id}/related", response_model=RelatedLessons)
def related(
    lesson_id: IdPath,
    db: DbSession,
    who: CurrentPrincipal,
    runtime: SearchRuntimeDep,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> RelatedLessons:
    """Visible lessons most like this one (itself excluded); 404 when it is not visible."""
    items = search_service.related_lessons(db, runtime.backend, who, lesson_id, limit=limit)
    return RelatedLessons(items=items)
