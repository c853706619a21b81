from typing import Annotated

from fastapi import APIRouter, Query, Response

from hindsight.schemas.actions import ActionCreate, ActionRead, ActionUpdate
from hindsight.schemas.common import Page
from hindsight.schemas.enums import ActionStatus
from hindsight.service.actions import service as actions_service
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

router = APIRouter(prefix="/actions", tags=["actions"])


@router.post("", status_code=201, response_model=ActionRead)
def create_action(
    payload: ActionCreate,
    response: Response,
    db: DbSession,
    who: Contributor,
    claim: IdempotencyClaim,
) -> ActionRead:
    """Add an action to a lesson the caller may edit (contributors of the owning team,
    reviewers, admins). `done` needs `evidence` (422 naming it)."""
    action = actions_service.create(db, who, payload, claim=claim)
    response.headers["ETag"] = etag(action.version)
    return action


@router.get("", response_model=Page[ActionRead])
def list_actions(
    db: DbSession,
    who: CurrentPrincipal,
    page: Paging,
    status: Annotated[ActionStatus | None, Query()] = None,
    owner_user_id: IdQuery = None,
    lesson_id: IdQuery = None,
    overdue: Annotated[
        bool | None,
        Query(description="true: open or in progress and due before today (UTC); false: not"),
    ] = None,
) -> Page[ActionRead]:
    """Actions on lessons the caller may see, soonest due first; `total` counts only those."""
    filters = {
        "status": status,
        "owner_user_id": owner_user_id,
        "lesson_id": lesson_id,
        "overdue": overdue,
    }
    items, total = actions_service.list_visible(
        db, who, filters=filters, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{action_id}", response_model=ActionRead)
def get_action(
    action_id: IdPath, response: Response, db: DbSession, who: CurrentPrincipal
) -> ActionRead:
    """One action; an action on a lesson the caller may not see is a 404."""
    action = actions_service.to_read(actions_service.get_visible(db, who, action_id))
    response.headers["ETag"] = etag(action.version)
    return action


@router.patch("/{action_id}", response_model=ActionRead)
def update_action(
    action_id: IdPath,
    patch: ActionUpdate,
    response: Response,
    db: DbSession,
    who: Contributor,
    version: IfMatch,
) -> ActionRead:
    """Change the fields sent (the lesson's editors or the action's owner). Needs `If-Match`:
    428 without it, 412 if stale. `done` needs `evidence`; it stamps `completed_at`."""
    action = actions_service.update_action(db, who, action_id, patch, expected_version=version)
    response.headers["ETag"] = etag(action.version)
    return action
