from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from hindsight.schemas.metrics import LearningMetrics
from hindsight.service.deps import CurrentPrincipal, DbSession, IdQuery
from hindsight.service.metrics import service as metrics_service

router = APIRouter(prefix="/metrics", tags=["metrics"])


@router.get("/learning", response_model=LearningMetrics)
def learning_metrics(
    db: DbSession,
    who: CurrentPrincipal,
    team_id: IdQuery = None,
    from_date: Annotated[
        date | None, Query(alias="from", description="first day, e.g. 2026-01-01 (UTC)")
    ] = None,
    to_date: Annotated[date | None, Query(alias="to", description="last day, inclusive")] = None,
) -> LearningMetrics:
    """Whether learning is acted on, reused and helps: lessons by status, the share actioned
    and learned, median days to learned, open and overdue actions, applications by decision
    and outcome, the reuse rate, root causes recurring across projects, searches and the
    queries that found nothing, projects with and without a due-diligence check. Counts
    cover only what the caller may see, created in the window; `team_id` narrows them to
    one team's lessons, projects and searches."""
    return metrics_service.learning(db, who, team_id=team_id, from_date=from_date, to_date=to_date)
