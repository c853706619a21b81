"""Actions on lessons: create, read, list, change. An action is exactly as visible as its
lesson (and so as its asset): every read filters on the lessons' visibility subquery."""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, not_, select, true, update
from sqlmodel import Session

from hindsight.schemas.actions import ActionCreate, ActionRead, ActionUpdate
from hindsight.schemas.enums import ActionStatus, WebhookEvent
from hindsight.service import idempotency
from hindsight.service import ownership as own
from hindsight.service.actions.models import Action
from hindsight.service.auth import Principal
from hindsight.service.columns import utcnow
from hindsight.service.errors import NotFound, PreconditionFailed, ValidationFailed
from hindsight.service.events import service as events
from hindsight.service.lessons import service as lessons_service
from hindsight.service.pagination import fetch_page
from hindsight.service.users import service as users_service

OPEN = (ActionStatus.open.value, ActionStatus.in_progress.value)
CLOSED = (ActionStatus.done.value, ActionStatus.cancelled.value)
_REQUIRED = ("title", "description", "owner_name", "due_date", "status")
_NEEDS_EVIDENCE = "an action marked done needs evidence: say what was done and where it can be seen"


def today() -> date:
    """Due dates are calendar days; "overdue" is judged against today's date in UTC."""
    return datetime.now(UTC).date()


def visible_to(who: Principal) -> ColumnElement[bool]:
    if who.is_admin:
        return true()
    return Action.lesson_id.in_(lessons_service.visible_ids(who))  # type: ignore[attr-defined]


def overdue_clause(on: date | None = None) -> ColumnElement[bool]:
    """Open or in progress, and due before `on` (today by default)."""
    return and_(Action.status.in_(OPEN), Action.due_date < (on or today()))  # type: ignore[attr-defined,operator]


def to_read(action: Action) -> ActionRead:
    overdue = action.status in OPEN and action.due_date < today()
    return ActionRead.model_validate({**action.model_dump(), "is_overdue": overdue})


def get_visible(db: Session, who: Principal, action_id: int) -> Action:
    """Raises NotFound for a missing action and for one on a hidden lesson alike."""
    action = db.execute(
        select(Action).where(Action.id == action_id, visible_to(who))
    ).scalar_one_or_none()
    if action is None:
        raise NotFound(f"there is no action {action_id}")
    return action


def list_visible(
    db: Session, who: Principal, *, filters: dict[str, Any], limit: int, offset: int
) -> tuple[list[ActionRead], int]:
    """Soonest due first (the order people work through them), then by id."""
    stmt: Select[Any] = select(Action).where(visible_to(who))
    for name in ("status", "owner_user_id", "lesson_id"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(Action, name) == filters[name])
    if filters.get("team_id") is not None:
        # A team's actions are those on its lessons (a lesson belongs to its asset's team).
        team_lessons = lessons_service.visible_ids(who, team_id=filters["team_id"])
        stmt = stmt.where(Action.lesson_id.in_(team_lessons))  # type: ignore[attr-defined]
    if filters.get("overdue") is True:
        stmt = stmt.where(overdue_clause())
    elif filters.get("overdue") is False:
        stmt = stmt.where(not_(overdue_clause()))
    rows, total = fetch_page(
        db, stmt, order_by=(Action.due_date, Action.id), limit=limit, offset=offset
    )
    return [to_read(row) for row in rows], total


def open_for_lessons(db: Session, who: Principal, lesson_ids: list[int]) -> list[ActionRead]:
    """Open and in-progress actions on these lessons (the caller's visible ones only)."""
    if not lesson_ids:
        return []
    rows = db.execute(
        select(Action)
        .where(Action.lesson_id.in_(lesson_ids), Action.status.in_(OPEN), visible_to(who))  # type: ignore[attr-defined]
        .order_by(Action.due_date, Action.id)
    ).scalars()
    return [to_read(row) for row in rows]


def statuses_of(db: Session, lesson_id: int) -> list[str]:
    """The status of every action on a lesson (for the lesson lifecycle's conditions)."""
    stmt = select(Action.status).where(Action.lesson_id == lesson_id)
    return list(db.execute(stmt).scalars())


def _event_data(action: Action) -> dict[str, Any]:
    return {
        "lesson_id": action.lesson_id,
        "title": action.title,
        "status": action.status,
        "owner_name": action.owner_name,
        "due_date": action.due_date.isoformat(),
    }


