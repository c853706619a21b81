"""Team self-assessments: create, revise, read with live evidence, list, progress.

Who sees what: a team's assessments are seen by the team's members, reviewers and admins;
for anyone else they do not exist (404, absent from lists and totals). Who writes: members
of the team with the contributor role or above, and admins.
"""

from sqlalchemy import ColumnElement, select, true
from sqlalchemy import update as sql_update
from sqlmodel import Session

from hindsight.schemas.enums import Role
from hindsight.schemas.maturity import (
    AssessmentCreate,
    AssessmentRead,
    AssessmentSummary,
    AssessmentUpdate,
    FrameworkCreate,
    ScoreRead,
)
from hindsight.service import idempotency
from hindsight.service.auth import Principal
from hindsight.service.columns import utcnow
from hindsight.service.errors import Forbidden, NotFound, PreconditionFailed, ValidationFailed
from hindsight.service.maturity import evidence, frameworks, scoring
from hindsight.service.maturity import framework_service as framework_store
from hindsight.service.maturity.models import Assessment, Framework
from hindsight.service.pagination import fetch_page
from hindsight.service.teams.models import Team


def visible_to(who: Principal) -> ColumnElement[bool]:
    """Assessments `who` may read, as a WHERE clause."""
    if who.has_role(Role.reviewer):
        return true()
    return Assessment.team_id.in_(sorted(who.team_ids))


def may_see_team(who: Principal, team_id: int) -> bool:
    return who.has_role(Role.reviewer) or who.in_team(team_id)


def _require_writer(who: Principal, team_id: int) -> None:
    if who.is_admin:
        return
    if not (who.in_team(team_id) and who.has_role(Role.contributor)):
        raise Forbidden(
            f"only contributors in team {team_id} (or admins) record its self-assessments"
        )


def get_visible(db: Session, who: Principal, assessment_id: int) -> Assessment:
    """Raises NotFound for a missing assessment and for one the caller may not see alike."""
    found = db.execute(
        select(Assessment).where(Assessment.id == assessment_id, visible_to(who))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"there is no maturity assessment {assessment_id}")
    return found


def _framework_for_create(db: Session, framework_id: int) -> Framework:
    framework = db.get(Framework, framework_id)
    if framework is None:
        raise ValidationFailed("body.framework_id", f"there is no framework {framework_id}")
    return framework


def create(
    db: Session, who: Principal, payload: AssessmentCreate, *, claim: idempotency.Claim | None
) -> AssessmentRead:
    """Record a team's scores on one framework version. Raises ValidationFailed for an
    unknown team or framework and for bad scores, Forbidden for a caller outside the team."""
    if db.get(Team, payload.team_id) is None:
        raise ValidationFailed("body.team_id", f"there is no team {payload.team_id}")
    _require_writer(who, payload.team_id)
    framework = _framework_for_create(db, payload.framework_id)
    scores = scoring.check(framework_store.document(framework), payload.scores)
    assessment = Assessment(
        framework_id=payload.framework_id,
        team_id=payload.team_id,
        assessed_at=payload.assessed_at,
        notes=payload.notes,
        scores=scores,
        created_by_user_id=who.user_id,
    )
    db.add(assessment)
    db.flush()
    return idempotency.commit_created(db, claim, read(db, who, assessment, with_evidence=True))


def update(
    db: Session,
    who: Principal,
    assessment_id: int,
    patch: AssessmentUpdate,
    *,
    expected_version: int,
) -> Assessment:
    """Revise the date, notes or the whole set of scores. Raises PreconditionFailed when
    the assessment changed since `expected_version`."""
    assessment = get_visible(db, who, assessment_id)
    _require_writer(who, assessment.team_id)
    changes = patch.model_dump(exclude_unset=True, exclude_none=True, include={"notes"})
    if patch.assessed_at is not None:
        changes["assessed_at"] = patch.assessed_at
    if patch.scores is not None:
        framework = framework_store.get(db, assessment.framework_id)
        changes["scores"] = scoring.check(framework_store.document(framework), patch.scores)
    # The version test is part of the UPDATE, so two concurrent writers cannot both pass it.
    result = db.execute(
        sql_update(Assessment)
        .where(Assessment.id == assessment_id, Assessment.version == expected_version)
        .values(**changes, version=expected_version + 1, updated_at=utcnow())
    )
    if result.rowcount == 0:
        raise PreconditionFailed(
            f"assessment {assessment_id} changed since version {expected_version}; read it again"
        )
    db.commit()
    db.expire_all()
    return get_visible(db, who, assessment_id)


