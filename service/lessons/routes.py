from typing import Annotated

from fastapi import APIRouter, Query, Response

from hindsight.schemas.common import Page
from hindsight.schemas.enums import Impact, LessonStatus, Polarity, RootCauseCategory
from hindsight.schemas.lessons import LessonCreate, LessonRead, LessonTransition, LessonUpdate
from hindsight.schemas.versions import VersionRead
from hindsight.service.deps import (
    Contributor,
    CurrentPrincipal,
    DbSession,
    IdempotencyClaim,
    IdPath,
    IdQuery,
    IfMatch,
    Paging,
    etag,
)
from hindsight.service.lessons import lifecycle
from hindsight.service.lessons import service as lessons_service

router = APIRouter(prefix="/lessons", tags=["lessons"])


@router.post("", status_code=201, response_model=LessonRead)
def create_lesson(
    payload: LessonCreate,
    response: Response,
    db: DbSession,
    who: Contributor,
    claim: IdempotencyClaim,
) -> LessonRead:
    """Log a lesson. With `asset_id`, it joins that asset: it takes the asset's owning team,
    project and visibility (unless sent narrower: `restricted` with `team_ids`; wider is a
    422) and is seen only while the asset is. Without `asset_id`, it stands alone: its own
    `owning_team_id` (default: the caller's team when they have exactly one, else a 422
    asking for it), `project_id`, `visibility` (default `internal`) and `team_ids`; it is
    visible as soon as it is created."""
    lesson = lessons_service.create(db, who, payload, claim=claim)
    response.headers["ETag"] = etag(lesson.version)
    return lesson


@router.get("", response_model=Page[LessonRead])
def list_lessons(
    db: DbSession,
    who: CurrentPrincipal,
    page: Paging,
    status: Annotated[LessonStatus | None, Query()] = None,
    polarity: Annotated[Polarity | None, Query()] = None,
    impact: Annotated[Impact | None, Query()] = None,
    root_cause_category: Annotated[RootCauseCategory | None, Query()] = None,
    project_id: IdQuery = None,
    asset_id: IdQuery = None,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    topic: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[LessonRead]:
    """Lessons the caller may see (their own access, and their asset's for lessons in one),
    newest first; `total` counts only those."""
    filters = {
        "status": status,
        "polarity": polarity,
        "impact": impact,
        "root_cause_category": root_cause_category,
        "project_id": project_id,
        "asset_id": asset_id,
        "tag": tag,
        "topic": topic,
    }
    items, total = lessons_service.list_visible(
        db, who, filters=filters, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{lesson_id}", response_model=LessonRead)
def get_lesson(
    lesson_id: IdPath, response: Response, db: DbSession, who: CurrentPrincipal
) -> LessonRead:
    """One lesson; a lesson the caller may not see is a 404, the same as a missing one."""
    lesson = lessons_service.to_read(db, lessons_service.get_visible(db, who, lesson_id))
    response.headers["ETag"] = etag(lesson.version)
    return lesson


@router.patch("/{lesson_id}", response_model=LessonRead)
def update_lesson(
    lesson_id: IdPath,
    patch: LessonUpdate,
    response: Response,
    db: DbSession,
    who: Contributor,
    version: IfMatch,
) -> LessonRead:
    """Change the fields sent. Needs `If-Match`: 428 without it, 412 if stale. With
    `five_whys`, a `root_cause` is required (422). `visibility` and `team_ids` follow the
    rule of creation: a lesson in an asset may be narrower than it, never wider (422)."""
    lesson = lessons_service.update_lesson(db, who, lesson_id, patch, expected_version=version)
    response.headers["ETag"] = etag(lesson.version)
    return lesson


@router.post("/{lesson_id}/transitions", response_model=LessonRead)
def transition_lesson(
    lesson_id: IdPath,
    move: LessonTransition,
    response: Response,
    db: DbSession,
    who: Contributor,
    version: IfMatch,
) -> LessonRead:
    """Move through the lifecycle, with `If-Match`: `identified -> action_planned` (needs an
    open action), `action_planned -> actioned` (every action done or cancelled, at least one
    done), `actioned -> learned` (needs `evidence_of_change`; sets `learned_at`), any state
    `-> not_actioned` (needs `reason`), `not_actioned -> identified`. Anything else, or an
    unmet condition, is 409 `invalid_transition` saying what is missing. Contributors of the
    owning team, reviewers and admins."""
    lesson = lifecycle.transition(db, who, lesson_id, move, expected_version=version)
    response.headers["ETag"] = etag(lesson.version)
    return lesson


@router.get("/{lesson_id}/versions", response_model=Page[VersionRead])
def list_lesson_versions(
    lesson_id: IdPath, db: DbSession, who: CurrentPrincipal, page: Paging
) -> Page[VersionRead]:
    """Earlier versions of a visible lesson, newest first."""
    items, total = lessons_service.list_versions(
        db, who, lesson_id, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
