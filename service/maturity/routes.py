from typing import Annotated

from fastapi import APIRouter, Query, Response

from hindsight.schemas.common import Page
from hindsight.schemas.maturity import (
    AssessmentCreate,
    AssessmentRead,
    AssessmentSummary,
    AssessmentUpdate,
    ExportFormat,
    FigureInfo,
    FrameworkCreate,
    FrameworkRead,
    FrameworkSummary,
    TeamProgress,
)
from hindsight.service.deps import (
    Admin,
    Contributor,
    CurrentPrincipal,
    DbSession,
    IdempotencyClaim,
    IdPath,
    IdQuery,
    IfMatch,
    Paging,
    etag,
)
from hindsight.service.maturity import evidence, progress, reports
from hindsight.service.maturity import framework_service as framework_store
from hindsight.service.maturity import service as assessments_service

router = APIRouter(prefix="/maturity", tags=["maturity"])

_CSV = {200: {"content": {"text/csv": {}}, "description": "CSV, one row per score"}}
_SVG = {200: {"content": {"image/svg+xml": {}}, "description": "an SVG bar chart"}}


def _csv(text: str, filename: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/frameworks", response_model=Page[FrameworkSummary])
def list_frameworks(
    db: DbSession,
    who: CurrentPrincipal,
    page: Paging,
    key: Annotated[str | None, Query(max_length=64)] = None,
    latest: Annotated[bool, Query(description="only the newest version of each key")] = False,
) -> Page[FrameworkSummary]:
    """Framework versions, by key, newest version first. Any caller may read frameworks."""
    items, total = framework_store.list_all(
        db, key=key, latest_only=latest, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("/frameworks", status_code=201, response_model=FrameworkRead)
def create_framework(
    payload: FrameworkCreate, db: DbSession, who: Admin, claim: IdempotencyClaim
) -> FrameworkRead:
    """Load a framework as data (admins). An existing `key` gets its next version; earlier
    versions and the assessments scored on them stay as they were. Duplicate keys, levels
    that are not contiguous, and a level a sub-outcome does not describe are 422s naming
    each field."""
    return framework_store.create(db, who, payload, claim=claim)


@router.get("/frameworks/{framework_id}", response_model=FrameworkRead)
def get_framework(framework_id: IdPath, db: DbSession, who: CurrentPrincipal) -> FrameworkRead:
    """One framework version, whole: levels, outcomes, sub-outcomes, descriptors, measures."""
    return framework_store.read(db, framework_store.get(db, framework_id))


@router.get("/evidence-figures", response_model=list[FigureInfo])
def list_evidence_figures(who: CurrentPrincipal) -> list[FigureInfo]:
    """The live figures a framework's sub-outcomes may name in `evidence_figures`, and which
    of them Hindsight can compute yet."""
    return evidence.catalogue()


@router.post("/assessments", status_code=201, response_model=AssessmentRead)
def create_assessment(
    payload: AssessmentCreate,
    response: Response,
    db: DbSession,
    who: Contributor,
    claim: IdempotencyClaim,
) -> AssessmentRead:
    """Record a team's self-assessment (contributors of that team, admins). Every
    sub-outcome needs a score within the framework's levels; each problem is a 422 naming
    its field. Priorities over more than two outcomes are stored, and the answer's
    `warnings` says that one or two at a time work best."""
    read = assessments_service.create(db, who, payload, claim=claim)
    response.headers["ETag"] = etag(read.version)
    return read


@router.get("/assessments", response_model=Page[AssessmentSummary])
def list_assessments(
    db: DbSession,
    who: CurrentPrincipal,
    page: Paging,
    team_id: IdQuery = None,
    framework_id: IdQuery = None,
) -> Page[AssessmentSummary]:
    """Assessments the caller may see (its teams'; every team's for reviewers and admins),
    newest first."""
    items, total = assessments_service.list_visible(
        db,
        who,
        team_id=team_id,
        framework_id=framework_id,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/assessments/{assessment_id}", response_model=AssessmentRead, responses=_CSV)
def get_assessment(
    assessment_id: IdPath,
    response: Response,
    db: DbSession,
    who: CurrentPrincipal,
    format: ExportFormat = "json",
) -> AssessmentRead | Response:
    """One assessment with its scores and, beside each, live figures from Hindsight's own
    data for the team over the period since its previous assessment. `?format=csv` answers
    the scores as CSV. Hidden assessments are 404s."""
    if format == "csv":
        text = reports.assessment_csv(db, who, assessment_id)
        return _csv(text, f"maturity-assessment-{assessment_id}.csv")
    assessment = assessments_service.get_visible(db, who, assessment_id)
    response.headers["ETag"] = etag(assessment.version)
    return assessments_service.read(db, who, assessment, with_evidence=True)


@router.patch("/assessments/{assessment_id}", response_model=AssessmentRead)
def update_assessment(
    assessment_id: IdPath,
    patch: AssessmentUpdate,
    response: Response,
    db: DbSession,
    who: Contributor,
    version: IfMatch,
) -> AssessmentRead:
    """Revise the date, notes or all the scores (`scores` replaces the whole set). Needs
    `If-Match`: 428 without it, 412 if stale."""
    assessment = assessments_service.update(db, who, assessment_id, patch, expected_version=version)
    response.headers["ETag"] = etag(assessment.version)
    return assessments_service.read(db, who, assessment, with_evidence=True)


@router.get("/assessments/{assessment_id}/chart.svg", response_class=Response, responses=_SVG)
def get_assessment_chart(assessment_id: IdPath, db: DbSession, who: CurrentPrincipal) -> Response:
    """Current against target per outcome (means of the sub-outcome scores), as SVG."""
    svg = reports.chart_svg(db, who, assessment_id)
    return Response(svg, media_type="image/svg+xml")


@router.get("/teams/{team_id}/progress", response_model=TeamProgress)
def get_team_progress(
    team_id: IdPath,
    db: DbSession,
    who: CurrentPrincipal,
    framework_key: Annotated[str | None, Query(max_length=64)] = None,
) -> TeamProgress:
    """Per outcome, each assessment's mean current and target by date, and the change in
    the mean current since the previous assessment. Versions of one framework are compared
    by outcome key; without `framework_key`, the framework of the newest assessment."""
    return progress.team_progress(db, who, team_id, framework_key=framework_key)


@router.get("/teams/{team_id}/assessments.csv", response_class=Response, responses=_CSV)
def export_team_assessments(team_id: IdPath, db: DbSession, who: CurrentPrincipal) -> Response:
    """Every assessment of the team as CSV, oldest first, one row per score."""
    return _csv(reports.team_csv(db, who, team_id), f"maturity-team-{team_id}.csv")
