"""Subscriptions (each person's own): create, list, read, delete, preview, unsubscribe."""

import hmac
import secrets
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from hindsight.schemas.subscriptions import (
    PreviewItem,
    SubscriptionCreate,
    SubscriptionPreview,
    SubscriptionRead,
)
from hindsight.search.base import InvalidQuery
from hindsight.search.query import parse
from hindsight.service import idempotency
from hindsight.service.auth import Principal
from hindsight.service.columns import utcnow
from hindsight.service.errors import NotFound, ValidationFailed
from hindsight.service.events import items
from hindsight.service.pagination import fetch_page
from hindsight.service.subscriptions.models import Subscription, SubscriptionMatch


def to_read(row: Subscription) -> SubscriptionRead:
    return SubscriptionRead.model_validate(row)


def _person(who: Principal) -> int:
    if who.user_id is None:
        raise ValidationFailed(
            "authorization", "the bootstrap admin key is no person; subscribe with a user's token"
        )
    return who.user_id


def create(
    db: Session, who: Principal, payload: SubscriptionCreate, *, claim: idempotency.Claim | None
) -> SubscriptionRead:
    """Raises ValidationFailed for a query past the search limits and for the bootstrap key."""
    user_id = _person(who)
    try:
        parse(payload.q)
    except InvalidQuery as exc:
        raise ValidationFailed("body.q", f"the query cannot be used: {exc}") from exc
    row = Subscription(
        user_id=user_id,
        name=payload.name,
        q=payload.q,
        filters=payload.filters.model_dump(mode="json", exclude_none=True),
        frequency=payload.frequency.value,
        unsubscribe_token=secrets.token_urlsafe(32),
        created_at=utcnow(),
    )
    db.add(row)
    db.flush()
    return idempotency.commit_created(db, claim, to_read(row))


def get_mine(db: Session, who: Principal, subscription_id: int) -> Subscription:
    """Another person's subscription is a 404, as a missing one."""
    row = db.get(Subscription, subscription_id)
    if row is None or row.user_id != who.user_id:
        raise NotFound(f"there is no subscription {subscription_id}")
    return row


def list_mine(
    db: Session, who: Principal, *, limit: int, offset: int
) -> tuple[list[SubscriptionRead], int]:
    stmt = select(Subscription).where(Subscription.user_id == (who.user_id or -1))
    rows, total = fetch_page(
        db, stmt, order_by=(Subscription.created_at, Subscription.id), limit=limit, offset=offset
    )
    return [to_read(row) for row in rows], total


def delete_mine(db: Session, who: Principal, subscription_id: int) -> None:
    db.delete(get_mine(db, who, subscription_id))
    db.commit()


def pending_items(
    db: Session, who: Principal, subscription_id: int, base_url: str
) -> list[PreviewItem]:
    """Matched items not sent yet that `who` may see now, oldest match first."""
    rows = db.execute(
        select(SubscriptionMatch)
        .where(
            SubscriptionMatch.subscription_id == subscription_id,
            SubscriptionMatch.notified_at.is_(None),  # type: ignore[union-attr]
        )
        .order_by(SubscriptionMatch.matched_at, SubscriptionMatch.id)  # type: ignore[arg-type]
    ).scalars()
    out = []
    for match in rows:
        title = items.title_of(db, who, match.item_type, match.item_id)
        if title is not None:
            link = items.link(base_url, match.item_type, match.item_id)
            out.append(PreviewItem(type=match.item_type, id=match.item_id, title=title, link=link))
    return out


def preview(
    db: Session, who: Principal, subscription_id: int, *, base_url: str
) -> SubscriptionPreview:
    """What the next notification or digest would hold if it went now: the matches not
    sent yet, as the caller may see them now."""
    row = get_mine(db, who, subscription_id)
    assert row.id is not None
    return SubscriptionPreview(
        subscription_id=row.id,
        frequency=row.frequency,  # type: ignore[arg-type]
        items=pending_items(db, who, row.id, base_url),
    )


def unsubscribe_url(db: Session, base_url: str, subscription_id: int) -> str | None:
    row = db.get(Subscription, subscription_id)
    if row is None:
        return None
    return (
        f"{base_url.rstrip('/')}/v1/subscriptions/{subscription_id}/unsubscribe"
        f"?token={row.unsubscribe_token}"
    )


def by_token(db: Session, subscription_id: int, token: str) -> Subscription:
    """The subscription an unsubscribe link names; NotFound for a wrong token (compared in
    constant time) or a subscription already gone."""
    row = db.get(Subscription, subscription_id)
    if row is None or not hmac.compare_digest(row.unsubscribe_token.encode(), token.encode()):
        raise NotFound("this unsubscribe link is not valid, or you are unsubscribed already")
    return row


def unsubscribe(db: Session, subscription_id: int, token: str) -> str:
    """Delete the subscription of a valid link; returns its name."""
    row = by_token(db, subscription_id, token)
    name = row.name
    db.delete(row)
    db.commit()
    return name


def filters_of(row: Subscription) -> dict[str, Any]:
    return dict(row.filters or {})
