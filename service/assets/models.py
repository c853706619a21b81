"""Knowledge assets, the teams granted access to restricted ones, and their labels."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from hindsight.service.columns import UTCDateTime, utcnow


class Asset(SQLModel, table=True):
    __tablename__ = "assets"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40, index=True)
    # The id in the system an item was imported from ("nasa-llis:1234"); makes imports idempotent.
    external_id: str | None = Field(default=None, max_length=200, unique=True)
    title: str = Field(max_length=300)
    summary: str = Field(default="")
    body: str = Field(default="")
    # Rendered and sanitised once per write, so reads never run the markdown renderer.
    body_html: str = Field(default="")
    tags: list[str] = Field(default_factory=list, sa_type=JSON)
    topics: list[str] = Field(default_factory=list, sa_type=JSON)
    project_id: int | None = Field(default=None, foreign_key="projects.id", index=True)
    owning_team_id: int = Field(foreign_key="teams.id", index=True)
    authors: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    visibility: str = Field(max_length=20)
    status: str = Field(max_length=20, index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AssetTeam(SQLModel, table=True):
    """A team granted access to a restricted asset (and so to its lessons)."""

    __tablename__ = "asset_teams"

    asset_id: int = Field(foreign_key="assets.id", primary_key=True, ondelete="CASCADE")
    team_id: int = Field(foreign_key="teams.id", primary_key=True, index=True, ondelete="CASCADE")


class AssetLabel(SQLModel, table=True):
    """One tag or topic of an asset, as a row so that filters are plain indexed lookups on
    both databases (the JSON lists on `assets` keep the order for reading)."""

    __tablename__ = "asset_labels"
    __table_args__ = (Index("ix_asset_labels_facet_value", "facet", "value"),)

    asset_id: int = Field(foreign_key="assets.id", primary_key=True, ondelete="CASCADE")
    facet: str = Field(max_length=10, primary_key=True)
    value: str = Field(max_length=100, primary_key=True)
