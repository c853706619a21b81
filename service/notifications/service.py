"""Notifications: created once per key, read in the inbox, mailed by the job runner.

`notify` is the one write path for every kind (subscriptions and digests here; reminders,
escalations, verification and capture requests of issue 20 call it the same way, with a key
such as `key_for(NotificationKind.action_due, action_id, day)`)."""

from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlmodel import Session

from hindsight.schemas.enums import NotificationKind
from hindsight.schemas.subscriptions import NotificationRead
from hindsight.service.auth import Principal
from hindsight.service.columns import utcnow
from hindsight.service.errors import NotFound
from hindsight.service.events import items
from hindsight.service.jobs import queue
from hindsight.service.notifications.models import Notification
from hindsight.service.pagination import fetch_page

MAIL = "mail.notification"


def key_for(kind: NotificationKind, item_id: int, day: date) -> str:
    """The unique key of a sweep's notification: one per item, kind and day."""
    return f"{kind.value}:{item_id}:{day.isoformat()}"


def notify(
    db: Session,
    *,
    user_id: int,
    kind: NotificationKind,
    key: str,
    subject: str,
    body: str,
    link: str | None = None,
    item: tuple[str, int] | None = None,
    subscription_id: int | None = None,
) -> bool:
    """Create the notification unless one with `key` exists, and queue its email, in the
    caller's transaction. True when it is new."""
    values = {
        "user_id": user_id,
        "kind": kind.value,
        "key": key,
        "subject": subject[:300],
        "body": body,
        "link": link,
        "item_type": item[0] if item else None,
        "item_id": item[1] if item else None,
        "subscription_id": subscription_id,
        "created_at": utcnow(),
    }
    table = Notification.__table__  # type: ignore[attr-defined]
    if not queue.insert_once(db, table, values, unique=["key"]):
        return False
    queue.enqueue(db, MAIL, {"key": key})
    return True


def _mine(who: Principal) -> Select[Any]:
    # The bootstrap admin is no person: it has no inbox.
    owner = Notification.user_id == (who.user_id if who.user_id is not None else -1)
    visible = items.about_visible(who, Notification.item_type, Notification.item_id)
    return select(Notification).where(owner, visible)


def list_mine(
    db: Session, who: Principal, *, unread: bool | None, limit: int, offset: int
) -> tuple[list[NotificationRead], int]:
    """Newest first; a notification about an item the caller can no longer see is left out."""
    stmt = _mine(who)
    if unread is True:
        stmt = stmt.where(Notification.read_at.is_(None))  # type: ignore[union-attr]
    elif unread is False:
        stmt = stmt.where(Notification.read_at.is_not(None))  # type: ignore[union-attr]
    rows, total = fetch_page(
        db,
        stmt,
        order_by=(Notification.created_at.desc(), Notification.id.desc()),  # type: ignore[attr-defined,union-attr]
        limit=limit,
        offset=offset,
    )
    return [NotificationRead.model_validate(row) for row in rows], total


def mark_read(db: Session, who: Principal, notification_id: int) -> NotificationRead:
    """Idempotent: reading twice keeps the first time. Another's notification is a 404."""
    found = db.execute(_mine(who).where(Notification.id == notification_id)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"there is no notification {notification_id}")
    if found.read_at is None:
        found.read_at = utcnow()
        db.commit()
    return NotificationRead.model_validate(found)
