from fastapi import APIRouter, Response

from hindsight.schemas.common import Page
from hindsight.schemas.users import Me, PasswordChange, UserCreate, UserRead, UserUpdate
from hindsight.service.deps import (
    Admin,
    CurrentPrincipal,
    DbSession,
    IdempotencyClaim,
    IdPath,
    IfMatch,
    Paging,
    etag,
)
from hindsight.service.users import service as users_service

router = APIRouter(prefix="/users", tags=["users"])


@router.post("", status_code=201, response_model=UserRead)
def create_user(
    payload: UserCreate, response: Response, db: DbSession, who: Admin, claim: IdempotencyClaim
) -> UserRead:
    """Create a user (admins). Unknown `team_ids` are a 422; an email in use is a 409."""
    user = users_service.create(db, who, payload, claim=claim)
    response.headers["ETag"] = etag(user.version)
    return user


@router.get("", response_model=Page[UserRead])
def list_users(db: DbSession, who: Admin, page: Paging) -> Page[UserRead]:
    """Every user, by name (admins)."""
    rows, total = users_service.list_all(db, limit=page.limit, offset=page.offset)
    items = users_service.to_reads(db, list(rows))
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/me", response_model=Me)
def read_me(who: CurrentPrincipal) -> Me:
    """The caller, with role and teams. The bootstrap admin key answers with `id: null`."""
    return users_service.me(who)


@router.post("/me/password", status_code=204)
def set_my_password(payload: PasswordChange, db: DbSession, who: CurrentPrincipal) -> Response:
    """Set or change your own password (12 characters or more), with which you sign in to the
    web pages. Once a password is set, `current_password` must be the current one (a 422
    otherwise). Your web sessions end; API tokens keep working."""
    users_service.set_own_password(db, who, payload)
    return Response(status_code=204)


@router.get("/{user_id}", response_model=UserRead)
def get_user(user_id: IdPath, response: Response, db: DbSession, who: CurrentPrincipal) -> UserRead:
    """One user: admins see anyone, others only themselves (404 otherwise)."""
    user = users_service.to_read(db, users_service.get(db, who, user_id))
    response.headers["ETag"] = etag(user.version)
    return user


@router.patch("/{user_id}", response_model=UserRead)
def update_user(
    user_id: IdPath,
    patch: UserUpdate,
    response: Response,
    db: DbSession,
    who: Admin,
    version: IfMatch,
) -> UserRead:
    """Change a user's role, teams or details, or deactivate them (admins; needs If-Match)."""
    user = users_service.update_user(db, who, user_id, patch, expected_version=version)
    response.headers["ETag"] = etag(user.version)
    return user
