"""Due-diligence checks: a new project's description and exactly what the check showed."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from hindsight.service.columns import UTCDateTime, utcnow


class DueDiligenceCheck(SQLModel, table=True):
    __tablename__ = "due_diligence_checks"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    project_id: int | None = Field(
        default=None, foreign_key="projects.id", index=True, ondelete="SET NULL"
    )
    # The caller's team at the time: who ran the check may see it again.
    team_id: int | None = Field(default=None, foreign_key="teams.id", index=True)
    # The request as sent (title, description, phase, topics, organisation type).
    request: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # Exactly what the check showed: the weighted terms and the ranked results.
    results: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # A name as well as an id: the bootstrap admin has no user row, and users get renamed.
    created_by_id: int | None = Field(default=None, index=True)
    created_by_name: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
