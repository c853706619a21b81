from datetime import datetime

from sqlmodel import Field, SQLModel

from hindsight.service.columns import UTCDateTime, utcnow


class OutboxEntry(SQLModel, table=True):
    """One searchable change, committed with the change itself; the indexer deletes it."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    entity_type: str = Field(max_length=30)
    entity_id: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
