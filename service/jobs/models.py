"""The job queue: work that must happen after a commit, as rows written in that commit."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from hindsight.service.columns import UTCDateTime, utcnow


class Job(SQLModel, table=True):
    """One piece of background work. `pending` rows are due at `run_at`; a `running` row
    belongs to `claimed_by` until `lease_until`, after which any runner may take it again
    (its process died mid-job)."""

    __tablename__ = "jobs"
    # The runner's one question, "what is due?", reads this index only.
    __table_args__ = (Index("ix_jobs_status_run_at", "status", "run_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=60)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # Work that must happen once however often it is asked for (a sweep of a day) has a key.
    key: str | None = Field(default=None, max_length=200, unique=True)
    status: str = Field(default="pending", max_length=20)
    attempts: int = Field(default=0)
    run_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=100)
    last_error: str | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
