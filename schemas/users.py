from typing import Annotated

from pydantic import ConfigDict, EmailStr, Field, StringConstraints

from hindsight.schemas import examples
from hindsight.schemas.common import Id, Input, Output, UTCTimestamp
from hindsight.schemas.enums import Role

PASSWORD_MIN_LENGTH = 12

# Kept as typed: spaces count (a passphrase may start or end with one). Left out of reprs,
# and error messages never echo input, so a password does not reach a log.
Password = Annotated[
    str,
    StringConstraints(strip_whitespace=False, min_length=PASSWORD_MIN_LENGTH, max_length=1024),
    Field(json_schema_extra={"format": "password", "writeOnly": True}),
]


class UserCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.USER_CREATE]})

    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    role: Role = Role.reader
    team_ids: list[Id] = Field(default_factory=list, max_length=100)
    specialisms: list[str] = Field(default_factory=list, max_length=50)
    years_experience: int | None = Field(None, ge=0, le=80)
    password: Password | None = Field(
        None,
        repr=False,
        description="12 characters or more; kept only as an Argon2 hash, never returned",
    )


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


class PasswordChange(Input):
    """Sets or changes the caller's own password; once one is set, the current one is needed."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.PASSWORD_CHANGE]})

    current_password: (
        Annotated[str, StringConstraints(strip_whitespace=False, max_length=1024)] | None
    ) = Field(None, repr=False, json_schema_extra={"format": "password", "writeOnly": True})
    new_password: Password = Field(repr=False)
