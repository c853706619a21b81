"""Web sessions: signing in with an email and a password, finding the person behind a
cookie, and ending sessions. The cookie itself is HTTP's business (service/web/session.py).

Like tokens, a session is found by the SHA-256 of its secret and checked without writing:
no "last seen" stamp, so reading a page stays a read.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, bindparam, delete, select
from sqlmodel import Session

from hindsight.schemas.enums import Role
from hindsight.service.auth import Principal, hash_secret
from hindsight.service.columns import utcnow
from hindsight.service.sessions.models import WebSession
from hindsight.service.users import passwords
from hindsight.service.users.models import User, UserTeam


@dataclass(frozen=True)
class SignedIn:
    """A live session: whose it is, and the token its forms must carry."""

    principal: Principal
    session_id: int
    csrf_token: str


@dataclass(frozen=True)
class NewSession:
    secret: str  # goes into the cookie; only its hash is stored
    signed_in: SignedIn


_SESSION, _USER, _MEMBER = (
    WebSession.__table__,  # type: ignore[attr-defined]
    User.__table__,  # type: ignore[attr-defined]
    UserTeam.__table__,  # type: ignore[attr-defined]
)
_BY_SECRET = (
    select(
        _SESSION.c.id.label("session_id"),
        _SESSION.c.csrf_token,
        _SESSION.c.expires_at,
        _USER.c.id.label("user_id"),
        _USER.c.name,
        _USER.c.email,
        _USER.c.role,
        _USER.c.is_active,
    )
    .join(_USER, _USER.c.id == _SESSION.c.user_id)
    .where(_SESSION.c.secret_hash == bindparam("secret_hash"))
)
_TEAMS = select(_MEMBER.c.team_id).where(_MEMBER.c.user_id == bindparam("user_id"))


def _principal(db: Session | Connection, user: User) -> Principal:
    assert user.id is not None
    team_ids = db.execute(_TEAMS, {"user_id": user.id}).scalars()
    return Principal(
        user_id=user.id,
        name=user.name,
        email=user.email,
        role=Role(user.role),
        team_ids=frozenset(team_ids),
    )


def find(db: Session | Connection, secret: str | None) -> SignedIn | None:
    """The session behind a cookie's secret; None when unknown, expired, or its user is
    deactivated (the caller sends the person to sign in, without saying which)."""
    if not secret:
        return None
    row = db.execute(_BY_SECRET, {"secret_hash": hash_secret(secret)}).first()
    if row is None or row.expires_at <= utcnow() or not row.is_active:
        return None
    team_ids = db.execute(_TEAMS, {"user_id": row.user_id}).scalars()
    principal = Principal(
        user_id=row.user_id,
        name=row.name,
        email=row.email,
        role=Role(row.role),
        team_ids=frozenset(team_ids),
    )
    return SignedIn(principal=principal, session_id=row.session_id, csrf_token=row.csrf_token)


def sign_in(db: Session, email: str, password: str, *, lifetime: timedelta) -> NewSession | None:
    """A new session when `password` is the active user's of `email`; None otherwise, in the
    same time whether the email is unknown, the user deactivated or the password wrong."""
    user = db.execute(select(User).where(User.email == email.strip().lower())).scalar_one_or_none()
    matches = passwords.verify(password, user.password_hash if user else None)
    if user is None or not matches or not user.is_active:
        return None
    assert user.id is not None
    secret = secrets.token_urlsafe(32)
    row = WebSession(
        user_id=user.id,
        secret_hash=hash_secret(secret),
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utcnow() + lifetime,
    )
    db.add(row)
    # Expired sessions of this person go with the new one's commit, so the table stays small.
    db.execute(
        delete(WebSession).where(WebSession.user_id == user.id, WebSession.expires_at <= utcnow())
    )
    db.commit()
    assert row.id is not None
    signed_in = SignedIn(_principal(db, user), session_id=row.id, csrf_token=row.csrf_token)
    return NewSession(secret=secret, signed_in=signed_in)


def sign_out(db: Session, session_id: int) -> None:
    db.execute(delete(WebSession).where(WebSession.id == session_id))
    db.commit()


def end_all_for_user(db: Session, user_id: int, *, keep_session_id: int | None = None) -> None:
    """Ends a person's sessions (all but `keep_session_id`) in the caller's transaction."""
    stmt = delete(WebSession).where(WebSession.user_id == user_id)
    if keep_session_id is not None:
        stmt = stmt.where(WebSession.id != keep_session_id)
    db.execute(stmt)
