"""Webhooks (admin): create, read, change, delete; their delivery log; redeliver and test.

Callable from pages as from the API: every function takes the session and the principal,
raises domain errors and commits once."""

import base64
import json
import secrets
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from hindsight.schemas.enums import DeliveryStatus, WebhookEvent
from hindsight.schemas.webhooks import (
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)
from hindsight.service import idempotency
from hindsight.service.auth import Principal
from hindsight.service.columns import utcnow
from hindsight.service.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from hindsight.service.jobs import queue
from hindsight.service.pagination import fetch_page
from hindsight.service.teams import service as teams_service
from hindsight.service.webhooks import address
from hindsight.service.webhooks.models import Webhook, WebhookDelivery

DELIVER = "webhook.deliver"
SECRET_BYTES = 32  # within the spec's 24..64


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def to_read(hook: Webhook) -> WebhookRead:
    return WebhookRead.model_validate(hook)


def _check_url(url: str, *, allow_private: bool) -> None:
    try:
        address.resolve(url, allow_private=allow_private)
    except address.Refused as exc:
        raise ValidationFailed("body.url", str(exc)) from exc


def get(db: Session, who: Principal, webhook_id: int) -> Webhook:
    """Admins only reach here (the route's gate); a missing hook is a 404."""
    hook = db.get(Webhook, webhook_id)
    if hook is None:
        raise NotFound(f"there is no webhook {webhook_id}")
    return hook


def create(
    db: Session,
    who: Principal,
    payload: WebhookCreate,
    *,
    allow_private: bool,
    claim: idempotency.Claim | None,
) -> WebhookCreated:
    """Raises ValidationFailed for a URL that is not http(s) or reaches a private address,
    and for an unknown team."""
    _check_url(payload.url, allow_private=allow_private)
    if payload.team_id is not None:
        teams_service.require_existing(db, [payload.team_id], field="body.team_id")
    now = utcnow()
    hook = Webhook(
        url=payload.url,
        events=sorted({e.value for e in payload.events}),
        team_id=payload.team_id,
        description=payload.description,
        secret=new_secret(),
        created_at=now,
        updated_at=now,
    )
    db.add(hook)
    db.flush()
    created = WebhookCreated.model_validate({**to_read(hook).model_dump(), "secret": hook.secret})
    return idempotency.commit_created(db, claim, created)


def list_all(db: Session, who: Principal, *, limit: int, offset: int) -> tuple[list[Webhook], int]:
    return fetch_page(db, select(Webhook), order_by=(Webhook.id,), limit=limit, offset=offset)


def update_hook(
    db: Session,
    who: Principal,
    webhook_id: int,
    patch: WebhookUpdate,
    *,
    expected_version: int,
    allow_private: bool,
) -> WebhookRead:
    hook = get(db, who, webhook_id)
    changes: dict[str, Any] = patch.model_dump(exclude_unset=True)
    for name in ("url", "events", "active", "description"):
        if name in changes and changes[name] is None:
            raise ValidationFailed(f"body.{name}", f"{name} cannot be null")
    if "url" in changes:
        _check_url(changes["url"], allow_private=allow_private)
    if changes.get("team_id") is not None:
        teams_service.require_existing(db, [changes["team_id"]], field="body.team_id")
    if "events" in changes:
        changes["events"] = sorted({WebhookEvent(e).value for e in changes["events"]})
    if hook.version != expected_version:
        raise _stale(webhook_id, expected_version)
    result = db.execute(
        update(Webhook)
        .where(Webhook.id == webhook_id, Webhook.version == expected_version)  # type: ignore[arg-type]
        .values(**changes, version=expected_version + 1, updated_at=utcnow())
    )
    if result.rowcount == 0:
        raise _stale(webhook_id, expected_version)
    db.commit()
    db.expire_all()
    return to_read(get(db, who, webhook_id))


def delete_hook(db: Session, who: Principal, webhook_id: int, *, expected_version: int) -> None:
    """Its deliveries go with it; a job still queued for one finds nothing and ends."""
    hook = get(db, who, webhook_id)
    if hook.version != expected_version:
        raise _stale(webhook_id, expected_version)
    db.delete(hook)
    db.commit()


def deliveries(
    db: Session, who: Principal, webhook_id: int, *, limit: int, offset: int
) -> tuple[list[DeliveryRead], int]:
    """Newest first."""
    get(db, who, webhook_id)
    stmt = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
    rows, total = fetch_page(
        db,
        stmt,
        order_by=(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()),  # type: ignore[attr-defined,union-attr]
        limit=limit,
        offset=offset,
    )
    return [DeliveryRead.model_validate(row) for row in rows], total


def queue_delivery(
    db: Session,
    hook: Webhook,
    *,
    event: str,
    message_id: str,
    body: dict[str, Any],
    item: tuple[str, int] | None,
) -> bool:
    """Store a delivery and queue its first attempt, in the caller's transaction. The
    message id is derived from the event, so fanning one event out twice (a runner that died
    before recording it had) stores it once."""
    now = utcnow()
    values = {
        "webhook_id": hook.id,
        "event": event,
        "message_id": message_id,
        "item_type": item[0] if item else None,
        "item_id": item[1] if item else None,
        "body": json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        "status": DeliveryStatus.pending.value,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    table = WebhookDelivery.__table__  # type: ignore[attr-defined]
    if not queue.insert_once(db, table, values, unique=["message_id"]):
        return False
    delivery_id = db.execute(
        select(WebhookDelivery.id).where(WebhookDelivery.message_id == message_id)
    ).scalar_one()
    queue.enqueue(db, DELIVER, {"delivery_id": delivery_id})
    return True


def test(db: Session, who: Principal, webhook_id: int) -> DeliveryRead:
    """Queue a `ping` to the hook (sent even to an inactive hook: that is how an admin
    checks a receiver before turning the hook back on)."""
    hook = get(db, who, webhook_id)
    now = utcnow()
    message_id = "msg_" + secrets.token_hex(12)
    body = {"type": "ping", "timestamp": now.isoformat(), "data": {"webhook_id": hook.id}}
    queue_delivery(db, hook, event="ping", message_id=message_id, body=body, item=None)
    db.commit()
    row = db.execute(
        select(WebhookDelivery).where(WebhookDelivery.message_id == message_id)
    ).scalar_one()
    return DeliveryRead.model_validate(row)


def redeliver(db: Session, who: Principal, webhook_id: int, delivery_id: int) -> DeliveryRead:
    """Send a delivered or failed delivery again, now, with the same `webhook-id` and body.
    Raises Conflict when it is still pending (its next attempt is queued already)."""
    get(db, who, webhook_id)
    delivery = db.execute(
        select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.webhook_id == webhook_id
        )
    ).scalar_one_or_none()
    if delivery is None:
        raise NotFound(f"webhook {webhook_id} has no delivery {delivery_id}")
    if delivery.status == DeliveryStatus.pending:
        raise Conflict(
            f"delivery {delivery_id} is pending already; its next attempt is at "
            f"{delivery.next_attempt_at:%Y-%m-%dT%H:%M:%SZ}"
        )
    delivery.status = DeliveryStatus.pending.value
    delivery.next_attempt_at = utcnow()
    delivery.last_error = None
    queue.enqueue(db, DELIVER, {"delivery_id": delivery_id})
    db.commit()
    db.refresh(delivery)
    return DeliveryRead.model_validate(delivery)


def _stale(webhook_id: int, expected_version: int) -> PreconditionFailed:
    return PreconditionFailed(
        f"webhook {webhook_id} changed since version {expected_version}; read it again"
    )
