"""Live evidence: figures from Hindsight's own data for the assessed team, shown beside the
team's self-score, with the period they cover.

A framework names, per sub-outcome, which figures to show (`evidence_figures`), so any
organisation's framework can use them, not only the starter. Each figure is one entry in
`FIGURES`. Figures whose data Hindsight does not hold yet are registered with `waits_for`
and answer `available: false`; wiring one later is one function:

    def _due_diligence_coverage(db: Session, window: Window) -> Measured:
        ...  # count the team's projects, and those with a check, in the window
        return Measured(value=62.5, note="5 of 8 projects")

    FIGURES["due_diligence_coverage"] = replace(FIGURES["due_diligence_coverage"],
                                                compute=_due_diligence_coverage)

Figures are computed when the assessment is read, over the window that ends at the
assessment's date, so they sit next to the scores they inform. A figure counts the team's own
records that the reader may see (`Window.viewer`): the team itself sees them all, a reviewer
of another team not those the team restricted to itself.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from hindsight.schemas.enums import Role
from hindsight.schemas.maturity import EvidenceFigure, FigureInfo
from hindsight.service.maturity import capture_figures, loop_figures
from hindsight.service.maturity.measures import Compute, Measured, Window
from hindsight.service.maturity.models import Assessment
from hindsight.service.users.models import User, UserTeam

YEAR = timedelta(days=365)
_EARLIEST = datetime.min.replace(tzinfo=UTC)


def year_before(moment: datetime) -> datetime:
    """A year earlier, or the first moment there is for a date in year 1."""
    return moment - YEAR if moment - _EARLIEST >= YEAR else _EARLIEST


@dataclass(frozen=True)
class FigureSpec:
    key: str
    label: str
    unit: str
    compute: Compute | None = None
    waits_for: str = ""


def _assessments_last_year(db: Session, window: Window) -> Measured:
    since = year_before(window.period_to)
    count = db.execute(
        select(func.count())
        .select_from(Assessment)
        .where(
            Assessment.team_id == window.team_id,
            Assessment.assessed_at > since,
            Assessment.assessed_at <= window.period_to,
        )
    ).scalar_one()
    return Measured(
        float(count),
        "this assessment included; the model advises one a year",
        period_from=since,
    )


def _active_members(db: Session, team_id: int) -> list[User]:
    return list(
        db.execute(
            select(User)
            .join(UserTeam, UserTeam.user_id == User.id)
            .where(UserTeam.team_id == team_id, User.is_active.is_(True))
        ).scalars()
    )


def _team_curators(db: Session, window: Window) -> Measured:
    members = _active_members(db, window.team_id)
    curators = [m for m in members if Role(m.role).rank >= Role.reviewer.rank]
    return Measured(
        float(len(curators)),
        f"{len(curators)} of {len(members)} active members hold the reviewer role or above "
        "(they review and publish the team's learning); current membership",
        as_of_now=True,
    )


def _members_with_specialisms(db: Session, window: Window) -> Measured:
    members = _active_members(db, window.team_id)
    if not members:
        return Measured(0.0, "the team has no active members", as_of_now=True)
    listed = sum(1 for m in members if m.specialisms)
    return Measured(
        round(100.0 * listed / len(members), 1),
        f"{listed} of {len(members)} active members list a specialism others can search for",
        as_of_now=True,
    )


FIGURES: dict[str, FigureSpec] = {
    spec.key: spec
    for spec in (
        FigureSpec(
            "maturity_assessments_last_year",
            "maturity self-assessments by the team in the 12 months to this one",
            "assessments",
            compute=_assessments_last_year,
        ),
        FigureSpec(
            "team_curators",
            "team members who review and publish learning",
            "people",
            compute=_team_curators,
        ),
        FigureSpec(
            "members_with_specialisms",
            "team members whose profile lists a specialism",
            "%",
            compute=_members_with_specialisms,
        ),
        FigureSpec(
            "due_diligence_coverage",
            "the team's projects with a due-diligence check",
            "%",
            compute=loop_figures.due_diligence_coverage,
        ),
        FigureSpec(
            "lessons_applied_by_projects",
            "lessons the team's projects decided to apply or adapt",
            "lessons",
            compute=loop_figures.lessons_applied_by_projects,
        ),
        FigureSpec(
            "reviews_per_project",
            "retrospects and post-project reviews logged per project",
            "reviews per project",
            compute=capture_figures.reviews_per_project,
        ),
        FigureSpec(
            "case_studies_published",
            "case studies and knowledge-café notes published by the team",
            "assets",
            compute=capture_figures.case_studies_published,
        ),
        FigureSpec(
            "lessons_reused_elsewhere",
            "the team's lessons applied by other teams' projects",
            "lessons",
            compute=loop_figures.lessons_reused_elsewhere,
        ),
        FigureSpec(
            "barrier_lessons_share",
            "the team's lessons about barriers, not only success factors",
            "%",
            compute=capture_figures.barrier_lessons_share,
        ),
        FigureSpec(
            "lessons_actioned_share",
            "the team's lessons actioned or learned",
            "%",
            compute=loop_figures.lessons_actioned_share,
        ),
        FigureSpec(
            "overdue_actions",
            "open actions on the team's lessons past their due date",
            "actions",
            compute=loop_figures.overdue_actions,
        ),
        FigureSpec(
            "lessons_learned_share",
            "the team's lessons learned, with evidence of change",
            "%",
            compute=loop_figures.lessons_learned_share,
        ),
        FigureSpec(
            "applications_helped_share",
            "applications of lessons by the team's projects that helped",
            "%",
            compute=loop_figures.applications_helped_share,
        ),
        FigureSpec(
            "recurring_root_causes",
            "root-cause categories recurring across the team's projects",
            "categories",
            compute=loop_figures.recurring_root_causes,
        ),
    )
}


def catalogue() -> list[FigureInfo]:
    return [
        FigureInfo(
            key=spec.key,
            label=spec.label,
            unit=spec.unit,
            available=spec.compute is not None,
            note="" if spec.compute else f"waits for {spec.waits_for}",
        )
        for spec in FIGURES.values()
    ]


def figures(
    db: Session, keys: Sequence[str], window: Window, now: datetime
) -> list[EvidenceFigure]:
    """The figures named by `keys` for `window`. An unknown or unwired key is `available:
    false` with a note, never an error: a framework outlives the figures it names."""
    shown: list[EvidenceFigure] = []
    for key in keys:
        spec = FIGURES.get(key)
        base = {"key": key, "period_from": window.period_from, "period_to": window.period_to}
        if spec is None:
            shown.append(
                EvidenceFigure(
                    **base,
                    label=key,
                    value=None,
                    unit="",
                    available=False,
                    note="Hindsight has no figure by this name",
                )
            )
        elif spec.compute is None:
            shown.append(
                EvidenceFigure(
                    **base,
                    label=spec.label,
                    value=None,
                    unit=spec.unit,
                    available=False,
                    note=f"waits for {spec.waits_for}",
                )
            )
        else:
            measured = spec.compute(db, window)
            if measured.as_of_now:
                base.update(period_from=None, period_to=now)
            elif measured.period_from is not None:
                base["period_from"] = measured.period_from
            shown.append(
                EvidenceFigure(
                    **base,
                    label=spec.label,
                    value=measured.value,
                    unit=spec.unit,
                    available=True,
                    note=measured.note,
                )
            )
    return shown
