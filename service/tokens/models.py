from datetime import datetime

from sqlmodel import Field, SQLModel

from hindsight.service.columns import UTCDateTime, utcnow


class ApiToken(SQLModel, table=True):
    """Only the SHA-256 of the secret is kept; the secret itself is shown once."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    secret_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
