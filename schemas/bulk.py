"""Bulk export and import: one item per JSON line, in the shape of the public read models.

An exported line imports as it is: the fields the importer does not take (ids and derived
values of the system it came from) are accepted and ignored, anything else unknown is an
error for that line.
"""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hindsight.schemas import examples
from hindsight.schemas.asset_details import AssetDetails
from hindsight.schemas.assets import AssetRead
from hindsight.schemas.common import Author, AwareTimestamp, Input, Labels, Timestamp
from hindsight.schemas.enums import AssetKind, AssetStatus, LessonStatus, Visibility
from hindsight.schemas.lessons import LessonFields, LessonRead

ExternalId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        description="the item's id in the system it comes from; imports match on it",
    ),
]


class AssetLessonExport(LessonRead):
    """A lesson as embedded in its asset's export line."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.ASSET_LESSON_EXPORT]})

    external_id: ExternalId


class AssetExport(AssetRead):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ASSET_EXPORT]})

    external_id: ExternalId
    lessons: list[AssetLessonExport] = Field(
        description="the asset's lessons the caller may see, embedded: importing the line "
        "back creates or updates them too (matched by their external_id)"
    )


class LessonExport(LessonRead):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.LESSON_EXPORT]})

    external_id: ExternalId
    asset_external_id: ExternalId | None = Field(
        description="the asset the lesson sits in; null for a standalone lesson"
    )
    asset_kind: AssetKind | None
    asset_title: str | None


class AssetImport(Input):
    """An asset to create or update, matched by `external_id`."""

    external_id: ExternalId
    kind: AssetKind
    title: str = Field(min_length=1, max_length=300)
    summary: str = Field("", max_length=4000)
    body: str = Field("", max_length=200_000)
    tags: Labels = Field(default_factory=list)
    topics: Labels = Field(default_factory=list)
    project_id: int | None = None
    owning_team_id: int | None = None
    authors: list[Author] = Field(default_factory=list, max_length=50)
    visibility: Visibility = Visibility.internal
    team_ids: list[int] = Field(default_factory=list, max_length=100)
    status: AssetStatus = AssetStatus.draft
    details: AssetDetails
    created_at: AwareTimestamp | None = None
    published_at: AwareTimestamp | None = None
    lessons: list["AssetLessonImport"] = Field(
        default_factory=list,
        max_length=1000,
        description="the asset's lessons, each matched by its external_id; a lesson of the "
        "asset that the line leaves out is kept, not deleted",
    )
    # Exported, not imported: this system's ids and values derived from the others.
    id: int | None = None
    body_html: str | None = None
    lesson_ids: list[int] | None = None
    version: int | None = None
    updated_at: Timestamp | None = None

    @model_validator(mode="before")
    @classmethod
    def _kind_into_details(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("details"), dict):
            data = {**data, "details": {**data["details"], "kind": data.get("kind")}}
        return data


class LessonImport(LessonFields):
    """A lesson to create or update, matched by `external_id`: under the asset whose
    `external_id` is `asset_external_id` (import the assets first), or, without one, a
    standalone lesson of `owning_team_id` (and `project_id`, if any)."""

    external_id: ExternalId
    asset_external_id: ExternalId | None = None
    status: LessonStatus = LessonStatus.identified
    status_reason: str | None = Field(None, max_length=4000)
    evidence_of_change: str | None = Field(None, max_length=20_000)
    created_at: AwareTimestamp | None = None
    learned_at: AwareTimestamp | None = None
    # A standalone lesson's place; a lesson in an asset takes the asset's.
    owning_team_id: int | None = None
    project_id: int | None = None
    # Exported, not imported: this system's ids and values derived from the others.
    asset_kind: AssetKind | None = None
    asset_title: str | None = None
    id: int | None = None
    asset_id: int | None = None
    version: int | None = None
    updated_at: Timestamp | None = None

    @model_validator(mode="after")
    def _state_has_its_reason(self) -> "LessonImport":
        # The lifecycle's own conditions, so an import cannot make a state it would refuse.
        if self.status is LessonStatus.learned and not self.evidence_of_change:
            raise ValueError("a learned lesson needs evidence_of_change")
        if self.status is LessonStatus.not_actioned and not self.status_reason:
            raise ValueError("a not_actioned lesson needs status_reason")
        return self


class AssetLessonImport(LessonImport):
    """A lesson embedded in an asset's line: it goes into that asset, whatever
    `asset_external_id` it carries."""


AssetImport.model_rebuild()


class RejectedLine(BaseModel):
    line: int = Field(description="1-based line number in the file")
    reason: str


class ImportReport(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.IMPORT_REPORT]})

    created: int
    updated: int = Field(description="existing items (by external_id) whose fields changed")
    unchanged: int = Field(description="existing items already equal to their line")
    rejected: list[RejectedLine] = Field(description="the first 1,000 rejected lines")
    rejected_count: int
