"""Sending: an event fanned out to the hooks that may see it, and each attempt of a delivery.

An attempt reads what it needs in a short read transaction, makes the HTTP request with no
transaction open (SQLite's write lock is never held across the network), then records the
answer. If the process dies after the receiver answered but before the answer is recorded,
the attempt is made again after the job's lease: same body, same `webhook-id`, so a
receiver that keeps the ids it has seen drops the copy (at least once, as API.md says).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, select, update
from sqlmodel import Session
from standardwebhooks import Webhook as Signer

from hindsight.schemas.enums import DeliveryStatus
from hindsight.service.columns import utcnow
from hindsight.service.db import session_scope
from hindsight.service.events import items
from hindsight.service.jobs.runner import Claimed, RetryLater
from hindsight.service.webhooks import address
from hindsight.service.webhooks import service as webhooks_service
from hindsight.service.webhooks.models import Webhook, WebhookDelivery

log = logging.getLogger("hindsight.webhooks")

# API.md: retried after about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h.
RETRY_AFTER = tuple(
    timedelta(seconds=s)
    for s in (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 24 * 3600)
)
TIMEOUT = 15.0
USER_AGENT = "Hindsight-Webhooks/1"


def hook_scope(hook: Webhook) -> Any:
    return items.reader_of(hook.team_id, name=f"webhook {hook.id}")


def fan_out(db: Session, base_url: str, job: Claimed) -> None:
    """Store one delivery per active hook that listens to the event and may see its item
    (in the caller's transaction)."""
    event, item_type, item_id = (
        job.payload["event"],
        job.payload["item_type"],
        job.payload["item_id"],
    )
    body = {
        "type": event,
        "timestamp": job.payload["occurred_at"],
        "data": {**job.payload["data"], "url": items.link(base_url, item_type, item_id)},
    }
    hooks = [
        h
        for h in db.execute(select(Webhook).where(Webhook.active)).scalars()  # type: ignore[arg-type]
        if event in h.events
    ]
    for hook in hooks:
        if not items.is_visible(db, hook_scope(hook), item_type, item_id):
            continue
        webhooks_service.queue_delivery(
            db,
            hook,
            event=event,
            message_id=f"msg_e{job.id}_h{hook.id}",
            body=body,
            item=(item_type, item_id),
        )


@dataclass(frozen=True)
class _Attempt:
    url: str
    secret: str
    message_id: str
    body: str
    attempts: int


def _prepare(engine: Engine, delivery_id: int) -> _Attempt | str | None:
    """What to send; a reason string when nothing may be sent; None when it is not due."""
    with session_scope(engine, write=False) as db:
        delivery = db.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.status != DeliveryStatus.pending:
            return None  # deleted with its hook, or finished by an earlier copy of this job
        hook = db.get_one(Webhook, delivery.webhook_id)
        if not hook.active and delivery.event != "ping":
            return "the webhook is inactive; nothing was sent"
        item = (delivery.item_type, delivery.item_id)
        if (
            item[0] is not None
            and item[1] is not None
            and not items.is_visible(db, hook_scope(hook), item[0], item[1])
        ):
            return "the item is no longer visible to this webhook's scope; nothing was sent"
        return _Attempt(
            hook.url, hook.secret, delivery.message_id, delivery.body, delivery.attempts
        )


def client() -> httpx.Client:
    """One client per runner, shared by its threads: building one loads the CA bundle (80 ms
    a delivery, measured), and keep-alive saves a connection per attempt to the same hook."""
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False)


def _post(
    http: httpx.Client, attempt: _Attempt, *, allow_private: bool
) -> tuple[int | None, str | None]:
    """POST once; the status code (None when there was no answer) and an error text."""
    try:
        target = address.resolve(attempt.url, allow_private=allow_private)
    except address.Refused as exc:
        return None, f"refused: {exc}"
    now = utcnow()
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": attempt.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Signer(attempt.secret).sign(attempt.message_id, now, attempt.body),
        "host": target.host if target.port in (80, 443) else f"{target.host}:{target.port}",
    }
    # Connect to the address that was checked, not to a fresh lookup of the name.
    ip = f"[{target.address}]" if ":" in target.address else target.address
    pinned = httpx.URL(attempt.url).copy_with(host=ip.strip("[]"))
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    try:
        response = http.post(
            pinned, content=attempt.body.encode(), headers=headers, extensions=extensions
        )
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"the receiver answered {response.status_code}"


def attempt(engine: Engine, http: httpx.Client, job: Claimed, *, allow_private: bool) -> None:
    """One attempt of a delivery; RetryLater with the next time of the schedule if it failed."""
    delivery_id = int(job.payload["delivery_id"])
    prepared = _prepare(engine, delivery_id)
    if prepared is None:
        return
    if isinstance(prepared, str):
        _record(
            engine,
            delivery_id,
            status=DeliveryStatus.failed,
            code=None,
            error=prepared,
            attempted=False,
        )
        return
    code, error = _post(http, prepared, allow_private=allow_private)
    attempts = prepared.attempts + 1
    if error is None:
        _record(engine, delivery_id, status=DeliveryStatus.delivered, code=code, error=None)
        return
    if code == 410:
        _record(
            engine,
            delivery_id,
            status=DeliveryStatus.failed,
            code=code,
            error="the receiver answered 410 Gone; the webhook is now inactive",
        )
        with session_scope(engine) as db:
            db.execute(
                update(Webhook)
                .where(
                    Webhook.id
                    == select(WebhookDelivery.webhook_id)
                    .where(WebhookDelivery.id == delivery_id)
                    .scalar_subquery()
                )
                .values(active=False, version=Webhook.version + 1, updated_at=utcnow())
            )
            db.commit()
        return
    if attempts > len(RETRY_AFTER):
        _record(engine, delivery_id, status=DeliveryStatus.failed, code=code, error=error)
        return
    next_at = utcnow() + RETRY_AFTER[attempts - 1]
    _record(
        engine, delivery_id, status=DeliveryStatus.pending, code=code, error=error, next_at=next_at
    )
    raise RetryLater(error, at=next_at)


def _record(
    engine: Engine,
    delivery_id: int,
    *,
    status: DeliveryStatus,
    code: int | None,
    error: str | None,
    next_at: datetime | None = None,
    attempted: bool = True,
) -> None:
    now = utcnow()
    values: dict[str, Any] = {
        "status": status.value,
        "last_status_code": code,
        "last_error": error,
        "next_attempt_at": next_at,
    }
    if attempted:
        values["attempts"] = WebhookDelivery.attempts + 1
    if status is DeliveryStatus.delivered:
        values["delivered_at"] = now
    with session_scope(engine) as db:
        db.execute(
            update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(**values)
        )  # type: ignore[arg-type]
        db.commit()
