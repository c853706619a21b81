"""Applications: a lesson considered by a later project, the decision and what came of it."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from hindsight.service.columns import UTCDateTime, utcnow


class Application(SQLModel, table=True):
    __tablename__ = "applications"
    # One decision per lesson and due-diligence check: re-posting a check's decisions updates
    # them. (Applications recorded without a check have a NULL there, which never collides.)
    __table_args__ = (UniqueConstraint("due_diligence_id", "lesson_id"),)

    id: int | None = Field(default=None, primary_key=True)
    lesson_id: int = Field(foreign_key="lessons.id", index=True, ondelete="CASCADE")
    project_id: int = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    due_diligence_id: int | None = Field(
        default=None, foreign_key="due_diligence_checks.id", ondelete="SET NULL"
    )
    decision: str = Field(max_length=20)
    note: str = Field(default="")
    outcome: str = Field(default="pending", max_length=20)
    outcome_note: str = Field(default="")
    created_by_id: int | None = Field(default=None)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
