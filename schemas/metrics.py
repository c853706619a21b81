"""Learning metrics for knowledge managers: is learning acted on, reused, and does it help?"""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from hindsight.schemas import examples


class LessonFigures(BaseModel):
    total: int
    by_status: dict[str, int] = Field(description="every lifecycle status, zero included")
    actioned_share: float | None = Field(
        description="actioned or learned, over all lessons (0 to 1); null without lessons"
    )
    learned_share: float | None = Field(description="learned, over all lessons (0 to 1)")
    median_days_to_learned: float | None = Field(
        description="median days from identified (created) to learned, over learned lessons"
    )


class ActionFigures(BaseModel):
    open: int = Field(description="open or in progress")
    overdue: int = Field(description="open or in progress and due before today (UTC)")


class ApplicationFigures(BaseModel):
    total: int
    by_decision: dict[str, int]
    by_outcome: dict[str, int]


class RecurringRootCause(BaseModel):
    category: str
    lessons: int
    projects: int = Field(description="distinct projects whose lessons name this category")


class ZeroResultQuery(BaseModel):
    query: str = Field(description="as typed, trimmed and lower-cased")
    count: int


class SearchFigures(BaseModel):
    total: int = Field(description="searches (GET /v1/search)")
    zero_results: int = Field(description="searches that found nothing")
    due_diligence_checks: int
    top_zero_result_queries: list[ZeroResultQuery] = Field(
        description="what people looked for and did not find: the gaps in the collection"
    )


class ProjectFigures(BaseModel):
    total: int
    with_due_diligence: int
    without_due_diligence: int


class LearningMetrics(BaseModel):
    # "from" and "to" on the wire (as the query names them), so a client reads back what the
    # server wrote; the Python names avoid the keyword.
    model_config = ConfigDict(
        populate_by_name=True, json_schema_extra={"examples": [examples.LEARNING_METRICS]}
    )

    team_id: int | None
    from_date: date | None = Field(alias="from")
    to_date: date | None = Field(alias="to")
    lessons: LessonFigures
    actions: ActionFigures
    applications: ApplicationFigures
    reuse_rate: float | None = Field(
        description="lessons applied or adapted at least once, over lessons (0 to 1)"
    )
    recurring_root_causes: list[RecurringRootCause] = Field(
        description="root-cause categories named by lessons of two projects or more, most first"
    )
    searches: SearchFigures
    projects: ProjectFigures
