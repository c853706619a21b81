from pydantic import ConfigDict, Field

from hindsight.schemas import examples
from hindsight.schemas.common import Input, Output, UTCTimestamp


class TeamCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.TEAM_CREATE]})

    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=4000)


class TeamUpdate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.TEAM_UPDATE]})

    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=4000)


class TeamRead(Output):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.TEAM_READ]})

    id: int
    name: str
    description: str
    version: int
    created_at: UTCTimestamp
    updated_at: UTCTimestamp
