"""Users: created by admins, each with one role and any number of teams."""

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from hindsight.schemas.enums import Role
from hindsight.schemas.users import Me, PasswordChange, UserCreate, UserRead, UserUpdate
from hindsight.service import idempotency
from hindsight.service.auth import Principal
from hindsight.service.columns import utcnow
from hindsight.service.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from hindsight.service.pagination import fetch_page
from hindsight.service.sessions import service as sessions_service
from hindsight.service.teams import service as teams_service
from hindsight.service.users import passwords
from hindsight.service.users.models import User, UserTeam


def to_read(db: Session, user: User) -> UserRead:
    [read] = to_reads(db, [user])
    return read


def to_reads(db: Session, users: list[User]) -> list[UserRead]:
    """Read models of `users`, their teams fetched in one query for them all."""
    teams: dict[int, list[int]] = {user.id: [] for user in users if user.id is not None}
    if teams:
        stmt = (
            select(UserTeam.user_id, UserTeam.team_id)
            .where(UserTeam.user_id.in_(list(teams)))  # type: ignore[attr-defined]
            .order_by(UserTeam.team_id)
        )
        for user_id, team_id in db.execute(stmt):
            teams[user_id].append(team_id)
    return [
        UserRead.model_validate({**user.model_dump(), "team_ids": teams.get(user.id or 0, [])})
        for user in users
    ]


def get(db: Session, who: Principal, user_id: int) -> User:
    """A user the caller may see: admins see everyone, others only themselves (404 else)."""
    user = db.get(User, user_id)
    if user is None or not (who.is_admin or who.user_id == user_id):
        raise NotFound(f"there is no user {user_id}")
    return user


def principal_of(db: Session, user_id: int) -> Principal | None:
    """The user as a principal (role and teams), for work done on their behalf while they
    are away (their subscriptions, their email); None when deactivated or gone."""
    user = db.get(User, user_id)
    if user is None or not user.is_active:
        return None
    return Principal(
        user_id=user_id,
        name=user.name,
        email=user.email,
        role=Role(user.role),
        team_ids=frozenset(to_read(db, user).team_ids),
    )


def require_existing(db: Session, user_id: int, *, field: str) -> None:
    """For links to a user (an action's owner): a 422 naming `field` if there is none."""
    if db.execute(select(User.id).where(User.id == user_id)).scalar_one_or_none() is None:
        raise ValidationFailed(field, f"there is no user {user_id}")


def list_all(db: Session, *, limit: int, offset: int) -> tuple[list[User], int]:
    return fetch_page(db, select(User), order_by=(User.name, User.id), limit=limit, offset=offset)


def me(who: Principal) -> Me:
    return Me(
        id=who.user_id,
        name=who.name,
        email=who.email,
        role=who.role,
        team_ids=sorted(who.team_ids),
        is_bootstrap=who.is_bootstrap,
    )


def _email_clash(db: Session, email: str) -> Conflict:
    return Conflict(f"a user with email {email} exists already")


def create(
    db: Session, who: Principal, payload: UserCreate, *, claim: idempotency.Claim | None
) -> UserRead:
    team_ids = teams_service.require_existing(db, payload.team_ids, field="body.team_ids")
    email = payload.email.lower()
    if db.execute(select(User.id).where(User.email == email)).first() is not None:
        raise _email_clash(db, email)
    user = User(
        name=payload.name,
        email=email,
        role=payload.role.value,
        specialisms=payload.specialisms,
        years_experience=payload.years_experience,
        password_hash=(passwords.hash_password(payload.password) if payload.password else None),
    )
    db.add(user)
    try:
        db.flush()
    except IntegrityError as exc:
        raise _email_clash(db, email) from exc
    assert user.id is not None
    db.add_all(UserTeam(user_id=user.id, team_id=team_id) for team_id in team_ids)
    db.flush()
    return idempotency.commit_created(db, claim, to_read(db, user))


def update_user(
    db: Session, who: Principal, user_id: int, patch: UserUpdate, *, expected_version: int
) -> UserRead:
    get(db, who, user_id)
    changes = patch.model_dump(exclude_unset=True)
    team_ids = changes.pop("team_ids", None)
    for required in ("name", "role", "specialisms", "is_active"):
        if changes.get(required, "") is None:
            changes.pop(required)
    if "role" in changes:
        changes["role"] = changes["role"].value
    result = db.execute(
        update(User)
        .where(User.id == user_id, User.version == expected_version)
        .values(**changes, version=expected_version + 1, updated_at=utcnow())
    )
    if result.rowcount == 0:
        raise PreconditionFailed(
            f"user {user_id} changed since version {expected_version}; read it again"
        )
    if changes.get("is_active") is False:
        sessions_service.end_all_for_user(db, user_id)
    if team_ids is not None:
        wanted = teams_service.require_existing(db, team_ids, field="body.team_ids")
        db.execute(delete(UserTeam).where(UserTeam.user_id == user_id))
        db.add_all(UserTeam(user_id=user_id, team_id=team_id) for team_id in wanted)
    db.commit()
    db.expire_all()
    return to_read(db, get(db, who, user_id))


def set_own_password(
    db: Session, who: Principal, change: PasswordChange, *, keep_session_id: int | None = None
) -> None:
    """Sets or changes the caller's password. Once one is set, `current_password` must match
    (a 422 on that field otherwise). Every web session of the caller ends but
    `keep_session_id` (the browser that made the change), so a stolen session dies with the
    old password. The bootstrap admin key has no user to hold a password: a 400."""
    if who.user_id is None:
        raise BadRequest("the bootstrap admin key has no user; sign in as a user to set one")
    user = db.get(User, who.user_id)
    if user is None:
        raise NotFound(f"there is no user {who.user_id}")
    if user.password_hash is not None:
        current = change.current_password or ""
        if not current:
            raise ValidationFailed(
                "body.current_password", "enter your current password to change it"
            )
        if not passwords.verify(current, user.password_hash):
            raise ValidationFailed("body.current_password", "the current password is not right")
    _store_password(db, user, change.new_password, keep_session_id=keep_session_id)
    db.commit()


def set_password_of(db: Session, who: Principal, email: str, change: PasswordChange) -> User:
    """An admin sets someone's password (the command line's `users set-password`), without
    the current one; the person's web sessions end. NotFound for an unknown email."""
    if not who.is_admin:
        raise Forbidden("only admins set another person's password")
    user = db.execute(select(User).where(User.email == email.strip().lower())).scalar_one_or_none()
    if user is None:
        raise NotFound(f"there is no user with email {email}")
    _store_password(db, user, change.new_password, keep_session_id=None)
    db.commit()
    return user


def _store_password(db: Session, user: User, password: str, *, keep_session_id: int | None) -> None:
    assert user.id is not None
    user.password_hash = passwords.hash_password(password)
    user.version += 1
    user.updated_at = utcnow()
    sessions_service.end_all_for_user(db, user.id, keep_session_id=keep_session_id)
