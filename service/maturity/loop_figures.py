"""Evidence figures from the learning loop: due-diligence checks, the lesson lifecycle,
actions, applications and their outcomes, recurring root causes.

Each counts the assessed team's own records (its projects, the lessons of its assets) that
the reader of the figures may see, inside the assessment's window unless the figure says
otherwise.
"""

from datetime import date

from sqlalchemy import and_, distinct, func, select
from sqlmodel import Session

from hindsight.schemas.enums import LessonStatus, Outcome
from hindsight.service.actions import service as actions_service
from hindsight.service.actions.models import Action
from hindsight.service.applications import service as applications_service
from hindsight.service.applications.models import Application
from hindsight.service.due_diligence import access as checks_access
from hindsight.service.due_diligence.models import DueDiligenceCheck
from hindsight.service.lessons import access as lessons_access
from hindsight.service.lessons.models import Lesson
from hindsight.service.maturity.measures import Measured, Window
from hindsight.service.projects import service as projects_service
from hindsight.service.projects.models import Project

_KNOWN_OUTCOMES = (Outcome.helped.value, Outcome.no_effect.value, Outcome.hindered.value)
MIN_PROJECTS = 2


def _in_window(column: object, window: Window) -> tuple[object, object]:
    return (column > window.period_from, column <= window.period_to)  # type: ignore[operator]


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _team_lessons(window: Window) -> object:
    return and_(
        Lesson.owning_team_id == window.team_id,
        lessons_access.visible_to(window.viewer),
    )


def _team_projects(window: Window) -> object:
    return projects_service.visible_ids(window.viewer, team_id=window.team_id)


def _applications(window: Window) -> object:
    return applications_service.visible_to(window.viewer)


def due_diligence_coverage(db: Session, window: Window) -> Measured:
    projects = projects_service.visible_ids(window.viewer, team_id=window.team_id).where(
        Project.created_at <= window.period_to
    )
    total = db.execute(select(func.count()).select_from(projects.subquery())).scalar_one()
    checked = db.execute(
        select(func.count(distinct(DueDiligenceCheck.project_id))).where(
            DueDiligenceCheck.project_id.in_(projects),  # type: ignore[union-attr]
            checks_access.visible_to(window.viewer),
            DueDiligenceCheck.created_at <= window.period_to,
        )
    ).scalar_one()
    if not total:
        return Measured(0.0, "the team has no projects yet")
    return Measured(
        _pct(checked, total),
        f"{checked} of {total} projects searched past learning (a due-diligence check) "
        "before or while they ran",
    )


def lessons_applied_by_projects(db: Session, window: Window) -> Measured:
    applied = db.execute(
        select(func.count(distinct(Application.lesson_id))).where(
            Application.project_id.in_(_team_projects(window)),  # type: ignore[attr-defined]
            Application.decision.in_(applications_service.APPLIED),  # type: ignore[attr-defined]
            _applications(window),
            *_in_window(Application.created_at, window),
        )
    ).scalar_one()
    return Measured(
        float(applied), "distinct lessons the team's projects decided to apply or adapt"
    )


def lessons_reused_elsewhere(db: Session, window: Window) -> Measured:
    others = projects_service.visible_ids(window.viewer).where(
        Project.owning_team_id != window.team_id
    )
    team_lessons = select(Lesson.id).where(_team_lessons(window))  # type: ignore[arg-type]
    reused = db.execute(
        select(func.count(distinct(Application.lesson_id))).where(
            Application.lesson_id.in_(team_lessons),  # type: ignore[attr-defined]
            Application.project_id.in_(others),  # type: ignore[attr-defined]
            Application.decision.in_(applications_service.APPLIED),  # type: ignore[attr-defined]
            _applications(window),
            *_in_window(Application.created_at, window),
        )
    ).scalar_one()
    return Measured(float(reused), "the team's lessons applied or adapted by other teams' projects")


def _status_counts(db: Session, window: Window) -> dict[str, int]:
    rows = db.execute(
        select(Lesson.status, func.count())
        .where(_team_lessons(window), *_in_window(Lesson.created_at, window))  # type: ignore[arg-type]
        .group_by(Lesson.status)
    ).all()
    return {status: int(n) for status, n in rows}


def lessons_actioned_share(db: Session, window: Window) -> Measured:
    counts = _status_counts(db, window)
    total = sum(counts.values())
    if not total:
        return Measured(0.0, "the team logged no lessons in this period")
    done = counts.get(LessonStatus.actioned.value, 0) + counts.get(LessonStatus.learned.value, 0)
    return Measured(
        _pct(done, total),
        f"{done} of {total} lessons logged in the period are actioned or learned now",
    )


def lessons_learned_share(db: Session, window: Window) -> Measured:
    counts = _status_counts(db, window)
    total = sum(counts.values())
    if not total:
        return Measured(0.0, "the team logged no lessons in this period")
    learned = counts.get(LessonStatus.learned.value, 0)
    return Measured(
        _pct(learned, total),
        f"{learned} of {total} lessons logged in the period are learned now, with evidence "
        "of what changed",
    )


def overdue_actions(db: Session, window: Window) -> Measured:
    team_lessons = select(Lesson.id).where(_team_lessons(window))  # type: ignore[arg-type]
    today: date = actions_service.today()
    overdue = db.execute(
        select(func.count()).where(
            Action.lesson_id.in_(team_lessons),  # type: ignore[attr-defined]
            actions_service.visible_to(window.viewer),
            actions_service.overdue_clause(today),
        )
    ).scalar_one()
    return Measured(
        float(overdue),
        "open or in-progress actions on the team's lessons past their due date, today",
        as_of_now=True,
    )


def applications_helped_share(db: Session, window: Window) -> Measured:
    rows = db.execute(
        select(Application.outcome, func.count())
        .where(
            Application.project_id.in_(_team_projects(window)),  # type: ignore[attr-defined]
            Application.outcome.in_(_KNOWN_OUTCOMES),  # type: ignore[attr-defined]
            _applications(window),
            *_in_window(Application.updated_at, window),
        )
        .group_by(Application.outcome)
    ).all()
    counts = {outcome: int(n) for outcome, n in rows}
    known = sum(counts.values())
    if not known:
        return Measured(0.0, "no outcome of an applied lesson was recorded in this period")
    helped = counts.get(Outcome.helped.value, 0)
    return Measured(
        _pct(helped, known),
        f"{helped} of {known} applied lessons with a recorded outcome helped",
    )


def recurring_root_causes(db: Session, window: Window) -> Measured:
    rows = db.execute(
        select(Lesson.root_cause_category, func.count(distinct(Lesson.project_id)))
        .where(
            _team_lessons(window),
            Lesson.root_cause_category.is_not(None),  # type: ignore[union-attr]
            Lesson.project_id.is_not(None),  # type: ignore[union-attr]
            *_in_window(Lesson.created_at, window),
        )
        .group_by(Lesson.root_cause_category)
    ).all()
    recurring = sorted(
        ((category, int(n)) for category, n in rows if n >= MIN_PROJECTS),
        key=lambda kv: (-kv[1], kv[0]),
    )
    if not recurring:
        return Measured(0.0, "no root-cause category recurs across the team's projects")
    named = ", ".join(f"{category} ({n} projects)" for category, n in recurring)
    return Measured(float(len(recurring)), f"recurring: {named}")
