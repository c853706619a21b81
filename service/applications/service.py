"""Applications: a lesson considered by a later project, with the decision and the outcome.

An application is visible only when both its lesson and its project are: it says something
about each. Recording one is the project's business, so the project's editors record it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from hindsight.schemas.applications import ApplicationCreate, ApplicationRead, ApplicationUpdate
from hindsight.schemas.enums import Decision, Outcome, WebhookEvent
from hindsight.service import idempotency
from hindsight.service import ownership as own
from hindsight.service.applications.models import Application
from hindsight.service.auth import Principal
from hindsight.service.columns import utcnow
from hindsight.service.due_diligence import access as checks_access
from hindsight.service.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from hindsight.service.events import service as events
from hindsight.service.lessons import service as lessons_service
from hindsight.service.pagination import fetch_page
from hindsight.service.projects import service as projects_service

APPLIED = (Decision.apply.value, Decision.adapt.value)
_REQUIRED = ("decision", "note", "outcome", "outcome_note")


def visible_to(who: Principal) -> ColumnElement[bool]:
    if who.is_admin:
        return true()
    return and_(
        Application.lesson_id.in_(lessons_service.visible_ids(who)),  # type: ignore[attr-defined]
        Application.project_id.in_(projects_service.visible_ids(who)),  # type: ignore[attr-defined]
    )


def to_read(application: Application) -> ApplicationRead:
    return ApplicationRead.model_validate(application)


def get_visible(db: Session, who: Principal, application_id: int) -> Application:
    """Raises NotFound for a missing application and a hidden one alike."""
    found = db.execute(
        select(Application).where(Application.id == application_id, visible_to(who))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"there is no application {application_id}")
    return found


def list_visible(
    db: Session, who: Principal, *, filters: dict[str, Any], limit: int, offset: int
) -> tuple[list[ApplicationRead], int]:
    stmt: Select[Any] = select(Application).where(visible_to(who))
    for name in ("lesson_id", "project_id", "due_diligence_id", "decision", "outcome"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(Application, name) == filters[name])
    rows, total = fetch_page(
        db,
        stmt,
        order_by=(Application.created_at.desc(), Application.id.desc()),  # type: ignore[attr-defined,union-attr]
        limit=limit,
        offset=offset,
    )
    return [to_read(row) for row in rows], total


def _emit_outcome(db: Session, application: Application) -> None:
    assert application.id is not None
    data = {
        "lesson_id": application.lesson_id,
        "project_id": application.project_id,
        "decision": application.decision,
        "outcome": application.outcome,
        "outcome_note": application.outcome_note,
    }
    events.emit(
        db,
        WebhookEvent.application_outcome_recorded,
        item_type="application",
        item_id=application.id,
        data=data,
    )


def _check_outcome(decision: str, outcome: str) -> None:
    if decision == Decision.not_applicable and outcome != Outcome.pending:
        raise ValidationFailed(
            "body.outcome",
            "a lesson judged not_applicable was not applied, so it has no outcome; "
            "change the decision to apply or adapt first",
        )


def _editable_project(db: Session, who: Principal, project_id: int, *, field: str) -> int:
    project = projects_service.get_linkable(db, who, project_id, field=field)
    own.require_edit(who, project.owning_team_id, "project's applications")
    return project_id


def create(
    db: Session, who: Principal, payload: ApplicationCreate, *, claim: idempotency.Claim | None
) -> ApplicationRead:
    """Raises ValidationFailed for a lesson, project or check the caller cannot see (or a
    check of another project), Forbidden unless the caller may edit the project, and
    Conflict when the check already has a decision on this lesson."""
    lessons_service.get_linkable(db, who, payload.lesson_id, field="body.lesson_id")
    _editable_project(db, who, payload.project_id, field="body.project_id")
    if payload.due_diligence_id is not None:
        check = checks_access.get_linkable(
            db, who, payload.due_diligence_id, field="body.due_diligence_id"
        )
        if check.project_id is not None and check.project_id != payload.project_id:
            raise ValidationFailed(
                "body.due_diligence_id",
                f"due-diligence check {check.id} was run for project {check.project_id}, "
                f"not {payload.project_id}",
            )
        earlier = _for_check(db, payload.due_diligence_id, [payload.lesson_id])
        if earlier:
            found = next(iter(earlier.values()))
            raise Conflict(
                f"check {payload.due_diligence_id} already has a decision on lesson "
                f"{payload.lesson_id} (application {found.id}); PATCH that one instead"
            )
    _check_outcome(payload.decision, payload.outcome)
    now = utcnow()
    application = Application(
        **payload.model_dump(), created_by_id=who.user_id, created_at=now, updated_at=now
    )
    db.add(application)
    try:
        db.flush()
        if application.outcome != Outcome.pending:
            _emit_outcome(db, application)
        return idempotency.commit_created(db, claim, to_read(application))
    except IntegrityError as exc:  # the same check and lesson, posted twice at once
        db.rollback()
        raise Conflict(
            f"check {payload.due_diligence_id} got a decision on lesson {payload.lesson_id} "
            "meanwhile; read it (GET /v1/applications) and PATCH it instead"
        ) from exc


def update_application(
    db: Session,
    who: Principal,
    application_id: int,
    patch: ApplicationUpdate,
    *,
    expected_version: int,
) -> ApplicationRead:
    """Apply `patch` if the application is still at `expected_version` (412 otherwise)."""
    application = get_visible(db, who, application_id)
    outcome_before = application.outcome
    _editable_project(db, who, application.project_id, field="project_id")
    changes = patch.model_dump(exclude_unset=True)
    own.reject_nulls(changes, _REQUIRED)
    _check_outcome(
        changes.get("decision", application.decision), changes.get("outcome", application.outcome)
    )
    if application.version != expected_version:
        raise _stale(application_id, expected_version)
    result = db.execute(
        update(Application)
        .where(Application.id == application_id, Application.version == expected_version)  # type: ignore[arg-type]
        .values(**changes, version=expected_version + 1, updated_at=utcnow())
    )
    if result.rowcount == 0:
        raise _stale(application_id, expected_version)
    db.flush()
    db.expire_all()
    after = db.get_one(Application, application_id)
    if after.outcome != Outcome.pending and after.outcome != outcome_before:
        _emit_outcome(db, after)
    db.commit()
    return to_read(after)


@dataclass(frozen=True)
class DecisionInput:
    lesson_id: int
    decision: str
    note: str


def _for_check(db: Session, check_id: int, lesson_ids: Sequence[int]) -> dict[int, Application]:
    rows = db.execute(
        select(Application).where(
            Application.due_diligence_id == check_id,
            Application.lesson_id.in_(lesson_ids),  # type: ignore[attr-defined]
        )
    ).scalars()
    return {row.lesson_id: row for row in rows}


def record_decisions(
    db: Session, who: Principal, *, check_id: int, project_id: int, items: list[DecisionInput]
) -> list[ApplicationRead]:
    """A check's decisions as applications, one per lesson: a lesson decided before is
    updated (posting the same decisions twice changes nothing). No commit: the caller's."""
    _editable_project(db, who, project_id, field="project_id")
    for i, item in enumerate(items):
        lessons_service.get_linkable(db, who, item.lesson_id, field=f"body[{i}].lesson_id")
    earlier = _for_check(db, check_id, [item.lesson_id for item in items])
    now = utcnow()
    out: list[Application] = []
    for item in items:
        found = earlier.get(item.lesson_id)
        if found is None:
            found = Application(
                lesson_id=item.lesson_id,
                project_id=project_id,
                due_diligence_id=check_id,
                decision=item.decision,
                note=item.note,
                created_by_id=who.user_id,
                created_at=now,
                updated_at=now,
            )
            db.add(found)
        elif (found.decision, found.note) != (item.decision, item.note):
            found.decision, found.note = item.decision, item.note
            if item.decision == Decision.not_applicable:
                found.outcome = Outcome.pending.value
            found.version += 1
            found.updated_at = now
        out.append(found)
    db.flush()
    return [to_read(row) for row in out]


