"""FastAPI dependencies shared by every router: session, principal, role gates, If-Match,
Idempotency-Key and paging. Each is one `Annotated` alias."""

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, Header, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from hindsight.schemas.common import MAX_ID
from hindsight.schemas.enums import Role
from hindsight.service import idempotency
from hindsight.service.audit import service as audit
from hindsight.service.auth import Principal, authenticate, is_bootstrap_key
from hindsight.service.db import open_session
from hindsight.service.errors import (
    BadRequest,
    Forbidden,
    PreconditionFailed,
    PreconditionRequired,
    TooManyRequests,
    Unauthenticated,
)
from hindsight.service.ratelimit import FailureLimiter
from hindsight.service.settings import Settings

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in the
# thread pool, a hop that costs more than what it does (measured on /v1/search).
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


# Body fields whose values the audit log keeps (who got which role, team or state); of the
# others it keeps only the names, never the values (texts, and secrets such as tokens).
_AUDITED_VALUES = (
    "role",
    "team_ids",
    "is_active",
    "user_id",
    "to",
    "status",
    "visibility",
    "owning_team_id",
)


async def _audit_detail(request: Request) -> dict[str, Any]:
    detail: dict[str, Any] = {"method": request.method, "path": request.url.path}
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError:
            body = None
        if isinstance(body, dict):
            detail["fields"] = sorted(body)
            detail.update({k: body[k] for k in _AUDITED_VALUES if k in body})
    return detail


async def get_audit_detail(request: Request) -> dict[str, Any] | None:
    return None if request.method in _READ_METHODS else await _audit_detail(request)


def get_session(
    request: Request,
    audit_detail: Annotated[dict[str, Any] | None, Depends(get_audit_detail)],
) -> Iterator[Session]:
    # Closing discards whatever the use case did not commit.
    with open_session(request.app.state.engine, write=request.method not in _READ_METHODS) as s:
        if audit_detail is not None:
            # Every write request is audited at its commit (service.audit.service).
            route = request.scope.get("route")
            ids = [v for k, v in request.path_params.items() if k.endswith("id")]
            audit.bind(
                s,
                action=getattr(route, "name", request.url.path),
                resource_type=(getattr(route, "tags", None) or ["api"])[0],
                resource_id=str(ids[-1]) if ids else None,
                address=client_address(request),
                detail=audit_detail,
            )
        yield s


AppSettings = Annotated[Settings, Depends(get_settings)]
DbSession = Annotated[Session, Depends(get_session)]

_bearer = HTTPBearer(auto_error=False, description="an API token or HINDSIGHT_ADMIN_TOKEN")


def client_address(request: Request) -> str:
    """The peer's address (uvicorn puts a trusted proxy's X-Forwarded-For there)."""
    return request.client.host if request.client else "unknown"


def _authenticate(request: Request, db: Session | Connection, secret: str | None) -> Principal:
    """The caller, with their address. A wrong token counts against the address; past the
    limit every token from it is refused (429), or a guesser would still learn which guess
    was right. A missing token is no guess and counts nothing."""
    settings: Settings = request.app.state.settings
    limiter: FailureLimiter = request.app.state.auth_failures
    address = client_address(request)
    wait = limiter.blocked_for(address)
    if wait is not None:
        raise TooManyRequests(
            f"too many wrong tokens from {address}; try again in {wait} seconds",
            retry_after=wait,
        )
    try:
        who = authenticate(db, secret, admin_secret=settings.admin_secret())
    except Unauthenticated as exc:
        if secret:
            limiter.failed(address)
            # The limiter bounds how many rows one address can make.
            detail = {"method": request.method, "path": request.url.path, "reason": exc.message}
            if isinstance(db, Session):
                audit.record_now(
                    db,
                    None,
                    "authentication_failed",
                    "tokens",
                    None,
                    address=address,
                    detail=detail,
                )
            else:
                audit.record_alone(
                    request.app.state.engine,
                    None,
                    "authentication_failed",
                    "tokens",
                    None,
                    address=address,
                    detail=detail,
                )
        raise
    who = replace(who, address=address)
    if isinstance(db, Session):
        audit.bind_principal(db, who)
    return who


