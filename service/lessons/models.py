"""Lessons, with their own access: a lesson stands alone (no asset) or sits in an asset.

In an asset, the owning team and project are the asset's (kept in step by
`lessons.service.follow_asset`), and the lesson's visibility and teams are the asset's or
narrower; every read also requires the asset to be visible, so a lesson is never wider."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from hindsight.service.columns import UTCDateTime, utcnow


class Lesson(SQLModel, table=True):
    __tablename__ = "lessons"

    id: int | None = Field(default=None, primary_key=True)
    # None for a standalone lesson (logged on its own, or pushed in by another system).
    asset_id: int | None = Field(
        default=None, foreign_key="assets.id", index=True, ondelete="CASCADE"
    )
    owning_team_id: int = Field(foreign_key="teams.id", index=True)
    project_id: int | None = Field(default=None, foreign_key="projects.id", index=True)
    visibility: str = Field(max_length=20)
    # The id in the system an item was imported from ("nasa-llis:1234"); makes imports idempotent.
    external_id: str | None = Field(default=None, max_length=200, unique=True)
    title: str = Field(max_length=300)
    observation: str = Field(default="")
    analysis: str = Field(default="")
    five_whys: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    root_cause_description: str | None = Field(default=None)
    root_cause_category: str | None = Field(default=None, max_length=40, index=True)
    lesson: str
    recommendation: str = Field(default="")
    polarity: str = Field(max_length=20, index=True)
    impact: str = Field(max_length=10)
    applicability: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    tags: list[str] = Field(default_factory=list, sa_type=JSON)
    status: str = Field(default="identified", max_length=20, index=True)
    status_reason: str | None = Field(default=None)
    evidence_of_change: str | None = Field(default=None)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    learned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LessonLabel(SQLModel, table=True):
    """A tag or applicability topic of a lesson, as a row for indexed filters."""

    __tablename__ = "lesson_labels"
    __table_args__ = (Index("ix_lesson_labels_facet_value", "facet", "value"),)

    lesson_id: int = Field(foreign_key="lessons.id", primary_key=True, ondelete="CASCADE")
    facet: str = Field(max_length=10, primary_key=True)
    value: str = Field(max_length=100, primary_key=True)


class LessonTeam(SQLModel, table=True):
    """A team granted access to a restricted lesson."""

    __tablename__ = "lesson_teams"

    lesson_id: int = Field(foreign_key="lessons.id", primary_key=True, ondelete="CASCADE")
    team_id: int = Field(foreign_key="teams.id", primary_key=True, index=True, ondelete="CASCADE")
