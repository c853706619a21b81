"""Applications: a lesson considered by a later project, the decision, and whether it helped."""

from pydantic import ConfigDict, Field

from hindsight.schemas import examples
from hindsight.schemas.common import Id, Input, Output, UTCTimestamp
from hindsight.schemas.enums import Decision, Outcome

Note = Field("", max_length=4000)


class ApplicationCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.APPLICATION_CREATE]})

    lesson_id: Id
    project_id: Id = Field(description="the later project that considered the lesson")
    due_diligence_id: Id | None = Field(None, description="the check that showed the lesson")
    decision: Decision
    note: str = Field("", max_length=4000, description="why, and how it will be applied")
    outcome: Outcome = Field(Outcome.pending, description="whether applying it helped")
    outcome_note: str = Note


class ApplicationUpdate(Input):
    """Only the fields sent change; months later, `outcome` records whether it helped."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.APPLICATION_UPDATE]})

    decision: Decision | None = None
    note: str | None = Field(None, max_length=4000)
    outcome: Outcome | None = None
    outcome_note: str | None = Field(None, max_length=4000)


class ApplicationRead(Output):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.APPLICATION_READ]})

    id: int
    lesson_id: int
    project_id: int
    due_diligence_id: int | None
    decision: Decision
    note: str
    outcome: Outcome
    outcome_note: str
    version: int
    created_at: UTCTimestamp
    updated_at: UTCTimestamp