def list_visible(
    db: Session,
    who: Principal,
    *,
    team_id: int | None,
    framework_id: int | None,
    limit: int,
    offset: int,
) -> tuple[list[AssessmentSummary], int]:
    """Visible assessments, newest first; the total counts only those."""
    stmt = select(Assessment).where(visible_to(who))
    if team_id is not None:
        stmt = stmt.where(Assessment.team_id == team_id)
    if framework_id is not None:
        stmt = stmt.where(Assessment.framework_id == framework_id)
    rows, total = fetch_page(
        db,
        stmt,
        order_by=(Assessment.assessed_at.desc(), Assessment.id.desc()),
        limit=limit,
        offset=offset,
    )
    cache: dict[int, Framework] = {}
    return [_summary(_framework(db, row.framework_id, cache), row) for row in rows], total


def team_assessments(db: Session, who: Principal, team_id: int) -> list[Assessment]:
    """Every assessment of a team, oldest first. Raises NotFound for a missing team and for
    a team whose assessments the caller may not see (the same answer, so no oracle)."""
    if db.get(Team, team_id) is None or not may_see_team(who, team_id):
        raise NotFound(f"there is no team {team_id} whose assessments you may see")
    return list(
        db.execute(
            select(Assessment)
            .where(Assessment.team_id == team_id)
            .order_by(Assessment.assessed_at, Assessment.id)
        ).scalars()
    )


def _framework(db: Session, framework_id: int, cache: dict[int, Framework]) -> Framework:
    if framework_id not in cache:
        cache[framework_id] = framework_store.get(db, framework_id)
    return cache[framework_id]


def _summary(framework: Framework, assessment: Assessment) -> AssessmentSummary:
    mean_current, mean_target = scoring.overall(assessment.scores)
    return AssessmentSummary(
        id=assessment.id or 0,
        team_id=assessment.team_id,
        framework_id=assessment.framework_id,
        framework_key=framework.key,
        framework_version=framework.version,
        assessed_at=assessment.assessed_at,
        notes=assessment.notes,
        mean_current=mean_current,
        mean_target=mean_target,
        priorities=[s["sub_outcome_key"] for s in assessment.scores if s["priority"]],
        created_by_user_id=assessment.created_by_user_id,
        version=assessment.version,
        created_at=assessment.created_at,
        updated_at=assessment.updated_at,
    )


def evidence_window(db: Session, who: Principal, assessment: Assessment) -> evidence.Window:
    """Since the team's previous assessment, or the year before this one if it is the first;
    read by `who`, so each figure counts only what they may see."""
    previous = db.execute(
        select(Assessment.assessed_at)
        .where(
            Assessment.team_id == assessment.team_id,
            Assessment.assessed_at < assessment.assessed_at,
        )
        .order_by(Assessment.assessed_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    start = previous if previous is not None else evidence.year_before(assessment.assessed_at)
    return evidence.Window(assessment.team_id, start, assessment.assessed_at, viewer=who)


def read(
    db: Session, who: Principal, assessment: Assessment, *, with_evidence: bool
) -> AssessmentRead:
    framework = framework_store.get(db, assessment.framework_id)
    doc = framework_store.document(framework)
    return AssessmentRead(
        **_summary(framework, assessment).model_dump(),
        outcomes=scoring.outcome_means(doc, assessment.scores),
        scores=_scores(db, who, doc, assessment, with_evidence=with_evidence),
        warnings=scoring.warnings(doc, assessment.scores),
    )


def _scores(
    db: Session,
    who: Principal,
    doc: FrameworkCreate,
    assessment: Assessment,
    *,
    with_evidence: bool,
) -> list[ScoreRead]:
    located = frameworks.index(doc)
    window = evidence_window(db, who, assessment) if with_evidence else None
    now = utcnow()
    shown: list[ScoreRead] = []
    for score in assessment.scores:
        place = located[score["sub_outcome_key"]]
        figures = evidence.figures(db, place.sub.evidence_figures, window, now) if window else []
        shown.append(ScoreRead(**score, outcome_key=place.outcome.key, live_evidence=figures))
    return shown


def framework_of(db: Session, assessment: Assessment) -> tuple[Framework, FrameworkCreate]:
    framework = framework_store.get(db, assessment.framework_id)
    return framework, framework_store.document(framework)


def team_name(db: Session, team_id: int) -> str:
    team = db.get(Team, team_id)
    return team.name if team is not None else f"team {team_id}"
