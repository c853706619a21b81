"""Entry points for the chart and the CSV exports: visibility first, then rendering."""

from sqlmodel import Session

from hindsight.service.auth import Principal
from hindsight.service.maturity import chart, export, frameworks, scoring
from hindsight.service.maturity import service as assessments_service


def chart_svg(db: Session, who: Principal, assessment_id: int) -> str:
    """Raises NotFound for an assessment the caller may not see."""
    assessment = assessments_service.get_visible(db, who, assessment_id)
    framework, doc = assessments_service.framework_of(db, assessment)
    priority_outcomes = {
        located.outcome.key
        for key, located in frameworks.index(doc).items()
        if any(s["priority"] and s["sub_outcome_key"] == key for s in assessment.scores)
    }
    team = assessments_service.team_name(db, assessment.team_id)
    when = assessment.assessed_at
    return chart.render(
        chart.ChartSpec(
            title=f"KM maturity of {team}, {when.day} {when:%B %Y}",
            subtitle=f"{framework.name} (version {framework.version}); bars are means of the "
            "sub-outcome scores",
            levels=sorted((level.level, level.label) for level in doc.levels),
            bars=[
                chart.Bar(
                    outcome_key=mean.outcome_key,
                    title=mean.title,
                    current=mean.mean_current,
                    target=mean.mean_target,
                    priority=mean.outcome_key in priority_outcomes,
                )
                for mean in scoring.outcome_means(doc, assessment.scores)
            ],
        )
    )


def assessment_csv(db: Session, who: Principal, assessment_id: int) -> str:
    return export.to_csv(db, [assessments_service.get_visible(db, who, assessment_id)])


def team_csv(db: Session, who: Principal, team_id: int) -> str:
    """Every assessment of the team, oldest first. Raises NotFound as the progress view does."""
    return export.to_csv(db, assessments_service.team_assessments(db, who, team_id))
