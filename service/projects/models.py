"""Projects and the teams granted access to restricted ones."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from hindsight.service.columns import UTCDateTime, utcnow


class Project(SQLModel, table=True):
    __tablename__ = "projects"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    # The id in the system an item was imported from ("nasa-llis:1234"); makes imports idempotent.
    external_id: str | None = Field(default=None, max_length=200, unique=True)
    description: str = Field(default="")
    organisation: str = Field(default="", max_length=200)
    organisation_type: str = Field(max_length=40)
    population: str | None = Field(default=None, max_length=1000)
    scale: str | None = Field(default=None, max_length=1000)
    phase: str = Field(max_length=20)
    status: str = Field(max_length=20)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    owning_team_id: int = Field(foreign_key="teams.id", index=True)
    visibility: str = Field(max_length=20)
    # People as one would describe them to a newcomer: experience and actions, not titles.
    team_context: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    contacts: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    tags: list[str] = Field(default_factory=list, sa_type=JSON)
    topics: list[str] = Field(default_factory=list, sa_type=JSON)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProjectTeam(SQLModel, table=True):
    """A team granted access to a restricted project (a row, so access is a SQL subquery)."""

    __tablename__ = "project_teams"

    project_id: int = Field(foreign_key="projects.id", primary_key=True, ondelete="CASCADE")
    team_id: int = Field(foreign_key="teams.id", primary_key=True, index=True, ondelete="CASCADE")
