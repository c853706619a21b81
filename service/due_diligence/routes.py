from typing import Annotated

from fastapi import APIRouter, Body

from hindsight.schemas.common import Page
from hindsight.schemas.due_diligence import (
    MAX_DECISIONS,
    DecisionCreate,
    DecisionsRecorded,
    DueDiligenceCreate,
    DueDiligenceRead,
)
from hindsight.service.deps import (
    Contributor,
    CurrentPrincipal,
    DbSession,
    IdempotencyClaim,
    IdPath,
    IdQuery,
    Paging,
)
from hindsight.service.due_diligence import service as due_diligence_service
from hindsight.service.search.runtime import SearchRuntimeDep

router = APIRouter(prefix="/due-diligence", tags=["due-diligence"])


@router.post("", status_code=201, response_model=DueDiligenceRead)
def run_due_diligence(
    payload: DueDiligenceCreate,
    db: DbSession,
    who: CurrentPrincipal,
    runtime: SearchRuntimeDep,
    claim: IdempotencyClaim,
) -> DueDiligenceRead:
    """Run a pre-project review: send the project's description (a page of prose) and get
    the lessons and assets most relevant to it, ranked, each with the terms or fields that
    matched and why it is shown; the open actions on those lessons; and the people behind
    the top results. Only items the caller may see. The check is stored with exactly what it
    showed (`GET /v1/due-diligence/{id}`). Any role may run one (it is how a team asks "has
    anyone done this before?"); recording decisions needs contributor. A `project_id` the
    caller cannot see is a 404."""
    return due_diligence_service.run(db, who, runtime.backend, runtime.log, payload, claim=claim)


@router.get("", response_model=Page[DueDiligenceRead])
def list_due_diligence(
    db: DbSession, who: CurrentPrincipal, page: Paging, project_id: IdQuery = None
) -> Page[DueDiligenceRead]:
    """Checks the caller may read (their own, their team's, and those of projects they may
    see), newest first; results hidden from the caller are left out."""
    items, total = due_diligence_service.list_visible(
        db, who, project_id=project_id, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{check_id}", response_model=DueDiligenceRead)
def get_due_diligence(check_id: IdPath, db: DbSession, who: CurrentPrincipal) -> DueDiligenceRead:
    """One check as it was shown, less any result the caller may not see."""
    return due_diligence_service.get(db, who, check_id)


@router.post("/{check_id}/decisions", response_model=DecisionsRecorded)
def record_decisions(
    check_id: IdPath,
    db: DbSession,
    who: Contributor,
    decisions: Annotated[
        list[DecisionCreate],
        Body(min_length=1, max_length=MAX_DECISIONS, description="[{lesson_id, decision, note}]"),
    ],
) -> DecisionsRecorded:
    """Record the team's decisions on the check's lessons as applications of its project,
    one per lesson: posting again updates them. Contributors of the project's team,
    reviewers and admins; 409 when the check names no project."""
    return DecisionsRecorded(items=due_diligence_service.decide(db, who, check_id, decisions))
