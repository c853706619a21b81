"""Actions on lessons: an owner, a due date, a status and the evidence that it was done."""

from datetime import date

from pydantic import ConfigDict, Field

from hindsight.schemas import examples
from hindsight.schemas.common import Id, Input, Output, UTCTimestamp
from hindsight.schemas.enums import ActionStatus

Evidence = Field(
    None,
    max_length=4000,
    description="what was done and where it can be seen; required when the status is done",
)


class ActionCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ACTION_CREATE]})

    lesson_id: Id
    title: str = Field(min_length=1, max_length=300, examples=["Agree one referral form"])
    description: str = Field("", max_length=20_000)
    owner_name: str = Field(min_length=1, max_length=200, description="who will do it")
    owner_user_id: Id | None = Field(None, description="the owner's user, when they have one")
    due_date: date = Field(description="ISO date, e.g. 2026-03-31")
    status: ActionStatus = ActionStatus.open
    evidence: str | None = Evidence


class ActionUpdate(Input):
    """Only the fields sent change. Moving to `done` needs `evidence` (sent now or stored)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.ACTION_UPDATE]})

    title: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = Field(None, max_length=20_000)
    owner_name: str | None = Field(None, min_length=1, max_length=200)
    owner_user_id: Id | None = None
    due_date: date | None = None
    status: ActionStatus | None = None
    evidence: str | None = Evidence


class ActionRead(Output):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ACTION_READ]})

    id: int
    lesson_id: int
    title: str
    description: str
    owner_name: str
    owner_user_id: int | None
    due_date: date
    status: ActionStatus
    evidence: str | None
    completed_at: UTCTimestamp | None
    is_overdue: bool = Field(description="open or in progress, and due before today (UTC)")
    version: int
    created_at: UTCTimestamp
    updated_at: UTCTimestamp
