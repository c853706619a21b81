"""Due diligence (pre-project review): a project's description in, the relevant learning out,
ranked and explained; the check is stored with exactly what it showed."""

from pydantic import BaseModel, ConfigDict, Field

from hindsight.schemas import examples
from hindsight.schemas.actions import ActionRead
from hindsight.schemas.applications import ApplicationRead
from hindsight.schemas.common import Author, Id, Input, Labels, Output, UTCTimestamp
from hindsight.schemas.enums import (
    AssetKind,
    AssetStatus,
    Decision,
    OrganisationType,
    Phase,
    Visibility,
)
from hindsight.schemas.lessons import LessonRead

MAX_DESCRIPTION = 50_000
MAX_DECISIONS = 100


class DueDiligenceCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.DUE_DILIGENCE_CREATE]})

    title: str = Field(min_length=1, max_length=300, examples=["Electronic nursing handover"])
    description: str = Field(
        min_length=1,
        max_length=MAX_DESCRIPTION,
        description="the project's description as written: a page of prose (100 to 1,000 "
        "words) is the normal input, not keywords",
    )
    project_id: Id | None = Field(
        None,
        description="the project; its phase, topics and organisation type are used "
        "unless given here",
    )
    phase: Phase | None = None
    topics: Labels = Field(default_factory=list)
    organisation_type: OrganisationType | None = None


class KeyTermRead(BaseModel):
    term: str = Field(description="a word or two-word phrase of the description")
    weight: float = Field(
        description="how much a match counts: 1 + ln(occurrences in the text), the title and "
        "topics counted extra; the ranking adds the term's rarity"
    )


class AssetBrief(Output):
    """An asset as a due-diligence result shows it: enough to judge it, without the body."""

    id: int
    kind: AssetKind
    title: str
    summary: str
    tags: list[str]
    topics: list[str]
    project_id: int | None
    owning_team_id: int
    authors: list[Author]
    visibility: Visibility
    status: AssetStatus
    created_at: UTCTimestamp


class LessonResult(BaseModel):
    lesson: LessonRead
    score: float
    matched: list[str] = Field(
        description="the terms that matched, then the applicability that matched "
        "(topic:..., phase:..., organisation_type:...)"
    )
    reason: str = Field(description="why it was shown, in words")


class AssetResult(BaseModel):
    asset: AssetBrief
    score: float
    matched: list[str]
    reason: str


class SourceRef(BaseModel):
    type: str = Field(description="lesson, asset or project")
    id: int


class PersonResult(BaseModel):
    name: str = Field(description="the person, or for team context the role and experience")
    role: str
    team: str | None = Field(description="the team behind the work they are linked to")
    email: str | None = None
    reason: str
    sources: list[SourceRef] = Field(description="the results they stand behind")


class DueDiligenceResults(BaseModel):
    lessons: list[LessonResult]
    assets: list[AssetResult]
    open_actions: list[ActionRead]
    people: list[PersonResult]


class CheckedBy(BaseModel):
    user_id: int | None
    name: str


class DueDiligenceRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.DUE_DILIGENCE_READ]})

    id: int
    created_at: UTCTimestamp
    title: str
    description: str
    project_id: int | None
    phase: Phase | None
    topics: list[str]
    organisation_type: OrganisationType | None
    team_id: int | None = Field(description="the team the check was run for")
    created_by: CheckedBy
    terms: list[KeyTermRead] = Field(
        description="the key terms of the description that matched what is shown"
    )
    results: DueDiligenceResults


class DecisionCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.DECISION_CREATE]})

    lesson_id: Id
    decision: Decision
    note: str = Field("", max_length=4000)


class DecisionsRecorded(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.DECISIONS_RECORDED]})

    items: list[ApplicationRead] = Field(description="one application per decided lesson")
