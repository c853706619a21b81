"""A team's progress: per outcome, each assessment's mean current and target score by date,
and the change since the previous assessment. Versions of one framework are compared by
outcome key, so revising the framework does not break the series."""

from sqlmodel import Session

from hindsight.schemas.maturity import FrameworkCreate, OutcomeProgress, ProgressPoint, TeamProgress
from hindsight.service.auth import Principal
from hindsight.service.maturity import framework_service as framework_store
from hindsight.service.maturity import scoring
from hindsight.service.maturity import service as assessments_service
from hindsight.service.maturity.models import Assessment, Framework


def _point(
    framework: Framework,
    assessment: Assessment,
    current: float,
    target: float,
    previous: ProgressPoint | None,
) -> ProgressPoint:
    return ProgressPoint(
        assessment_id=assessment.id or 0,
        assessed_at=assessment.assessed_at,
        framework_id=framework.id or 0,
        framework_version=framework.version,
        mean_current=current,
        mean_target=target,
        change_current=None if previous is None else round(current - previous.mean_current, 3),
    )


def team_progress(
    db: Session, who: Principal, team_id: int, *, framework_key: str | None
) -> TeamProgress:
    """Raises NotFound for a team the caller may not see the assessments of. Without
    `framework_key`, the framework of the team's newest assessment is used."""
    assessments = assessments_service.team_assessments(db, who, team_id)
    versions: dict[int, tuple[Framework, FrameworkCreate]] = {}
    for assessment in assessments:
        if assessment.framework_id not in versions:
            framework = framework_store.get(db, assessment.framework_id)
            versions[assessment.framework_id] = (framework, framework_store.document(framework))
    if framework_key is None and assessments:
        framework_key = versions[assessments[-1].framework_id][0].key
    chosen = [a for a in assessments if versions[a.framework_id][0].key == framework_key]

    overall: list[ProgressPoint] = []
    series: dict[str, list[ProgressPoint]] = {}
    titles: dict[str, str] = {}
    for assessment in chosen:
        framework, doc = versions[assessment.framework_id]
        current, target = scoring.overall(assessment.scores)
        overall.append(
            _point(framework, assessment, current, target, overall[-1] if overall else None)
        )
        for mean in scoring.outcome_means(doc, assessment.scores):
            # The newest version's title wins: it is the wording the team reads today.
            titles[mean.outcome_key] = mean.title
            points = series.setdefault(mean.outcome_key, [])
            previous = points[-1] if points else None
            points.append(
                _point(framework, assessment, mean.mean_current, mean.mean_target, previous)
            )
    return TeamProgress(
        team_id=team_id,
        framework_key=framework_key if chosen else None,
        overall=overall,
        outcomes=[
            OutcomeProgress(outcome_key=key, title=titles[key], points=points)
            for key, points in series.items()
        ],
    )