@dataclass(frozen=True)
class Track:
    """How a lesson fared when later projects applied it (the caller's visible ones)."""

    applied: int = 0
    helped: int = 0
    no_effect: int = 0
    hindered: int = 0


def track_records(db: Session, who: Principal, lesson_ids: Sequence[int]) -> dict[int, Track]:
    """Per lesson: applications that applied or adapted it, and their outcomes, in one query.
    `lesson_ids` must be lessons the caller may see; the projects are checked here (the
    lesson subquery is left out because it is the slow half, and the caller did it)."""
    if not lesson_ids:
        return {}
    visible_projects = projects_service.visible_ids(who)
    rows = db.execute(
        select(Application.lesson_id, Application.outcome, func.count())
        .where(
            Application.lesson_id.in_(lesson_ids),  # type: ignore[attr-defined]
            Application.decision.in_(APPLIED),  # type: ignore[attr-defined]
            Application.project_id.in_(visible_projects),  # type: ignore[attr-defined]
        )
        .group_by(Application.lesson_id, Application.outcome)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for lesson_id, outcome, n in rows:
        counts.setdefault(lesson_id, {})[outcome] = int(n)
    return {
        lesson_id: Track(
            applied=sum(by.values()),
            helped=by.get(Outcome.helped.value, 0),
            no_effect=by.get(Outcome.no_effect.value, 0),
            hindered=by.get(Outcome.hindered.value, 0),
        )
        for lesson_id, by in counts.items()
    }


def _stale(application_id: int, expected_version: int) -> PreconditionFailed:
    return PreconditionFailed(
        f"application {application_id} changed since version {expected_version}; read it again"
    )
