"""Webhooks and their deliveries."""

from datetime import datetime

from sqlalchemy import JSON, Index, Text
from sqlmodel import Field, SQLModel

from hindsight.service.columns import UTCDateTime, utcnow


class Webhook(SQLModel, table=True):
    __tablename__ = "webhooks"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    events: list[str] = Field(default_factory=list, sa_type=JSON)
    team_id: int | None = Field(default=None, foreign_key="teams.id", ondelete="SET NULL")
    description: str = Field(default="")
    # Kept as given: signing needs the secret itself, not a hash of it (as every sender of
    # Standard Webhooks must). It is never served after the create.
    secret: str = Field(max_length=200)
    active: bool = Field(default=True)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookDelivery(SQLModel, table=True):
    """One event for one hook: the body is fixed when the event is fanned out, so every
    attempt sends the same bytes under the same `webhook-id` (`message_id`)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_webhook_created", "webhook_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(foreign_key="webhooks.id", ondelete="CASCADE")
    event: str = Field(max_length=60)
    message_id: str = Field(max_length=64, unique=True)
    # The item whose visibility is checked again before each attempt (none for a ping).
    item_type: str | None = Field(default=None, max_length=30)
    item_id: int | None = Field(default=None)
    body: str = Field(sa_type=Text)
    status: str = Field(default="pending", max_length=20)
    attempts: int = Field(default=0)
    last_status_code: int | None = Field(default=None)
    last_error: str | None = Field(default=None)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
