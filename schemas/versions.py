"""History: the earlier state of a project, asset or lesson, with who changed what when."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hindsight.schemas import examples
from hindsight.schemas.common import Output, UTCTimestamp


class ChangedBy(BaseModel):
    user_id: int | None = Field(description="null for the bootstrap admin key")
    name: str


class VersionRead(Output):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.VERSION_READ]})

    version: int = Field(description="the version this snapshot was, before the change")
    changed_by: ChangedBy
    changed_at: UTCTimestamp
    changed_fields: list[str]
    comment: str = Field(description="a workflow transition's comment, else empty")
    snapshot: dict[str, Any] | None = Field(
        description="the resource as it was at `version`; null when withheld"
    )
    withheld: bool = Field(
        False,
        description="true when the caller could not have read the resource as it was then "
        "(restricted to other teams, or an unreleased draft): the snapshot and comment are "
        "left out, the version and when it changed are kept",
    )