def _emit(db: Session, event: WebhookEvent, action: Action) -> None:
    assert action.id is not None
    events.emit(db, event, item_type="action", item_id=action.id, data=_event_data(action))


def emit_overdue(db: Session, day: date) -> int:
    """`action.overdue` for every action overdue on `day`, once per action and day (the
    daily sweep; no commit). Returns how many were new."""
    rows = db.execute(select(Action).where(overdue_clause(day))).scalars()
    sent = 0
    for action in rows:
        assert action.id is not None
        key = events.day_key(WebhookEvent.action_overdue, action.id, day)
        sent += events.emit(
            db,
            WebhookEvent.action_overdue,
            item_type="action",
            item_id=action.id,
            data=_event_data(action),
            key=key,
        )
    return sent


def _check_done(status: str, evidence: str | None) -> None:
    if status == ActionStatus.done and not (evidence or "").strip():
        raise ValidationFailed("body.evidence", _NEEDS_EVIDENCE)


def create(
    db: Session, who: Principal, payload: ActionCreate, *, claim: idempotency.Claim | None
) -> ActionRead:
    """Raises ValidationFailed for a lesson the caller cannot see, an unknown owner user or
    `done` without evidence; Forbidden unless the caller may edit the lesson's asset."""
    lesson = lessons_service.get_linkable(db, who, payload.lesson_id, field="body.lesson_id")
    own.require_edit(who, lesson.owning_team_id, "lesson's actions")
    if payload.owner_user_id is not None:
        users_service.require_existing(db, payload.owner_user_id, field="body.owner_user_id")
    _check_done(payload.status, payload.evidence)
    now = utcnow()
    action = Action(
        **payload.model_dump(),
        completed_at=now if payload.status is ActionStatus.done else None,
        created_by_id=who.user_id,
        created_at=now,
        updated_at=now,
    )
    db.add(action)
    db.flush()
    _emit(db, WebhookEvent.action_created, action)
    if action.status == ActionStatus.done:
        _emit(db, WebhookEvent.action_done, action)
    return idempotency.commit_created(db, claim, to_read(action))


def _require_edit(db: Session, who: Principal, action: Action) -> None:
    """The lesson's editors, and the action's owner (who reports progress on it)."""
    if who.user_id is not None and who.user_id == action.owner_user_id:
        return
    lesson = lessons_service.to_read(db, lessons_service.get_visible(db, who, action.lesson_id))
    own.require_edit(who, lesson.owning_team_id, "lesson's actions")


def update_action(
    db: Session, who: Principal, action_id: int, patch: ActionUpdate, *, expected_version: int
) -> ActionRead:
    """Apply `patch` if the action is still at `expected_version` (412 otherwise). Moving to
    done stamps `completed_at`; moving away from done clears it."""
    action = get_visible(db, who, action_id)
    _require_edit(db, who, action)
    changes = patch.model_dump(exclude_unset=True)
    own.reject_nulls(changes, _REQUIRED)
    if changes.get("owner_user_id") is not None:
        users_service.require_existing(db, changes["owner_user_id"], field="body.owner_user_id")
    before_status = action.status
    status = changes.get("status", action.status)
    _check_done(status, changes.get("evidence", action.evidence))
    if status != action.status:
        changes["completed_at"] = utcnow() if status == ActionStatus.done else None
    if action.version != expected_version:
        raise _stale(action_id, expected_version)
    # The version test is part of the UPDATE, so two concurrent writers cannot both pass it.
    result = db.execute(
        update(Action)
        .where(Action.id == action_id, Action.version == expected_version)  # type: ignore[arg-type]
        .values(**changes, version=expected_version + 1, updated_at=utcnow())
    )
    if result.rowcount == 0:
        raise _stale(action_id, expected_version)
    db.flush()
    db.expire_all()
    after = db.get_one(Action, action_id)
    if status == ActionStatus.done and status != before_status:
        _emit(db, WebhookEvent.action_done, after)
    db.commit()
    return to_read(after)


def _stale(action_id: int, expected_version: int) -> PreconditionFailed:
    return PreconditionFailed(
        f"action {action_id} changed since version {expected_version}; read it again"
    )
