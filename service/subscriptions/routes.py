import html
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import HTMLResponse

from hindsight.schemas.common import Page
from hindsight.schemas.subscriptions import (
    SubscriptionCreate,
    SubscriptionPreview,
    SubscriptionRead,
)
from hindsight.service.deps import (
    AppSettings,
    CurrentPrincipal,
    DbSession,
    IdempotencyClaim,
    IdPath,
    Paging,
)
from hindsight.service.subscriptions import service as subscriptions_service

router = APIRouter(prefix="/subscriptions", tags=["subscriptions"])

Token = Annotated[str, Query(min_length=1, max_length=200, description="from the email's link")]


@router.post("", status_code=201, response_model=SubscriptionRead)
def create_subscription(
    payload: SubscriptionCreate, db: DbSession, who: CurrentPrincipal, claim: IdempotencyClaim
) -> SubscriptionRead:
    """Subscribe to a search: new or newly published items that match it and that you may
    see are sent to your inbox (and mailed), one each (`immediate`) or as a daily or weekly
    digest."""
    return subscriptions_service.create(db, who, payload, claim=claim)


@router.get("", response_model=Page[SubscriptionRead])
def list_subscriptions(
    db: DbSession, who: CurrentPrincipal, page: Paging
) -> Page[SubscriptionRead]:
    """Your subscriptions, oldest first."""
    items, total = subscriptions_service.list_mine(db, who, limit=page.limit, offset=page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{subscription_id}", response_model=SubscriptionRead)
def get_subscription(
    subscription_id: IdPath, db: DbSession, who: CurrentPrincipal
) -> SubscriptionRead:
    return subscriptions_service.to_read(subscriptions_service.get_mine(db, who, subscription_id))


@router.delete("/{subscription_id}", status_code=204)
def delete_subscription(subscription_id: IdPath, db: DbSession, who: CurrentPrincipal) -> Response:
    subscriptions_service.delete_mine(db, who, subscription_id)
    return Response(status_code=204)


@router.get("/{subscription_id}/preview", response_model=SubscriptionPreview)
def preview_subscription(
    subscription_id: IdPath, db: DbSession, who: CurrentPrincipal, settings: AppSettings
) -> SubscriptionPreview:
    """What the next notification or digest would hold if it went now."""
    return subscriptions_service.preview(db, who, subscription_id, base_url=settings.public_url)


_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Hindsight: unsubscribe</title></head><body style="font-family:sans-serif;max-width:40em">
{content}</body></html>"""


@router.get("/{subscription_id}/unsubscribe", response_class=HTMLResponse, include_in_schema=False)
def confirm_unsubscribe(subscription_id: IdPath, token: Token, db: DbSession) -> HTMLResponse:
    """The email's link opens a page with one button, not the unsubscribing itself: mail
    scanners and link previews fetch links, and must not unsubscribe anyone."""
    row = subscriptions_service.by_token(db, subscription_id, token)
    form = (
        f"<h1>Unsubscribe from \u201c{html.escape(row.name)}\u201d?</h1>"
        f'<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">'
        f'<button type="submit">Unsubscribe</button></form>'
    )
    return HTMLResponse(_PAGE.format(content=form))


@router.post("/{subscription_id}/unsubscribe", response_class=HTMLResponse, include_in_schema=False)
def unsubscribe(subscription_id: IdPath, token: Token, db: DbSession) -> HTMLResponse:
    """RFC 8058 one-click: mail clients POST `List-Unsubscribe=One-Click` here; the token in
    the URL is the authority, so no sign-in (and no cookie, so no CSRF) is involved."""
    name = subscriptions_service.unsubscribe(db, subscription_id, token)
    done = f"<h1>Unsubscribed</h1><p>You get nothing more from \u201c{html.escape(name)}\u201d.</p>"
    return HTMLResponse(_PAGE.format(content=done))
