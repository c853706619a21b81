"""Knowledge-management maturity: frameworks as data, team self-assessments, progress.

A framework is a document: levels (contiguous integers, 0..3 in the usual models), outcomes,
and under each outcome the sub-outcomes a team scores, each with a descriptor per level and
indicative measures. Structural rules that need the whole document (unique keys, every level
described, contiguous levels) are checked by the service, which names each failing field.
"""

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field

from hindsight.schemas import examples
from hindsight.schemas.common import AwareTimestamp, Input, Output, UTCTimestamp

KEY_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
Key = Annotated[
    str,
    Field(
        pattern=KEY_PATTERN,
        description="lower-case letters, digits, '_', '.', '-'; up to 64 characters",
    ),
]

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date_means_midnight_utc(value: Any) -> Any:
    """A plain date ("2026-03-01") is what people type for an assessment: read it as 00:00Z."""
    if isinstance(value, str) and _DATE_ONLY.match(value.strip()):
        return datetime.fromisoformat(value.strip()).replace(tzinfo=UTC)
    return value


AssessedAt = Annotated[AwareTimestamp, BeforeValidator(_date_means_midnight_utc)]


class LevelDef(Input):
    level: int = Field(ge=0, le=10)
    label: str = Field(min_length=1, max_length=100)


class SubOutcomeDef(Input):
    key: Key
    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=4000)
    level_descriptors: dict[str, str] = Field(
        description='what the sub-outcome looks like at each level: {"0": ..., "3": ...}'
    )
    indicative_measures: list[Annotated[str, Field(min_length=1, max_length=1000)]] = Field(
        default_factory=list, max_length=30
    )
    evidence_figures: list[Key] = Field(
        default_factory=list,
        max_length=10,
        description="keys of Hindsight's live figures shown beside this sub-outcome's score "
        "(GET /v1/maturity/evidence-figures lists them)",
    )


class OutcomeDef(Input):
    key: Key
    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=4000)
    sub_outcomes: list[SubOutcomeDef] = Field(min_length=1, max_length=50)


class FrameworkCreate(Input):
    """A framework version. POSTing a `key` that exists makes its next version."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.FRAMEWORK_CREATE]})

    key: Key
    name: str = Field(min_length=1, max_length=300)
    source: str = Field(
        "", max_length=4000, description="where the framework comes from, and its licence"
    )
    description: str = Field("", max_length=20000)
    levels: list[LevelDef] = Field(min_length=2, max_length=11)
    outcomes: list[OutcomeDef] = Field(min_length=1, max_length=30)


class FrameworkSummary(Output):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.FRAMEWORK_SUMMARY]})

    id: int
    key: str
    version: int
    name: str
    source: str
    is_latest: bool = Field(description="false once a newer version of this key exists")
    created_at: UTCTimestamp


class FrameworkRead(FrameworkSummary):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.FRAMEWORK_READ]})

    description: str
    levels: list[LevelDef]
    outcomes: list[OutcomeDef]


class ScoreInput(Input):
    sub_outcome_key: str = Field(min_length=1, max_length=64)
    current: int = Field(ge=0, description="the level the team is at now")
    target: int | None = Field(
        None, ge=0, description="the level wanted in a year; omitted means keep `current`"
    )
    evidence: str = Field("", max_length=4000, description="what shows the current level")
    priority: bool = Field(False, description="one of the one or two areas to improve first")
    actions: list[Annotated[str, Field(min_length=1, max_length=1000)]] = Field(
        default_factory=list, max_length=20
    )


class AssessmentCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ASSESSMENT_CREATE]})

    framework_id: int
    team_id: int
    assessed_at: AssessedAt = Field(description="when the team scored itself; a date is fine")
    notes: str = Field("", max_length=4000)
    scores: list[ScoreInput] = Field(
        min_length=1, max_length=500, description="one per sub-outcome of the framework"
    )


class AssessmentUpdate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ASSESSMENT_UPDATE]})

    assessed_at: AssessedAt | None = None
    notes: str | None = Field(None, max_length=4000)
    scores: list[ScoreInput] | None = Field(
        None, min_length=1, max_length=500, description="replaces every score"
    )


class EvidenceFigure(Output):
    """A figure from Hindsight's own data for the assessed team, shown beside a self-score."""

    key: str
    label: str
    value: float | None
    unit: str
    period_from: UTCTimestamp | None = Field(description="null: a count as of period_to")
    period_to: UTCTimestamp
    available: bool
    note: str


class ScoreRead(Output):
    sub_outcome_key: str
    outcome_key: str
    current: int
    target: int
    evidence: str
    priority: bool
    actions: list[str]
    live_evidence: list[EvidenceFigure] = Field(
        default_factory=list, description="filled on GET /v1/maturity/assessments/{id}"
    )


class OutcomeMean(Output):
    outcome_key: str
    title: str
    mean_current: float
    mean_target: float


class AssessmentSummary(Output):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ASSESSMENT_SUMMARY]})

    id: int
    team_id: int
    framework_id: int
    framework_key: str
    framework_version: int
    assessed_at: UTCTimestamp
    notes: str
    mean_current: float
    mean_target: float
    priorities: list[str] = Field(description="sub-outcome keys flagged as priorities")
    created_by_user_id: int | None
    version: int
    created_at: UTCTimestamp
    updated_at: UTCTimestamp


class AssessmentRead(AssessmentSummary):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ASSESSMENT_READ]})

    outcomes: list[OutcomeMean]
    scores: list[ScoreRead]
    warnings: list[str] = Field(
        default_factory=list,
        description="advice, not errors: e.g. priorities over more than two outcomes (one or "
        "two at a time work best); the assessment is stored as sent",
    )


class ProgressPoint(Output):
    assessment_id: int
    assessed_at: UTCTimestamp
    framework_id: int
    framework_version: int
    mean_current: float
    mean_target: float
    change_current: float | None = Field(
        description="mean_current minus the previous assessment's; null for the first"
    )


class OutcomeProgress(Output):
    outcome_key: str
    title: str
    points: list[ProgressPoint]


class TeamProgress(Output):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.TEAM_PROGRESS]})

    team_id: int
    framework_key: str | None = Field(description="null when the team has no assessment")
    overall: list[ProgressPoint]
    outcomes: list[OutcomeProgress]


class FigureInfo(Output):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.FIGURE_INFO]})

    key: str
    label: str
    unit: str
    available: bool
    note: str


ExportFormat = Literal["json", "csv"]
