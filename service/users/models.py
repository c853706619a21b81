from datetime import datetime

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from hindsight.service.columns import UTCDateTime, utcnow


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    email: str = Field(max_length=320, unique=True)
    role: str = Field(max_length=20)
    specialisms: list[str] = Field(default_factory=list, sa_type=JSON)
    years_experience: int | None = None
    is_active: bool = Field(default=True)
    # An Argon2 hash (users/passwords.py); None until a password is set. Never served.
    password_hash: str | None = Field(default=None, max_length=255)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class UserTeam(SQLModel, table=True):
    """Membership: a user belongs to any number of teams."""

    __tablename__ = "user_teams"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    team_id: int = Field(foreign_key="teams.id", primary_key=True, index=True, ondelete="CASCADE")
