from fastapi import APIRouter, Response

from hindsight.schemas.common import Page
from hindsight.schemas.tokens import TokenCreate, TokenCreated, TokenRead
from hindsight.service.deps import (
    AppSettings,
    CurrentPrincipal,
    DbSession,
    IdempotencyClaim,
    IdPath,
    IdQuery,
    Paging,
)
from hindsight.service.tokens import service as tokens_service

router = APIRouter(prefix="/tokens", tags=["tokens"])


@router.post("", status_code=201, response_model=TokenCreated)
def create_token(
    payload: TokenCreate,
    db: DbSession,
    who: CurrentPrincipal,
    claim: IdempotencyClaim,
    settings: AppSettings,
) -> TokenCreated:
    """Mint an API token. `token` in the answer is the secret: it is shown only here.
    Admins may pass another `user_id`; the bootstrap key must. Every token expires: by
    default after `HINDSIGHT_TOKEN_MAX_DAYS` (365), never after the token making it; an
    `expires_at` beyond either is a 422 that names the latest moment allowed."""
    return tokens_service.create(db, who, payload, claim=claim, max_days=settings.token_max_days)


@router.get("", response_model=Page[TokenRead])
def list_tokens(
    db: DbSession,
    who: CurrentPrincipal,
    page: Paging,
    user_id: IdQuery = None,
) -> Page[TokenRead]:
    """The caller's tokens, newest first, without their secrets."""
    items, total = tokens_service.list_for(
        db, who, user_id=user_id, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.delete("/{token_id}", status_code=204, response_class=Response)
def revoke_token(token_id: IdPath, db: DbSession, who: CurrentPrincipal) -> Response:
    """Revoke a token: it is refused from the next request on. Owner or admin."""
    tokens_service.revoke(db, who, token_id)
    return Response(status_code=204)
