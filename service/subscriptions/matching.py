"""Which subscriptions a new or newly published item matches, and what they are sent.

Matching asks the search index, so a subscription means exactly what the same search would
find (the query language, the filters and the subscriber's visibility, all inside the index
query), never a second reading of the query. The index query is narrowed to the item's type
and its creation time (±2 s), so it looks at a handful of documents; the item is matched when
it is among the hits. An item still waiting in the outbox is not searchable yet: the job
comes back half a second later.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlmodel import Session

from hindsight.schemas.enums import Frequency, NotificationKind, WebhookEvent
from hindsight.search.base import AccessScope, SearchBackend, SearchFilters, SearchQuery
from hindsight.service.assets.models import Asset
from hindsight.service.auth import Principal
from hindsight.service.columns import utcnow
from hindsight.service.db import session_scope
from hindsight.service.events import items
from hindsight.service.jobs import queue
from hindsight.service.jobs.runner import Claimed, RetryLater
from hindsight.service.lessons import service as lessons_service
from hindsight.service.lessons.models import Lesson
from hindsight.service.notifications import service as notifications_service
from hindsight.service.outbox.models import OutboxEntry
from hindsight.service.search.scope import scope_for
from hindsight.service.subscriptions import service as subscriptions_service
from hindsight.service.subscriptions.models import Subscription, SubscriptionMatch
from hindsight.service.users import service as users_service

MATCH = "subscriptions.match"
# Events that make an item new to its readers.
_NEW_ITEMS = {WebhookEvent.lesson_created.value, WebhookEvent.asset_published.value}
_WINDOW = timedelta(seconds=2)
_NOT_INDEXED_WAIT = timedelta(seconds=0.5)
_CREATED = {"lesson": Lesson, "asset": Asset}


def queue_matches(db: Session, event_job: Claimed) -> None:
    """For an event that makes items new (a lesson created, an asset published with its
    lessons), queue a match of each item, once per event (in the caller's transaction)."""
    payload = event_job.payload
    if payload["event"] not in _NEW_ITEMS:
        return
    found = [(payload["item_type"], int(payload["item_id"]))]
    if payload["item_type"] == "asset":
        found += [("lesson", i) for i in lessons_service.ids_of_asset(db, int(payload["item_id"]))]
    for item_type, item_id in found:
        key = f"{MATCH}:{event_job.id}:{item_type}:{item_id}"
        queue.enqueue(db, MATCH, {"item_type": item_type, "item_id": item_id}, key=key)


def _filters(row: Subscription, item_type: str, created: datetime) -> SearchFilters | None:
    wanted = subscriptions_service.filters_of(row)
    if wanted.get("type") not in (None, item_type):
        return None
    wanted.pop("type", None)
    return SearchFilters(
        type=item_type,  # type: ignore[arg-type]
        created_from=created - _WINDOW,
        created_to=created + _WINDOW,
        **wanted,
    )


def _hits(
    backend: SearchBackend, row: Subscription, scope: AccessScope, filters: SearchFilters
) -> set[tuple[str, int]]:
    found: set[tuple[str, int]] = set()
    for offset in range(0, 1000, 100):
        query = SearchQuery(q=row.q, filters=filters, sort="newest", limit=100, offset=offset)
        result = backend.search(query, scope)
        found |= {(hit.type, hit.id) for hit in result.hits}
        if offset + 100 >= result.total:
            break
    return found


def match(engine: Engine, backend: SearchBackend, base_url: str, job: Claimed) -> None:
    item_type, item_id = job.payload["item_type"], int(job.payload["item_id"])
    model = _CREATED.get(item_type)
    if model is None:
        return
    with session_scope(engine, write=False) as db:
        waiting = db.execute(
            select(OutboxEntry.id)
            .where(OutboxEntry.entity_type == item_type, OutboxEntry.entity_id == item_id)
            .limit(1)
        ).first()
        if waiting is not None:
            raise RetryLater("the item is not indexed yet", at=utcnow() + _NOT_INDEXED_WAIT)
        created = db.execute(select(model.created_at).where(model.id == item_id)).scalar()  # type: ignore[attr-defined]
        subscriptions = list(db.execute(select(Subscription).order_by(Subscription.id)).scalars())
    if created is None:
        return  # deleted meanwhile
    for row in subscriptions:
        filters = _filters(row, item_type, created)
        if filters is None:
            continue
        with session_scope(engine, write=False) as db:
            who = users_service.principal_of(db, row.user_id)
        if who is None or (item_type, item_id) not in _hits(backend, row, scope_for(who), filters):
            continue
        with session_scope(engine) as db:
            new = queue.insert_once(
                db,
                SubscriptionMatch.__table__,  # type: ignore[attr-defined]
                {
                    "subscription_id": row.id,
                    "item_type": item_type,
                    "item_id": item_id,
                    "matched_at": utcnow(),
                },
                unique=["subscription_id", "item_type", "item_id"],
            )
            if new and row.frequency == Frequency.immediate:
                _notify_now(db, who, row, item_type, item_id, base_url)
            db.commit()


def _notify_now(
    db: Session, who: Principal, row: Subscription, item_type: str, item_id: int, base_url: str
) -> None:
    title = items.title_of(db, who, item_type, item_id) or ""
    link = items.link(base_url, item_type, item_id)
    assert row.id is not None
    notifications_service.notify(
        db,
        user_id=row.user_id,
        kind=NotificationKind.subscription,
        key=f"subscription:{row.id}:{item_type}:{item_id}",
        subject=f"New {item_type} for \u201c{row.name}\u201d: {title}",
        body=f"A {item_type} matching your subscription \u201c{row.name}\u201d: {title}",
        link=link,
        item=(item_type, item_id),
        subscription_id=row.id,
    )
    _mark_sent(db, row.id, item_type, item_id)


def _mark_sent(db: Session, subscription_id: int, item_type: str, item_id: int) -> None:
    db.execute(
        update(SubscriptionMatch)
        .where(
            SubscriptionMatch.subscription_id == subscription_id,  # type: ignore[arg-type]
            SubscriptionMatch.item_type == item_type,  # type: ignore[arg-type]
            SubscriptionMatch.item_id == item_id,  # type: ignore[arg-type]
        )
        .values(notified_at=utcnow())
    )


def period_of(frequency: str, day: date) -> str | None:
    """The digest period `day` falls in: the day itself, or its ISO week."""
    if frequency == Frequency.daily:
        return day.isoformat()
    if frequency == Frequency.weekly:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return None


def send_digests(engine: Engine, base_url: str, day: date) -> int:
    """One digest per daily subscription per day and per weekly one per ISO week (the key
    says which), holding the matches not sent yet that the subscriber may see now."""
    sent = 0
    with session_scope(engine, write=False) as db:
        digests = select(Subscription).where(Subscription.frequency != Frequency.immediate.value)  # type: ignore[arg-type]
        rows = list(db.execute(digests.order_by(Subscription.id)).scalars())  # type: ignore[arg-type]
    for row in rows:
        period = period_of(row.frequency, day)
        if period is None:
            continue
        assert row.id is not None
        with session_scope(engine) as db:
            who = users_service.principal_of(db, row.user_id)
            if who is None:
                continue
            pending = subscriptions_service.pending_items(db, who, row.id, base_url)
            if not pending:
                continue
            lines = [f"- {item.title} ({item.type})\n  {item.link}" for item in pending]
            plural = "s" if len(pending) != 1 else ""
            new = notifications_service.notify(
                db,
                user_id=row.user_id,
                kind=NotificationKind.digest,
                key=f"digest:{row.id}:{period}",
                subject=f"{len(pending)} new item{plural} for \u201c{row.name}\u201d",
                body=f"New since the last digest of \u201c{row.name}\u201d:\n\n" + "\n".join(lines),
                link=None,
                subscription_id=row.id,
            )
            if new:
                for item in pending:
                    _mark_sent(db, row.id, item.type, item.id)
                sent += 1
            db.commit()
    return sent
