"""Learning metrics, counted only over what the caller may see.

Every query carries the visibility predicate of its domain (lessons as their assets,
actions as their lessons, applications as both their lesson and their project, projects
and due-diligence checks as projects), so a restricted lesson never shows, not even as a
count. The window (`from`, `to`, whole days in UTC) selects what was created in it: lessons,
actions, applications, searches and projects. With `team_id`: the team's lessons (their
asset's owning team), actions on them, applications by the team's projects, searches by
the team's members, the team's projects.
"""

import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, false, func, or_, select, text, true
from sqlmodel import Session

from hindsight.schemas.enums import Decision, LessonStatus, Outcome, Role
from hindsight.schemas.metrics import (
    ActionFigures,
    ApplicationFigures,
    LearningMetrics,
    LessonFigures,
    ProjectFigures,
    RecurringRootCause,
    SearchFigures,
    ZeroResultQuery,
)
from hindsight.service.actions import service as actions_service
from hindsight.service.actions.models import Action
from hindsight.service.applications import service as applications_service
from hindsight.service.applications.models import Application
from hindsight.service.auth import Principal
from hindsight.service.due_diligence import access as checks_access
from hindsight.service.due_diligence.models import DueDiligenceCheck
from hindsight.service.errors import ValidationFailed
from hindsight.service.lessons import service as lessons_service
from hindsight.service.lessons.models import Lesson
from hindsight.service.projects import service as projects_service
from hindsight.service.projects.models import Project
from hindsight.service.search.models import SearchLogEntry
from hindsight.service.teams import service as teams_service

TOP_QUERIES = 10
MIN_PROJECTS = 2  # a root cause "recurs" when lessons of this many projects name it


@dataclass(frozen=True)
class Window:
    team_id: int | None
    start: datetime | None
    end: datetime | None  # exclusive

    def of(self, column: Any) -> ColumnElement[bool]:
        clauses = []
        if self.start is not None:
            clauses.append(column >= self.start)
        if self.end is not None:
            clauses.append(column < self.end)
        return and_(true(), *clauses)


def _window(team_id: int | None, start: date | None, end: date | None) -> Window:
    return Window(
        team_id=team_id,
        start=datetime.combine(start, time.min, UTC) if start else None,
        # The last day there is has no next day to end before: the window is then open.
        end=datetime.combine(end + timedelta(days=1), time.min, UTC)
        if end and end < date.max
        else None,
    )


def _lessons(who: Principal, w: Window) -> Select[Any]:
    """Ids of the visible lessons in scope (the team's, created in the window)."""
    return lessons_service.visible_ids(who, team_id=w.team_id).where(w.of(Lesson.created_at))


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _lesson_figures(db: Session, who: Principal, w: Window) -> LessonFigures:
    in_scope = _lessons(who, w)
    rows = db.execute(
        select(Lesson.status, func.count()).where(Lesson.id.in_(in_scope)).group_by(Lesson.status)  # type: ignore[union-attr]
    ).all()
    by_status = {status.value: 0 for status in LessonStatus}
    by_status.update({status: int(n) for status, n in rows})
    total = sum(by_status.values())
    learned = by_status[LessonStatus.learned]
    spans = db.execute(
        select(Lesson.created_at, Lesson.learned_at).where(
            Lesson.id.in_(in_scope),  # type: ignore[union-attr]
            Lesson.status == LessonStatus.learned.value,
            Lesson.learned_at.is_not(None),  # type: ignore[union-attr]
        )
    ).all()
    days = [(learned_at - created).total_seconds() / 86400 for created, learned_at in spans]
    return LessonFigures(
        total=total,
        by_status=by_status,
        actioned_share=_share(by_status[LessonStatus.actioned] + learned, total),
        learned_share=_share(learned, total),
        median_days_to_learned=round(statistics.median(days), 1) if days else None,
    )


