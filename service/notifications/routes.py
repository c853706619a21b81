from typing import Annotated

from fastapi import APIRouter, Query

from hindsight.schemas.common import Page
from hindsight.schemas.subscriptions import NotificationRead
from hindsight.service.deps import CurrentPrincipal, DbSession, IdPath, Paging
from hindsight.service.notifications import service as notifications_service

router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.get("", response_model=Page[NotificationRead])
def list_notifications(
    db: DbSession,
    who: CurrentPrincipal,
    page: Paging,
    unread: Annotated[bool | None, Query(description="true: only unread; false: only read")] = None,
) -> Page[NotificationRead]:
    """The caller's inbox, newest first. One about an item the caller can no longer see is
    left out (and never counted)."""
    items, total = notifications_service.list_mine(
        db, who, unread=unread, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("/{notification_id}/read", response_model=NotificationRead)
def read_notification(
    notification_id: IdPath, db: DbSession, who: CurrentPrincipal
) -> NotificationRead:
    """Mark one of the caller's notifications read (again is harmless)."""
    return notifications_service.mark_read(db, who, notification_id)
