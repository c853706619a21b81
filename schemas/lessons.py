"""Lessons: what happened, why (five whys ending in a root cause), what to do about it."""

from typing import Annotated

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from hindsight.schemas import examples
from hindsight.schemas.common import Id, Input, Labels, Output, UTCTimestamp
from hindsight.schemas.enums import (
    Impact,
    LessonStatus,
    OrganisationType,
    Phase,
    Polarity,
    RootCauseCategory,
    Visibility,
)

Text = Annotated[str, Field(max_length=20_000)]
MAX_WHYS = 7


class Why(Input):
    question: str = Field(min_length=1, max_length=2000, examples=["Why were referrals late?"])
    answer: str = Field(min_length=1, max_length=4000)


class RootCause(Input):
    """Where the chain of whys ends; the category lets recurring causes be counted."""

    description: str = Field(min_length=1, max_length=4000)
    category: RootCauseCategory


class Applicability(Input):
    """Where else the lesson applies; due diligence boosts lessons that match."""

    phases: list[Phase] = Field(default_factory=list, max_length=5)
    topics: Labels = Field(default_factory=list)
    organisation_types: list[OrganisationType] = Field(default_factory=list, max_length=11)

    @model_validator(mode="after")
    def _distinct(self) -> "Applicability":
        self.phases = list(dict.fromkeys(self.phases))
        self.organisation_types = list(dict.fromkeys(self.organisation_types))
        return self


FiveWhys = Annotated[
    list[Why],
    Field(max_length=MAX_WHYS, description="1 to 7 steps, or none; with steps, a root cause"),
]


def check_whys(five_whys: list[Why] | None, root_cause: RootCause | None) -> None:
    """A chain of whys must end somewhere: with steps, `root_cause` is required."""
    if five_whys and root_cause is None:
        raise ValueError("root_cause is required when five_whys are given")


class LessonFields(Input):
    """A lesson as written inside an asset (`POST /v1/assets` with `lessons`)."""

    title: str = Field(min_length=1, max_length=300)
    observation: Text = Field("", description="what happened")
    analysis: Text = Field("", description="why it happened")
    five_whys: FiveWhys = Field(default_factory=list)
    # validate_default: a missing root cause must still be checked against the whys.
    root_cause: RootCause | None = Field(None, validate_default=True)
    lesson: str = Field(min_length=1, max_length=20_000, description="the lesson itself")
    recommendation: Text = ""
    polarity: Polarity = Field(description="success_factor: repeat it; barrier: avoid it")
    impact: Impact = Impact.medium
    applicability: Applicability = Field(default_factory=Applicability)
    tags: Labels = Field(default_factory=list)
    visibility: Visibility | None = Field(
        None,
        description="in an asset: the asset's unless sent narrower (restricted with team_ids), "
        "never wider; standalone: default internal",
    )
    team_ids: list[Id] | None = Field(
        None, max_length=100, description="teams that may read a restricted lesson"
    )

    @field_validator("root_cause")
    @classmethod
    def _whys_end_in_a_root_cause(
        cls, root_cause: RootCause | None, info: ValidationInfo
    ) -> RootCause | None:
        # Declared after five_whys, so info.data holds them (unless they were invalid).
        check_whys(info.data.get("five_whys"), root_cause)
        return root_cause


class LessonCreate(LessonFields):
    """A lesson added to an existing asset (`asset_id`: it takes the asset's owning team and
    project), or standing alone (no `asset_id`: its own `owning_team_id` and `project_id`)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.LESSON_CREATE]})

    asset_id: Id | None = Field(None, description="the asset the lesson comes from, if any")
    owning_team_id: Id | None = Field(
        None,
        description="standalone lessons only; default: the caller's team when they have one",
    )
    project_id: Id | None = Field(None, description="standalone lessons only")


class LessonUpdate(Input):
    """Only the fields sent change. Sending `five_whys` or `root_cause` rechecks the pair."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.LESSON_UPDATE]})

    title: str | None = Field(None, min_length=1, max_length=300)
    observation: Text | None = None
    analysis: Text | None = None
    five_whys: FiveWhys | None = None
    root_cause: RootCause | None = None
    lesson: str | None = Field(None, min_length=1, max_length=20_000)
    recommendation: Text | None = None
    polarity: Polarity | None = None
    impact: Impact | None = None
    applicability: Applicability | None = None
    tags: Labels | None = None
    visibility: Visibility | None = Field(
        None, description="in an asset: the asset's or narrower, never wider"
    )
    team_ids: list[Id] | None = Field(None, max_length=100)


class LessonRead(Output):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.LESSON_READ]})

    id: int
    asset_id: int | None
    project_id: int | None
    title: str
    observation: str
    analysis: str
    five_whys: list[Why]
    root_cause: RootCause | None
    lesson: str
    recommendation: str
    polarity: Polarity
    impact: Impact
    applicability: Applicability
    tags: list[str]
    status: LessonStatus
    status_reason: str | None
    evidence_of_change: str | None
    owning_team_id: int
    visibility: Visibility
    team_ids: list[int]
    version: int
    created_at: UTCTimestamp
    updated_at: UTCTimestamp
    learned_at: UTCTimestamp | None


class LessonTransition(Input):
    """A move through the lifecycle: identified -> action_planned -> actioned -> learned, or
    to not_actioned (with a reason) from anywhere, and from there back to identified."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.LESSON_TRANSITION]})

    to: LessonStatus
    reason: str | None = Field(
        None, max_length=4000, description="required for not_actioned; kept in the history"
    )
    evidence_of_change: str | None = Field(
        None, max_length=20_000, description="required for learned: what changed, and where"
    )