def get_principal(
    request: Request,
    db: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    return _authenticate(request, db, credentials.credentials if credentials else None)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def get_principal_briefly(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, found in a read session closed at once. For routes that stream a large
    body in or out: the request's own session would keep a transaction open (on SQLite,
    for a POST, the write lock) for as long as the bytes take to travel. And for reads that
    need no session but the caller's (search): one thread-pool hop instead of three (the
    session's opening, the lookup, its closing)."""
    # A bare connection: the ORM session's machinery is most of a lookup's cost.
    with request.app.state.engine.connect() as conn:
        return _authenticate(request, conn, credentials.credentials if credentials else None)


StreamingPrincipal = Annotated[Principal, Depends(get_principal_briefly)]
BriefPrincipal = StreamingPrincipal  # the same, named for the read routes that use it


def caller_is_admin(
    request: Request,
    settings: AppSettings,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> bool:
    """For routes open to all that tell admins more: no token, or a bad one, is "no"."""
    if credentials is None:
        return False
    if is_bootstrap_key(credentials.credentials, settings.admin_secret()):
        return True
    try:
        return get_principal_briefly(request, credentials).is_admin
    except (Unauthenticated, TooManyRequests, SQLAlchemyError):
        # An unreachable database cannot vouch for a user token (the bootstrap key needs
        # none): the caller gets what anyone gets, and healthz still answers.
        return False


AdminAsking = Annotated[bool, Depends(caller_is_admin)]


def require(role: Role) -> Callable[[Principal], Principal]:
    """A gate: 403 unless the caller's role is `role` or above."""

    def gate(who: CurrentPrincipal) -> Principal:
        if not who.has_role(role):
            raise Forbidden(f"this needs the {role.value} role; you are {who.role.value}")
        return who

    gate.__name__ = f"require_{role.value}"
    return gate


def _admin_briefly(who: StreamingPrincipal) -> Principal:
    if not who.is_admin:
        raise Forbidden(f"this needs the admin role; you are {who.role.value}")
    return who


StreamingAdmin = Annotated[Principal, Depends(_admin_briefly)]
"""An admin gate over `StreamingPrincipal`, for bulk routes."""

Contributor = Annotated[Principal, Depends(require(Role.contributor))]
Reviewer = Annotated[Principal, Depends(require(Role.reviewer))]
Admin = Annotated[Principal, Depends(require(Role.admin))]

_ETAG = re.compile(r'^\s*(W/)?"?(\d{1,18})"?\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


def if_match_version(
    if_match: Annotated[
        str | None,
        Header(description='the version you last read, as served in ETag, e.g. "3"'),
    ] = None,
) -> int:
    """The version named by `If-Match`: 428 when missing, 400 when it is not a version, 412
    for a weak tag (`W/"3"`): If-Match compares strongly, so a weak tag matches no version."""
    if if_match is None:
        raise PreconditionRequired(
            'send If-Match with the version you last read (the ETag, e.g. If-Match: "3")'
        )
    match = _ETAG.match(if_match)
    if match is None:
        raise BadRequest(f'If-Match must be a version such as "3", not {if_match!r}')
    if match.group(1):
        raise PreconditionFailed(
            f"If-Match {if_match.strip()} is a weak tag, which never matches: send the strong "
            f'ETag as served, e.g. If-Match: "{match.group(2)}"'
        )
    return int(match.group(2))


IfMatch = Annotated[int, Depends(if_match_version)]


async def _request_fingerprint(request: Request) -> str:
    body = await request.body()
    return idempotency.fingerprint(request.method, request.url.path, body)


def idempotency_claim(
    db: DbSession,
    who: CurrentPrincipal,
    settings: AppSettings,
    fingerprint: Annotated[str, Depends(_request_fingerprint)],
    idempotency_key: Annotated[
        str | None,
        Header(description="retry-safe creates: the same key and body replay the first answer"),
    ] = None,
) -> idempotency.Claim | None:
    if idempotency_key is None:
        return None
    return idempotency.claim(
        db,
        scope=who.idempotency_scope,
        key=idempotency_key,
        fingerprint=fingerprint,
        ttl_hours=settings.idempotency_ttl_hours,
    )


IdempotencyClaim = Annotated[idempotency.Claim | None, Depends(idempotency_claim)]


IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="an id")]
"""Every `{..._id}` path parameter: an out-of-range number is a 422, never a driver error."""

IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]


class PageParams(BaseModel):
    limit: int = Field(20, ge=1, le=100, description="1 to 100")
    offset: int = Field(0, ge=0, le=MAX_ID)


Paging = Annotated[PageParams, Query()]
