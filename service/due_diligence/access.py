"""Who may read a due-diligence check, as one SQL predicate (kept apart from the service so
that applications can check a link to a check without importing the due-diligence service).

A check is the caller's record of what they were shown: its creator, the team it was run
for, admins, and whoever may see its project read it. Its results are filtered again on
every read, so a reader never sees an item hidden from them."""

from typing import Any

from sqlalchemy import ColumnElement, or_, select, true
from sqlmodel import Session

from hindsight.service.auth import Principal
from hindsight.service.due_diligence.models import DueDiligenceCheck
from hindsight.service.errors import ValidationFailed
from hindsight.service.projects import service as projects_service


def visible_to(who: Principal) -> ColumnElement[bool]:
    if who.is_admin:
        return true()
    clauses: list[Any] = [
        DueDiligenceCheck.team_id.in_(sorted(who.team_ids)),  # type: ignore[union-attr]
        DueDiligenceCheck.project_id.in_(projects_service.visible_ids(who)),  # type: ignore[union-attr]
    ]
    if who.user_id is not None:
        clauses.append(DueDiligenceCheck.created_by_id == who.user_id)
    return or_(*clauses)


def get_linkable(db: Session, who: Principal, check_id: int, *, field: str) -> DueDiligenceCheck:
    """A visible check another item links to; a 422 naming `field` when there is none."""
    check = db.execute(
        select(DueDiligenceCheck).where(DueDiligenceCheck.id == check_id, visible_to(who))
    ).scalar_one_or_none()
    if check is None:
        raise ValidationFailed(field, f"there is no due-diligence check {check_id}")
    return check
