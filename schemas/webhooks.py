"""Webhooks: other systems told of changes, signed as the Standard Webhooks spec says."""

from pydantic import ConfigDict, Field

from hindsight.schemas import examples
from hindsight.schemas.common import Id, Input, Output, UTCTimestamp
from hindsight.schemas.enums import DeliveryStatus, WebhookEvent

Url = Field(
    min_length=1,
    max_length=2000,
    description="http(s) URL; private, loopback and link-local addresses are refused",
    examples=["https://example.org/hooks/hindsight"],
)
Events = Field(
    min_length=1, max_length=20, description="the events to send (ping is always sent on test)"
)


class WebhookCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.WEBHOOK_CREATE]})

    url: str = Url
    events: list[WebhookEvent] = Events
    team_id: Id | None = Field(
        None,
        description="send what a reader of this team may see; without, only public and "
        "internal published items",
    )
    description: str = Field("", max_length=1000)


class WebhookUpdate(Input):
    """Only the fields sent change; `active: true` turns a hook that answered 410 back on."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.WEBHOOK_UPDATE]})

    url: str | None = Field(None, min_length=1, max_length=2000)
    events: list[WebhookEvent] | None = Field(None, min_length=1, max_length=20)
    team_id: Id | None = None
    description: str | None = Field(None, max_length=1000)
    active: bool | None = None


class WebhookRead(Output):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.WEBHOOK_READ]})

    id: int
    url: str
    events: list[WebhookEvent]
    team_id: int | None
    description: str
    active: bool
    version: int
    created_at: UTCTimestamp


class WebhookCreated(WebhookRead):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.WEBHOOK_CREATED]})

    secret: str = Field(description="whsec_ + base64; shown only in this answer")


class DeliveryRead(Output):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.DELIVERY_READ]})

    id: int
    event: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: UTCTimestamp | None
    created_at: UTCTimestamp
    delivered_at: UTCTimestamp | None
