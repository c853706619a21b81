"""Notifications: a person's inbox, each also mailed when SMTP is configured."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from hindsight.service.columns import UTCDateTime, utcnow


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_created", "user_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    kind: str = Field(max_length=40)
    # Created once however many replicas run and however often they restart: e.g.
    # "subscription:3:lesson:12", "digest:3:2026-12-03", "action_due:12:2026-12-03".
    key: str = Field(max_length=200, unique=True)
    subject: str = Field(max_length=300)
    body: str = Field(default="")
    link: str | None = Field(default=None, max_length=2000)
    # The item it is about, checked again for the recipient before it is mailed and when
    # the inbox is read (none for a digest, whose items are checked one by one).
    item_type: str | None = Field(default=None, max_length=30)
    item_id: int | None = Field(default=None)
    subscription_id: int | None = Field(
        default=None, foreign_key="subscriptions.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    emailed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
