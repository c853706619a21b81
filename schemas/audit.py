"""The audit log: who did what, when, to which resource, from which address."""

from typing import Any

from pydantic import ConfigDict, Field

from hindsight.schemas import examples
from hindsight.schemas.common import Output, UTCTimestamp


class AuditEventRead(Output):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.AUDIT_EVENT_READ]})

    id: int
    at: UTCTimestamp
    actor_user_id: int | None = Field(
        description="null for the bootstrap key and anonymous callers"
    )
    actor_name: str = Field(description='the user\'s name then, "bootstrap admin" or "anonymous"')
    token_id: int | None = Field(description="the token the caller used, if any")
    action: str = Field(
        description="what was done: the API operation (e.g. create_asset, update_user, "
        "revoke_token, download_attachment, export_items) or authentication_failed"
    )
    resource_type: str = Field(description="the API's name for it (assets, users, tokens...)")
    resource_id: str | None = Field(description="the resource's id, when there is one")
    address: str | None = Field(description="the client's address")
    detail: dict[str, Any] = Field(description="method, path, the fields sent, and more per action")
