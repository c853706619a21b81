"""The audit log's one table. Rows are only ever inserted (see service.py and migration
0012, which on PostgreSQL refuses UPDATE and DELETE with a trigger)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from hindsight.service.columns import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_resource", "resource_type", "resource_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    # Copied, not a foreign key: the record outlives the user and the token.
    actor_user_id: int | None = Field(default=None, index=True)
    actor_name: str = Field(max_length=200)
    token_id: int | None = Field(default=None)
    action: str = Field(max_length=60, index=True)
    resource_type: str = Field(max_length=40)
    resource_id: str | None = Field(default=None, max_length=64)
    address: str | None = Field(default=None, max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
