"""Subscriptions to a saved search, and the notifications inbox."""

from typing import Literal

from pydantic import ConfigDict, Field

from hindsight.schemas import examples
from hindsight.schemas.common import Id, Input, Output, UTCTimestamp
from hindsight.schemas.enums import (
    AssetKind,
    Frequency,
    NotificationKind,
    Polarity,
    RootCauseCategory,
)


class SubscriptionFilters(Input):
    """The search filters of API.md "Search" that a subscription may keep."""

    type: Literal["lesson", "asset"] | None = None
    kind: AssetKind | None = None
    topic: str | None = Field(None, max_length=100)
    tag: str | None = Field(None, max_length=100)
    polarity: Polarity | None = None
    root_cause_category: RootCauseCategory | None = None
    project_id: Id | None = None


class SubscriptionCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.SUBSCRIPTION_CREATE]})

    name: str = Field(min_length=1, max_length=200, examples=["Discharge lessons"])
    q: str = Field("", max_length=2000, description="a search query; empty matches everything")
    filters: SubscriptionFilters = Field(default_factory=SubscriptionFilters)
    frequency: Frequency = Frequency.immediate


class SubscriptionRead(Output):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.SUBSCRIPTION_READ]})

    id: int
    name: str
    q: str
    filters: SubscriptionFilters
    frequency: Frequency
    created_at: UTCTimestamp


class PreviewItem(Output):
    type: str
    id: int
    title: str
    link: str


class SubscriptionPreview(Output):
    """What the next notification (immediate) or digest would hold, as of now."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.SUBSCRIPTION_PREVIEW]})

    subscription_id: int
    frequency: Frequency
    items: list[PreviewItem]


class NotificationRead(Output):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.NOTIFICATION_READ]})

    id: int
    kind: NotificationKind
    subject: str
    body: str
    link: str | None
    created_at: UTCTimestamp
    read_at: UTCTimestamp | None
