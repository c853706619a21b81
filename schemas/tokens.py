from pydantic import ConfigDict, Field

from hindsight.schemas import examples
from hindsight.schemas.common import AwareTimestamp, Id, Input, Output, UTCTimestamp


class TokenCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.TOKEN_CREATE]})

    name: str = Field(min_length=1, max_length=200, description="what the token is for")
    user_id: Id | None = Field(None, description="admins only: mint a token for another user")
    expires_at: AwareTimestamp | None = None


class TokenRead(Output):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.TOKEN_READ]})

    id: int
    name: str
    user_id: int
    expires_at: UTCTimestamp | None
    created_at: UTCTimestamp
    revoked_at: UTCTimestamp | None = None


class TokenCreated(TokenRead):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.TOKEN_CREATED]})

    token: str = Field(description="the secret; shown only in this response")
