"""Shapes every endpoint shares: pages, errors, timestamps, contacts."""

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    PlainSerializer,
)


def _utc_z(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


UTCTimestamp = Annotated[datetime, PlainSerializer(_utc_z, return_type=str, when_used="json")]
"""A timestamp served as ISO 8601 in UTC with a `Z` suffix."""

MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID, description="an id")]
"""Ids are 32-bit integers on PostgreSQL; a larger number can name nothing."""


def _within_utc_years(value: datetime) -> datetime:
    """Stored and compared in UTC, a moment must also exist in UTC: 9999-12-31T23:59:59-14:00
    is in year 10000 there, 0001-01-01T00:00:00+14:00 in year 0."""
    if value.tzinfo is None:
        return value
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError(
            "this moment falls outside years 1 to 9999 once in UTC; send a date-time "
            "between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z"
        ) from None
    return value


AwareTimestamp = Annotated[
    AwareDatetime,
    AfterValidator(_within_utc_years),
    Field(description="ISO 8601 with a timezone"),
]
Timestamp = Annotated[datetime, AfterValidator(_within_utc_years)]
"""A date-time whose timezone may be left out (then it is UTC)."""


class Input(BaseModel):
    """Base of every request body: an unknown field is a 422, not silence."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(ge=0)
    limit: int
    offset: int


def normalise_labels(values: list[str]) -> list[str]:
    """Tags and topics compare as people read them: trimmed, inner spaces collapsed,
    lower-case, blanks dropped, each once (first occurrence keeps its place)."""
    seen: dict[str, None] = {}
    for value in values:
        label = " ".join(value.split()).lower()
        if label:
            seen.setdefault(label, None)
    return list(seen)


Labels = Annotated[
    list[Annotated[str, Field(max_length=100)]],
    Field(max_length=50, description="normalised: trimmed, lower-case, no duplicates"),
    AfterValidator(normalise_labels),
]
"""Tags or topics as sent by a client; normalised on the way in."""

ShortText = Annotated[str, Field(min_length=1, max_length=500)]
TextList = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=4000)]], Field(max_length=100)
]


class Contact(Input):
    """A person worth talking to; the same shape wherever a contact appears."""

    name: str = Field(min_length=1, max_length=200)
    role: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    expertise: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=30
    )


class Author(Input):
    name: str = Field(min_length=1, max_length=200)
    role: str | None = Field(None, max_length=200)
    email: EmailStr | None = None


class ErrorInfo(BaseModel):
    code: str = Field(description="stable snake_case code for programs")
    message: str = Field(description="what went wrong and what to change")
    details: list[dict[str, Any]] = Field(default_factory=list)


class ErrorBody(BaseModel):
    error: ErrorInfo
