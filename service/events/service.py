"""Domain events: "this happened", written in the transaction of the change itself.

`emit` only queues an `event` job; the job runner fans it out to the webhooks that listen
and to the subscriptions it may match (service/push). A change that rolls back takes its
event with it, and a committed change always has its event: there is no window between
the two for a crash to fall into.
"""

from datetime import date
from typing import Any

from sqlmodel import Session

from hindsight.schemas.enums import WebhookEvent
from hindsight.service.columns import utcnow
from hindsight.service.jobs import queue

JOB_KIND = "event"


def emit(
    db: Session,
    event: WebhookEvent,
    *,
    item_type: str,
    item_id: int,
    data: dict[str, Any],
    key: str | None = None,
) -> bool:
    """Queue `event` about one item in the caller's transaction (never commits). `data` is
    what receivers get (ids, titles, states: what anyone who may see the item may know);
    `key` makes a sweep's event happen once (e.g. "action.overdue:12:2026-12-03")."""
    payload = {
        "event": event.value,
        "item_type": item_type,
        "item_id": item_id,
        "data": {"id": item_id, **data},
        "occurred_at": utcnow().isoformat(),
    }
    return queue.enqueue(db, JOB_KIND, payload, key=key)


def day_key(event: WebhookEvent, item_id: int, day: date) -> str:
    """The unique key of an event of a daily sweep: one per item, event and day."""
    return f"{event.value}:{item_id}:{day.isoformat()}"
