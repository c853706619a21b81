"""Subscriptions to a saved search, and the items each has matched."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from hindsight.service.columns import UTCDateTime, utcnow


class Subscription(SQLModel, table=True):
    __tablename__ = "subscriptions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    q: str = Field(default="")
    filters: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    frequency: str = Field(default="immediate", max_length=20)
    # A random capability in every email's unsubscribe link, so unsubscribing needs no
    # sign-in; deleting the subscription ends it.
    unsubscribe_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SubscriptionMatch(SQLModel, table=True):
    """An item a subscription matched, once; `notified_at` is set when it went out (at once
    or in a digest)."""

    __tablename__ = "subscription_matches"
    __table_args__ = (UniqueConstraint("subscription_id", "item_type", "item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="subscriptions.id", ondelete="CASCADE")
    item_type: str = Field(max_length=30)
    item_id: int
    matched_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    notified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