def _action_figures(db: Session, who: Principal, w: Window) -> ActionFigures:
    team_lessons = _lessons(who, Window(w.team_id, None, None))
    base = [Action.lesson_id.in_(team_lessons), w.of(Action.created_at)]  # type: ignore[attr-defined]
    open_count = db.execute(
        select(func.count()).where(*base, Action.status.in_(actions_service.OPEN))  # type: ignore[attr-defined]
    ).scalar_one()
    overdue = db.execute(
        select(func.count()).where(*base, actions_service.overdue_clause())
    ).scalar_one()
    return ActionFigures(open=int(open_count), overdue=int(overdue))


def _application_scope(who: Principal, w: Window) -> list[ColumnElement[bool]]:
    return [
        applications_service.visible_to(who),
        Application.project_id.in_(projects_service.visible_ids(who, team_id=w.team_id)),  # type: ignore[attr-defined]
        w.of(Application.created_at),
    ]


def _application_figures(db: Session, who: Principal, w: Window) -> ApplicationFigures:
    rows = db.execute(
        select(Application.decision, Application.outcome, func.count())
        .where(*_application_scope(who, w))
        .group_by(Application.decision, Application.outcome)
    ).all()
    by_decision = {d.value: 0 for d in Decision}
    by_outcome = {o.value: 0 for o in Outcome}
    for decision, outcome, n in rows:
        by_decision[decision] = by_decision.get(decision, 0) + int(n)
        by_outcome[outcome] = by_outcome.get(outcome, 0) + int(n)
    return ApplicationFigures(
        total=sum(by_decision.values()), by_decision=by_decision, by_outcome=by_outcome
    )


def _reuse_rate(db: Session, who: Principal, w: Window, lessons: int) -> float | None:
    """The lessons in scope applied (or adapted) by any project the caller may see."""
    applied = (
        select(Application.lesson_id)
        .where(
            Application.decision.in_(applications_service.APPLIED),  # type: ignore[attr-defined]
            Application.project_id.in_(projects_service.visible_ids(who)),  # type: ignore[attr-defined]
        )
        .distinct()
    )
    reused = db.execute(
        select(func.count()).where(
            Lesson.id.in_(_lessons(who, w)),  # type: ignore[union-attr]
            Lesson.id.in_(applied),  # type: ignore[union-attr]
        )
    ).scalar_one()
    return _share(int(reused), lessons)


def _recurring(db: Session, who: Principal, w: Window) -> list[RecurringRootCause]:
    rows = db.execute(
        select(
            Lesson.root_cause_category,
            func.count(Lesson.id),
            func.count(func.distinct(Lesson.project_id)),
        )
        .where(
            Lesson.id.in_(_lessons(who, w)),  # type: ignore[union-attr]
            Lesson.root_cause_category.is_not(None),  # type: ignore[union-attr]
            Lesson.project_id.in_(projects_service.visible_ids(who)),  # type: ignore[union-attr]
        )
        .group_by(Lesson.root_cause_category)
    ).all()
    found = [
        RecurringRootCause(category=category, lessons=int(lessons), projects=int(projects))
        for category, lessons, projects in rows
        if projects >= MIN_PROJECTS
    ]
    return sorted(found, key=lambda r: (-r.projects, -r.lessons, r.category))


def _by_teams(db: Session, team_ids: list[int], *, name: str) -> ColumnElement[bool]:
    """Search-log entries made by a member of one of these teams (`team_ids` is a JSON
    list, read differently by each database).

    Each use needs its own bind `name`: two text clauses that share one name in a statement
    share one value, so the team asked for would replace the caller's own teams.
    """
    if db.get_bind().dialect.name == "postgresql":
        clause = text(
            "EXISTS (SELECT 1 FROM jsonb_array_elements_text(CAST(search_log.team_ids AS jsonb)) "
            f"AS t(v) WHERE t.v = ANY(CAST(:{name} AS text[])))"
        ).bindparams(bindparam(name, value=[str(t) for t in team_ids]))
    else:
        clause = text(
            f"EXISTS (SELECT 1 FROM json_each(search_log.team_ids) AS t WHERE t.value IN (:{name}))"
        ).bindparams(bindparam(name, value=team_ids, expanding=True))
    return clause  # type: ignore[return-value]


