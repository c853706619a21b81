"""The lesson lifecycle: identified -> action_planned -> actioned -> learned, or not_actioned
with a reason. A lesson is not learned until something changed, so each move checks its
condition (open actions, finished actions, evidence of change) and refuses with what is
missing. Each move bumps the version, is kept in the history and re-indexes the lesson
(status is a search facet)."""

from sqlalchemy import update
from sqlmodel import Session

from hindsight.schemas.enums import ActionStatus, LessonStatus, WebhookEvent
from hindsight.schemas.lessons import LessonRead, LessonTransition
from hindsight.service import ownership as own
from hindsight.service.actions import service as actions_service
from hindsight.service.auth import Principal
from hindsight.service.columns import utcnow
from hindsight.service.errors import InvalidTransition, PreconditionFailed
from hindsight.service.history import service as history
from hindsight.service.lessons import service as lessons_service
from hindsight.service.lessons.models import Lesson
from hindsight.service.outbox import service as outbox

S = LessonStatus
ALLOWED: dict[LessonStatus, tuple[LessonStatus, ...]] = {
    S.identified: (S.action_planned, S.not_actioned),
    S.action_planned: (S.actioned, S.not_actioned),
    S.actioned: (S.learned, S.not_actioned),
    S.learned: (S.not_actioned,),
    S.not_actioned: (S.identified,),
}


def _allowed_message(current: LessonStatus, wanted: LessonStatus) -> str:
    names = " or ".join(target.value for target in ALLOWED[current])
    if current is wanted:
        return f"the lesson is {current.value} already; from here it can move to {names}"
    return f"the lesson is {current.value}; from here it can move to {names}, not {wanted.value}"


def _missing(db: Session, lesson_id: int, move: LessonTransition) -> str | None:
    """What the move still needs, in words a person can act on; None when it may happen."""
    statuses = actions_service.statuses_of(db, lesson_id)
    if move.to is S.action_planned and not any(s in actions_service.OPEN for s in statuses):
        return (
            "planning needs an open action: add one with POST /v1/actions "
            f'{{"lesson_id": {lesson_id}, ...}} (status open or in_progress), then move again'
        )
    if move.to is S.actioned:
        unfinished = sum(1 for s in statuses if s in actions_service.OPEN)
        if unfinished:
            return (
                f"{unfinished} of the lesson's {len(statuses)} actions are still open or in "
                "progress; mark each done (with evidence) or cancelled first"
            )
        if ActionStatus.done.value not in statuses:
            return "actioned needs at least one action done (with evidence); none is done"
    if move.to is S.learned and not (move.evidence_of_change or "").strip():
        return (
            "learned needs evidence_of_change: say what changed, and where it can be seen "
            "(a lesson is not learned until something changed)"
        )
    if move.to is S.not_actioned and not (move.reason or "").strip():
        return "not_actioned needs a reason: say why the lesson will not be acted on"
    return None


def transition(
    db: Session, who: Principal, lesson_id: int, move: LessonTransition, *, expected_version: int
) -> LessonRead:
    """Move the lesson to `move.to`. Raises NotFound (hidden), PreconditionFailed (stale),
    InvalidTransition (not allowed from here, or its condition unmet, with what is missing)
    and Forbidden (only contributors of the owning team, reviewers and admins move lessons)."""
    lesson = lessons_service.get_visible(db, who, lesson_id)
    if lesson.version != expected_version:
        raise _stale(lesson_id, expected_version)
    current = LessonStatus(lesson.status)
    if move.to not in ALLOWED[current]:
        raise InvalidTransition(_allowed_message(current, move.to))
    before = lessons_service.to_read(db, lesson)
    own.require_edit(who, before.owning_team_id, "lesson")
    missing = _missing(db, lesson_id, move)
    if missing is not None:
        raise InvalidTransition(f"the lesson cannot move to {move.to.value} yet: {missing}")
    now = utcnow()
    values: dict[str, object] = {"status": move.to.value}
    if move.to is S.learned:
        values.update(learned_at=now, evidence_of_change=move.evidence_of_change)
    elif current is S.learned:
        values["learned_at"] = None  # no longer learned; the history keeps when it was
    # The reason explains the current status, so it goes with the status it was given for.
    values["status_reason"] = (move.reason or "").strip() or None
    result = db.execute(
        update(Lesson)
        .where(Lesson.id == lesson_id, Lesson.version == expected_version)  # type: ignore[arg-type]
        .values(**values, version=expected_version + 1, updated_at=now)
    )
    if result.rowcount == 0:
        raise _stale(lesson_id, expected_version)
    db.flush()
    db.expire_all()
    after = lessons_service.to_read(db, db.get_one(Lesson, lesson_id))
    fields = history.changed_fields(before.model_dump(), after.model_dump())
    comment = move.reason or ""
    history.record(
        db, who, entity_type=lessons_service.ENTITY, earlier=before, fields=fields, comment=comment
    )
    outbox.enqueue(db, entity_type=lessons_service.ENTITY, entity_id=lesson_id)
    lessons_service.emit(
        db,
        WebhookEvent.lesson_status_changed,
        db.get_one(Lesson, lesson_id),
        **{"from": current.value, "to": move.to.value},
    )
    db.commit()
    return after


def _stale(lesson_id: int, expected_version: int) -> PreconditionFailed:
    return PreconditionFailed(
        f"lesson {lesson_id} changed since version {expected_version}; read it again"
    )
