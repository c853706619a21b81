"""Evidence figures drawn from what teams capture: projects, knowledge assets and lessons.

Each counts the assessed team's own records created inside the assessment's window, of
those the reader of the figures may see.
"""

from sqlalchemy import func, select
from sqlmodel import Session

from hindsight.schemas.enums import AssetKind, AssetStatus, Polarity
from hindsight.service.assets import access as asset_access
from hindsight.service.assets.models import Asset
from hindsight.service.lessons import access as lessons_access
from hindsight.service.lessons.models import Lesson
from hindsight.service.maturity.measures import Measured, Window
from hindsight.service.projects import service as projects_service
from hindsight.service.projects.models import Project

REVIEW_KINDS = (AssetKind.retrospect, AssetKind.post_project_review, AssetKind.after_action_review)
SHARING_KINDS = (AssetKind.case_study, AssetKind.knowledge_cafe)


def _in_window(column: object, window: Window) -> tuple[object, object]:
    return (column > window.period_from, column <= window.period_to)  # type: ignore[operator]


def reviews_per_project(db: Session, window: Window) -> Measured:
    projects = db.execute(
        select(func.count())
        .select_from(Project)
        .where(
            Project.owning_team_id == window.team_id,
            Project.created_at <= window.period_to,
            projects_service.visible_to(window.viewer),
        )
    ).scalar_one()
    reviews = db.execute(
        select(func.count())
        .select_from(Asset)
        .where(
            Asset.owning_team_id == window.team_id,
            asset_access.visible_to(window.viewer),
            Asset.kind.in_([kind.value for kind in REVIEW_KINDS]),
            *_in_window(Asset.created_at, window),
        )
    ).scalar_one()
    if not projects:
        return Measured(0.0, f"{reviews} reviews logged; the team has no projects yet")
    return Measured(
        round(reviews / projects, 2),
        f"{reviews} retrospects, post-project and after-action reviews over {projects} projects",
    )


def case_studies_published(db: Session, window: Window) -> Measured:
    published = db.execute(
        select(func.count())
        .select_from(Asset)
        .where(
            Asset.owning_team_id == window.team_id,
            asset_access.visible_to(window.viewer),
            Asset.kind.in_([kind.value for kind in SHARING_KINDS]),
            Asset.status.in_([AssetStatus.published.value, AssetStatus.archived.value]),
            *_in_window(Asset.published_at, window),
        )
    ).scalar_one()
    return Measured(float(published), "case studies and knowledge-café notes published")


def barrier_lessons_share(db: Session, window: Window) -> Measured:
    rows = db.execute(
        select(Lesson.polarity, func.count())
        .where(
            Lesson.owning_team_id == window.team_id,
            lessons_access.visible_to(window.viewer),
            *_in_window(Lesson.created_at, window),
        )
        .group_by(Lesson.polarity)
    ).all()
    counts = {polarity: count for polarity, count in rows}
    total = sum(counts.values())
    if not total:
        return Measured(0.0, "the team logged no lessons in this period")
    barriers = counts.get(Polarity.barrier.value, 0)
    return Measured(
        round(100.0 * barriers / total, 1),
        f"{barriers} of {total} lessons name a barrier; a team that feels safe records what "
        "went wrong, not only what went well",
    )