def _search_scope(db: Session, who: Principal, w: Window) -> list[ColumnElement[bool]]:
    """Curators (reviewers and admins) read the whole log; others their teams' searches."""
    scope = [w.of(SearchLogEntry.created_at)]
    if not who.has_role(Role.reviewer):
        own: list[ColumnElement[bool]] = []
        if who.user_id is not None:
            own.append(SearchLogEntry.user_id == who.user_id)  # type: ignore[arg-type]
        if who.team_ids:
            own.append(_by_teams(db, sorted(who.team_ids), name="own_teams"))
        scope.append(or_(false(), *own))
    if w.team_id is not None:
        scope.append(_by_teams(db, [w.team_id], name="asked_team"))
    return scope


def _search_figures(db: Session, who: Principal, w: Window) -> SearchFigures:
    scope = _search_scope(db, who, w)
    by_source = select(SearchLogEntry.source, func.count()).group_by(SearchLogEntry.source)
    counts = dict(db.execute(by_source.where(*scope)).all())
    typed = func.lower(func.trim(SearchLogEntry.query))
    zero = [*scope, SearchLogEntry.source == "search", SearchLogEntry.result_count == 0]
    zero_total = db.execute(select(func.count()).where(*zero)).scalar_one()
    top = db.execute(
        select(typed.label("q"), func.count().label("n"))
        .where(*zero, typed != "")
        .group_by(typed)
        .order_by(func.count().desc(), typed)
        .limit(TOP_QUERIES)
    ).all()
    return SearchFigures(
        total=int(counts.get("search", 0)),
        zero_results=int(zero_total),
        due_diligence_checks=int(counts.get("due_diligence", 0)),
        top_zero_result_queries=[ZeroResultQuery(query=q, count=int(n)) for q, n in top],
    )


def _project_figures(db: Session, who: Principal, w: Window) -> ProjectFigures:
    projects = projects_service.visible_ids(who, team_id=w.team_id).where(w.of(Project.created_at))
    checked = select(DueDiligenceCheck.project_id).where(
        checks_access.visible_to(who),
        DueDiligenceCheck.project_id.is_not(None),  # type: ignore[union-attr]
    )
    total = db.execute(select(func.count()).select_from(projects.subquery())).scalar_one()
    with_check = db.execute(
        select(func.count()).where(Project.id.in_(projects), Project.id.in_(checked))  # type: ignore[union-attr]
    ).scalar_one()
    return ProjectFigures(
        total=int(total),
        with_due_diligence=int(with_check),
        without_due_diligence=int(total) - int(with_check),
    )


def learning(
    db: Session,
    who: Principal,
    *,
    team_id: int | None,
    from_date: date | None,
    to_date: date | None,
) -> LearningMetrics:
    """Raises ValidationFailed for an unknown team (teams are not secret) or a window that
    ends before it starts."""
    if team_id is not None:
        teams_service.require_existing(db, [team_id], field="team_id")
    if from_date and to_date and to_date < from_date:
        raise ValidationFailed("to", "to is before from")
    w = _window(team_id, from_date, to_date)
    lessons = _lesson_figures(db, who, w)
    return LearningMetrics(
        team_id=team_id,
        from_date=from_date,
        to_date=to_date,
        lessons=lessons,
        actions=_action_figures(db, who, w),
        applications=_application_figures(db, who, w),
        reuse_rate=_reuse_rate(db, who, w, lessons.total),
        recurring_root_causes=_recurring(db, who, w),
        searches=_search_figures(db, who, w),
        projects=_project_figures(db, who, w),
    )
