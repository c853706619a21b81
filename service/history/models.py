"""Earlier versions of projects, assets and lessons: one row per change."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from hindsight.service.columns import UTCDateTime, utcnow


class VersionRecord(SQLModel, table=True):
    __tablename__ = "versions"
    # One snapshot per version: the If-Match test makes a second writer fail first.
    __table_args__ = (UniqueConstraint("entity_type", "entity_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    entity_type: str = Field(max_length=20)
    entity_id: int
    version: int
    # A name as well as an id: the bootstrap admin has no user row, and users get renamed.
    changed_by_id: int | None = Field(default=None)
    changed_by_name: str = Field(max_length=200)
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    changed_fields: list[str] = Field(default_factory=list, sa_type=JSON)
    comment: str = Field(default="")
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
