from pydantic import Field

from hindsight.schemas.common import Input, Output, UTCTimestamp


class TeamCreate(Input):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=4000)


class TeamUpdate(Input):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=4000)


class TeamRead(Output):
    id: int
    name: str
    description: str
    version: int
    created_at: UTCTimestamp
    updated_at: UTCTimestamp
