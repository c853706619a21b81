"""Knowledge assets: the common record, the per-kind `details`, and the review workflow."""

from typing import Any

from pydantic import ConfigDict, Field, model_validator

from hindsight.schemas import examples
from hindsight.schemas.asset_details import AssetDetails
from hindsight.schemas.common import Author, Input, Labels, Output, UTCTimestamp
from hindsight.schemas.enums import AssetKind, AssetStatus, Visibility
from hindsight.schemas.lessons import LessonFields

MAX_EMBEDDED_LESSONS = 100


class AssetCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ASSET_CREATE]})

    kind: AssetKind
    title: str = Field(min_length=1, max_length=300)
    summary: str = Field("", max_length=4000)
    body: str = Field("", max_length=200_000, description="markdown")
    tags: Labels = Field(default_factory=list)
    topics: Labels = Field(default_factory=list)
    project_id: int | None = None
    owning_team_id: int | None = Field(
        None, description="defaults to the caller's team when the caller has exactly one"
    )
    authors: list[Author] = Field(default_factory=list, max_length=50)
    visibility: Visibility = Visibility.internal
    team_ids: list[int] = Field(default_factory=list, max_length=100)
    status: AssetStatus = Field(
        AssetStatus.draft, description="draft, or published when a reviewer creates it"
    )
    details: AssetDetails = Field(description="the section for this kind; see the kind's schema")
    lessons: list[LessonFields] = Field(
        default_factory=list,
        max_length=MAX_EMBEDDED_LESSONS,
        description="created with the asset, all or nothing",
    )

    @model_validator(mode="before")
    @classmethod
    def _kind_into_details(cls, data: Any) -> Any:
        """The asset's `kind` picks the details schema, so clients state it once."""
        if isinstance(data, dict) and isinstance(data.get("details"), dict):
            details = data["details"]
            if "kind" in details and details["kind"] != data.get("kind"):
                raise ValueError("details.kind, when given, must equal kind")
            data = {**data, "details": {**details, "kind": data.get("kind")}}
        return data

    @model_validator(mode="after")
    def _created_as_draft_or_published(self) -> "AssetCreate":
        if self.status not in (AssetStatus.draft, AssetStatus.published):
            raise ValueError("status on create is draft (the default) or published")
        return self


class AssetUpdate(Input):
    """Only the fields sent change; `kind` and `status` do not change here (status moves
    through `/transitions`). `details` is replaced as a whole and checked against the kind."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.ASSET_UPDATE]})

    title: str | None = Field(None, min_length=1, max_length=300)
    summary: str | None = Field(None, max_length=4000)
    body: str | None = Field(None, max_length=200_000)
    tags: Labels | None = None
    topics: Labels | None = None
    project_id: int | None = None
    owning_team_id: int | None = None
    authors: list[Author] | None = Field(None, max_length=50)
    visibility: Visibility | None = None
    team_ids: list[int] | None = Field(None, max_length=100)
    details: dict[str, Any] | None = None


class AssetTransition(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ASSET_TRANSITION]})

    to: AssetStatus
    comment: str = Field(
        "", max_length=4000, description="kept in the history; required when sending back"
    )


class AssetRead(Output):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ASSET_READ]})

    id: int
    kind: AssetKind
    title: str
    summary: str
    body: str
    body_html: str = Field(description="the body rendered and sanitised")
    tags: list[str]
    topics: list[str]
    project_id: int | None
    owning_team_id: int
    authors: list[Author]
    visibility: Visibility
    team_ids: list[int]
    status: AssetStatus
    details: dict[str, Any]
    lesson_ids: list[int]
    version: int
    created_at: UTCTimestamp
    updated_at: UTCTimestamp
    published_at: UTCTimestamp | None
