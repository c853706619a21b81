"""API tokens: minted for oneself (or by an admin for anyone), listed, revoked."""

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import Session

from hindsight.schemas.tokens import TokenCreate, TokenCreated, TokenRead
from hindsight.service import idempotency
from hindsight.service.auth import Principal, hash_secret, new_secret
from hindsight.service.columns import utcnow
from hindsight.service.errors import BadRequest, Forbidden, NotFound, ValidationFailed
from hindsight.service.pagination import fetch_page
from hindsight.service.tokens.models import ApiToken
from hindsight.service.users.models import User


def _owner_for(db: Session, who: Principal, user_id: int | None) -> int:
    if user_id is None:
        if who.user_id is None:
            raise BadRequest(
                "the bootstrap admin key has no user of its own: pass user_id to mint a token"
            )
        return who.user_id
    if user_id != who.user_id and not who.is_admin:
        raise Forbidden("only admins create tokens for other users")
    if db.get(User, user_id) is None:
        raise ValidationFailed("body.user_id", f"there is no user {user_id}")
    return user_id


def _expiry(db: Session, who: Principal, asked: datetime | None, *, max_days: int) -> datetime:
    """When the new token expires: what was asked, within `max_days` and within the life of
    the token making it (a token must not mint a longer-lived one). Without a request, the
    latest moment allowed: the default is capped, an explicit request beyond a cap refused."""
    now = utcnow()
    latest, reason = now + timedelta(days=max_days), f"HINDSIGHT_TOKEN_MAX_DAYS is {max_days}"
    maker = db.get(ApiToken, who.token_id) if who.token_id is not None else None
    if maker is not None and maker.expires_at is not None and maker.expires_at < latest:
        latest = maker.expires_at
        reason = f"the token making it (token {maker.id}) expires then"
    if asked is None:
        return latest
    if asked <= now:
        raise ValidationFailed("body.expires_at", "expires_at must be in the future")
    if asked > latest:
        stamp = latest.isoformat(timespec="seconds").replace("+00:00", "Z")
        raise ValidationFailed(
            "body.expires_at", f"expires_at may be at most {stamp}, as {reason}; ask for less"
        )
    return asked


def create(
    db: Session,
    who: Principal,
    payload: TokenCreate,
    *,
    claim: idempotency.Claim | None,
    max_days: int,
) -> TokenCreated:
    """Mint a token; the returned secret is not stored and cannot be shown again."""
    owner_id = _owner_for(db, who, payload.user_id)
    expires_at = _expiry(db, who, payload.expires_at, max_days=max_days)
    secret = new_secret()
    token = ApiToken(
        name=payload.name,
        user_id=owner_id,
        secret_hash=hash_secret(secret),
        expires_at=expires_at,
    )
    db.add(token)
    db.flush()
    created = TokenCreated.model_validate({**token.model_dump(), "token": secret})
    return idempotency.commit_created(db, claim, created)


def list_for(
    db: Session, who: Principal, *, user_id: int | None, limit: int, offset: int
) -> tuple[list[TokenRead], int]:
    """The caller's own tokens; an admin may name another `user_id`."""
    owner = user_id if user_id is not None else who.user_id
    if owner != who.user_id and not who.is_admin:
        raise Forbidden("only admins list other users' tokens")
    stmt = select(ApiToken).where(ApiToken.user_id == owner)
    rows, total = fetch_page(
        db,
        stmt,
        order_by=(ApiToken.created_at.desc(), ApiToken.id.desc()),
        limit=limit,
        offset=offset,
    )
    return [TokenRead.model_validate(row) for row in rows], total


def revoke(db: Session, who: Principal, token_id: int) -> None:
    """Revoke a token of one's own (or any, as admin). Revoking twice is harmless."""
    token = db.get(ApiToken, token_id)
    if token is None or not (who.is_admin or token.user_id == who.user_id):
        raise NotFound(f"there is no token {token_id}")
    db.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    db.commit()
