"""The search log: every search, kept for the learning metrics (volume, gaps in the collection)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from hindsight.service.columns import UTCDateTime, utcnow


class SearchLogEntry(SQLModel, table=True):
    """One search as the caller asked it; `team_ids` are the caller's teams at the time, so
    metrics can count a team's searches without joining to memberships that may change."""

    __tablename__ = "search_log"

    id: int | None = Field(default=None, primary_key=True)
    query: str = Field(default="", max_length=2000)
    filters: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    result_count: int = Field(default=0)
    user_id: int | None = Field(default=None, index=True)
    team_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    source: str = Field(default="search", max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
