from fastapi import APIRouter, Response

from hindsight.schemas.common import Page
from hindsight.schemas.webhooks import (
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)
from hindsight.service.deps import (
    Admin,
    AppSettings,
    DbSession,
    IdempotencyClaim,
    IdPath,
    IfMatch,
    Paging,
    etag,
)
from hindsight.service.webhooks import service as webhooks_service

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.post("", status_code=201, response_model=WebhookCreated)
def create_webhook(
    payload: WebhookCreate,
    response: Response,
    db: DbSession,
    who: Admin,
    settings: AppSettings,
    claim: IdempotencyClaim,
) -> WebhookCreated:
    """Register a receiver. The answer holds `secret` (`whsec_...`) once: keep it to verify
    signatures; it is never shown again. A URL that is not http(s), or whose host resolves
    to a private, loopback or link-local address, is a 422."""
    created = webhooks_service.create(
        db, who, payload, allow_private=settings.webhooks_allow_private, claim=claim
    )
    response.headers["ETag"] = etag(created.version)
    return created


@router.get("", response_model=Page[WebhookRead])
def list_webhooks(db: DbSession, who: Admin, page: Paging) -> Page[WebhookRead]:
    """Every webhook, oldest first; secrets are never listed."""
    rows, total = webhooks_service.list_all(db, who, limit=page.limit, offset=page.offset)
    items = [webhooks_service.to_read(row) for row in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{webhook_id}", response_model=WebhookRead)
def get_webhook(webhook_id: IdPath, response: Response, db: DbSession, who: Admin) -> WebhookRead:
    hook = webhooks_service.to_read(webhooks_service.get(db, who, webhook_id))
    response.headers["ETag"] = etag(hook.version)
    return hook


@router.patch("/{webhook_id}", response_model=WebhookRead)
def update_webhook(
    webhook_id: IdPath,
    patch: WebhookUpdate,
    response: Response,
    db: DbSession,
    who: Admin,
    settings: AppSettings,
    version: IfMatch,
) -> WebhookRead:
    """Change a hook (If-Match). `active: true` turns back on a hook a 410 turned off."""
    hook = webhooks_service.update_hook(
        db,
        who,
        webhook_id,
        patch,
        expected_version=version,
        allow_private=settings.webhooks_allow_private,
    )
    response.headers["ETag"] = etag(hook.version)
    return hook


@router.delete("/{webhook_id}", status_code=204)
def delete_webhook(webhook_id: IdPath, db: DbSession, who: Admin, version: IfMatch) -> Response:
    """Delete a hook and its delivery log (If-Match)."""
    webhooks_service.delete_hook(db, who, webhook_id, expected_version=version)
    return Response(status_code=204)


@router.post("/{webhook_id}/test", status_code=202, response_model=DeliveryRead)
def test_webhook(webhook_id: IdPath, db: DbSession, who: Admin) -> DeliveryRead:
    """Queue a `ping` to the hook; follow it in the delivery log."""
    return webhooks_service.test(db, who, webhook_id)


@router.get("/{webhook_id}/deliveries", response_model=Page[DeliveryRead])
def list_deliveries(
    webhook_id: IdPath, db: DbSession, who: Admin, page: Paging
) -> Page[DeliveryRead]:
    """The hook's delivery log, newest first."""
    items, total = webhooks_service.deliveries(
        db, who, webhook_id, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    response_model=DeliveryRead,
)
def redeliver(webhook_id: IdPath, delivery_id: IdPath, db: DbSession, who: Admin) -> DeliveryRead:
    """Send a delivered or failed delivery again now, with the same `webhook-id` and body
    (409 while it is still pending)."""
    return webhooks_service.redeliver(db, who, webhook_id, delivery_id)
