"""Who is calling: the principal behind a bearer token, and what its role allows.

Authentication only reads: it never writes to the database (no "last used" stamp, no
get-or-create), so a read request stays a read.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from sqlalchemy import Connection, bindparam, select
from sqlmodel import Session

from hindsight.schemas.enums import Role
from hindsight.service.columns import utcnow
from hindsight.service.errors import Unauthenticated
from hindsight.service.tokens.models import ApiToken
from hindsight.service.users.models import User, UserTeam

TOKEN_PREFIX = "hs_"


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    # Secrets carry 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    user_id: int | None
    name: str
    role: Role
    team_ids: frozenset[int] = field(default_factory=frozenset)
    email: str | None = None
    token_id: int | None = None
    is_bootstrap: bool = False
    # The client's address, for the audit log; set by the HTTP layer, None elsewhere (CLI).
    address: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    def has_role(self, role: Role) -> bool:
        return self.role.rank >= role.rank

    def in_team(self, team_id: int | None) -> bool:
        return team_id is not None and team_id in self.team_ids

    @property
    def idempotency_scope(self) -> str:
        """Keys are per caller: two callers may pick the same key without colliding."""
        return "bootstrap" if self.user_id is None else f"user:{self.user_id}"


BOOTSTRAP_ADMIN = Principal(
    user_id=None, name="bootstrap admin", role=Role.admin, is_bootstrap=True
)


# Built once: every request authenticates, and building a select costs as much as running it
# on SQLite (measured on /v1/search). Core tables, not entities: nothing to map back.
_TOKEN, _USER, _MEMBER = ApiToken.__table__, User.__table__, UserTeam.__table__  # type: ignore[attr-defined]
_BY_SECRET = (
    select(
        _TOKEN.c.id.label("token_id"),
        _TOKEN.c.revoked_at,
        _TOKEN.c.expires_at,
        _USER.c.id.label("user_id"),
        _USER.c.name,
        _USER.c.email,
        _USER.c.role,
        _USER.c.is_active,
    )
    .join(_USER, _USER.c.id == _TOKEN.c.user_id)
    .where(_TOKEN.c.secret_hash == bindparam("secret_hash"))
)
_TEAMS = select(_MEMBER.c.team_id).where(_MEMBER.c.user_id == bindparam("user_id"))


def is_bootstrap_key(secret: str, admin_secret: str | None) -> bool:
    """Checked without the database, so it holds while the database is down."""
    return bool(admin_secret) and hmac.compare_digest(secret.encode(), admin_secret.encode())  # type: ignore[union-attr]


def authenticate(
    db: Session | Connection, secret: str | None, *, admin_secret: str | None
) -> Principal:
    """The principal for `secret`; raises Unauthenticated for missing, unknown, expired or
    revoked tokens and for deactivated users, without saying which (no oracle for guessing)."""
    if not secret:
        raise Unauthenticated("send an API token as 'Authorization: Bearer <token>'")
    if is_bootstrap_key(secret, admin_secret):
        return BOOTSTRAP_ADMIN
    row = db.execute(_BY_SECRET, {"secret_hash": hash_secret(secret)}).first()
    if row is None:
        raise Unauthenticated("the token is not valid; ask an admin for a new one")
    now = utcnow()
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        raise Unauthenticated("the token is revoked or expired; create a new one")
    if not row.is_active:
        raise Unauthenticated("this user is deactivated; ask an admin")
    team_ids = db.execute(_TEAMS, {"user_id": row.user_id}).scalars()
    return Principal(
        user_id=row.user_id,
        name=row.name,
        email=row.email,
        role=Role(row.role),
        team_ids=frozenset(team_ids),
        token_id=row.token_id,
    )
