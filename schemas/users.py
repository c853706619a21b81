from pydantic import ConfigDict, EmailStr, Field

from hindsight.schemas import examples
from hindsight.schemas.common import Id, Input, Output, UTCTimestamp
from hindsight.schemas.enums import Role


class UserCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.USER_CREATE]})

    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    role: Role = Role.reader
    team_ids: list[Id] = Field(default_factory=list, max_length=100)
    specialisms: list[str] = Field(default_factory=list, max_length=50)
    years_experience: int | None = Field(None, ge=0, le=80)


class UserUpdate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.USER_UPDATE]})

    name: str | None = Field(None, min_length=1, max_length=200)
    role: Role | None = None
    team_ids: list[Id] | None = Field(None, max_length=100)
    specialisms: list[str] | None = Field(None, max_length=50)
    years_experience: int | None = Field(None, ge=0, le=80)
    is_active: bool | None = Field(None, description="false blocks every token of the user")


class UserRead(Output):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.USER_READ]})

    id: int
    name: str
    email: str
    role: Role
    team_ids: list[int]
    specialisms: list[str]
    years_experience: int | None
    is_active: bool
    version: int
    created_at: UTCTimestamp
    updated_at: UTCTimestamp


class Me(Output):
    """The caller. The bootstrap admin key has no user row, so `id` is null for it."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.ME]})

    id: int | None
    name: str
    email: str | None
    role: Role
    team_ids: list[Id]
    is_bootstrap: bool = False
