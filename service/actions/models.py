"""Actions: what someone will do about a lesson, by when, and the evidence that it was done."""

from datetime import date, datetime

from sqlalchemy import Date, Index
from sqlmodel import Field, SQLModel

from hindsight.service.columns import UTCDateTime, utcnow


class Action(SQLModel, table=True):
    __tablename__ = "actions"
    # "Overdue" is status open or in progress and a due date before today: one index serves it.
    __table_args__ = (Index("ix_actions_status_due_date", "status", "due_date"),)

    id: int | None = Field(default=None, primary_key=True)
    lesson_id: int = Field(foreign_key="lessons.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=300)
    description: str = Field(default="")
    # A name as well as an optional user: owners are often people without an account.
    owner_name: str = Field(max_length=200)
    owner_user_id: int | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="SET NULL"
    )
    due_date: date = Field(sa_type=Date)
    status: str = Field(default="open", max_length=20)
    evidence: str | None = Field(default=None)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
