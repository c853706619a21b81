from datetime import datetime

from sqlmodel import Field, SQLModel

from hindsight.service.columns import UTCDateTime, utcnow


class WebSession(SQLModel, table=True):
    """A signed-in browser. Only the SHA-256 of the cookie's secret is kept; the row's
    removal (signing out, deactivation, a new password) ends the session at once."""

    __tablename__ = "web_sessions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    secret_hash: str = Field(max_length=64, unique=True)
    csrf_token: str = Field(max_length=64)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
