from typing import Annotated

from fastapi import APIRouter, Query, Response

from hindsight.schemas.applications import ApplicationCreate, ApplicationRead, ApplicationUpdate
from hindsight.schemas.common import Page
from hindsight.schemas.enums import Decision, Outcome
from hindsight.service.applications import service as applications_service
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

router = APIRouter(prefix="/applications", tags=["applications"])


@router.post("", status_code=201, response_model=ApplicationRead)
def create_application(
    payload: ApplicationCreate,
    response: Response,
    db: DbSession,
    who: Contributor,
    claim: IdempotencyClaim,
) -> ApplicationRead:
    """Record that a project considered a lesson, what it decided and (later) whether it
    helped. Contributors of the project's owning team, reviewers and admins."""
    application = applications_service.create(db, who, payload, claim=claim)
    response.headers["ETag"] = etag(application.version)
    return application


@router.get("", response_model=Page[ApplicationRead])
def list_applications(
    db: DbSession,
    who: CurrentPrincipal,
    page: Paging,
    lesson_id: IdQuery = None,
    project_id: IdQuery = None,
    due_diligence_id: IdQuery = None,
    decision: Annotated[Decision | None, Query()] = None,
    outcome: Annotated[Outcome | None, Query()] = None,
) -> Page[ApplicationRead]:
    """Applications whose lesson and project the caller may both see, newest first."""
    filters = {
        "lesson_id": lesson_id,
        "project_id": project_id,
        "due_diligence_id": due_diligence_id,
        "decision": decision,
        "outcome": outcome,
    }
    items, total = applications_service.list_visible(
        db, who, filters=filters, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{application_id}", response_model=ApplicationRead)
def get_application(
    application_id: IdPath, response: Response, db: DbSession, who: CurrentPrincipal
) -> ApplicationRead:
    """One application; a 404 when its lesson or its project is hidden from the caller."""
    application = applications_service.to_read(
        applications_service.get_visible(db, who, application_id)
    )
    response.headers["ETag"] = etag(application.version)
    return application


@router.patch("/{application_id}", response_model=ApplicationRead)
def update_application(
    application_id: IdPath,
    patch: ApplicationUpdate,
    response: Response,
    db: DbSession,
    who: Contributor,
    version: IfMatch,
) -> ApplicationRead:
    """Change the decision, note or outcome. Needs `If-Match`: 428 without it, 412 if
    stale. A `not_applicable` decision has no outcome but `pending` (422)."""
    application = applications_service.update_application(
        db, who, application_id, patch, expected_version=version
    )
    response.headers["ETag"] = etag(application.version)
    return application
