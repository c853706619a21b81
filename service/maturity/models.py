"""Maturity tables. A framework version and an assessment's scores are each one JSON
document: they are written and read whole, and validated as a whole (pydantic plus the rules
in `frameworks.py`), so splitting them into rows would buy joins and no queries we need."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from hindsight.service.columns import UTCDateTime, utcnow


class Framework(SQLModel, table=True):
    """One version of a framework. Versions are never edited: a change is a new version, so
    an assessment keeps meaning what it meant when it was scored."""

    __tablename__ = "maturity_frameworks"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, index=True)
    version: int
    name: str = Field(max_length=300)
    source: str = Field(default="")
    # {description, levels: [...], outcomes: [...]} as in schemas.maturity.FrameworkCreate.
    document: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Assessment(SQLModel, table=True):
    __tablename__ = "maturity_assessments"

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="maturity_frameworks.id", index=True)
    team_id: int = Field(foreign_key="teams.id", index=True, ondelete="CASCADE")
    assessed_at: datetime = Field(sa_type=UTCDateTime, index=True)
    notes: str = Field(default="")
    # [{sub_outcome_key, current, target, evidence, priority, actions}], in framework order.
    scores: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    created_by_user_id: int | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
