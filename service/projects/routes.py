from typing import Annotated

from fastapi import APIRouter, Query, Response

from hindsight.schemas.common import Page
from hindsight.schemas.enums import OrganisationType, Phase, ProjectStatus
from hindsight.schemas.projects import ProjectCreate, ProjectRead, ProjectUpdate
from hindsight.schemas.versions import VersionRead
from hindsight.service.deps import (
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
from hindsight.service.projects import service as projects_service

router = APIRouter(prefix="/projects", tags=["projects"])


@router.post("", status_code=201, response_model=ProjectRead)
def create_project(
    payload: ProjectCreate,
    response: Response,
    db: DbSession,
    who: Contributor,
    claim: IdempotencyClaim,
) -> ProjectRead:
    """Create a project for one of your teams (admins: any team). Describe the team as you
    would to a newcomer: experience, specialisms, training, and what it did, in actions."""
    project = projects_service.create(db, who, payload, claim=claim)
    response.headers["ETag"] = etag(project.version)
    return project


@router.get("", response_model=Page[ProjectRead])
def list_projects(
    db: DbSession,
    who: CurrentPrincipal,
    page: Paging,
    status: Annotated[ProjectStatus | None, Query()] = None,
    phase: Annotated[Phase | None, Query()] = None,
    organisation_type: Annotated[OrganisationType | None, Query()] = None,
    owning_team_id: IdQuery = None,
) -> Page[ProjectRead]:
    """Projects the caller may see, newest first; `total` counts only those."""
    filters = {
        "status": status,
        "phase": phase,
        "organisation_type": organisation_type,
        "owning_team_id": owning_team_id,
    }
    items, total = projects_service.list_visible(
        db, who, filters=filters, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{project_id}", response_model=ProjectRead)
def get_project(
    project_id: IdPath, response: Response, db: DbSession, who: CurrentPrincipal
) -> ProjectRead:
    """One project; a project the caller may not see is a 404, as a missing one."""
    project = projects_service.to_read(db, projects_service.get_visible(db, who, project_id))
    response.headers["ETag"] = etag(project.version)
    return project


@router.patch("/{project_id}", response_model=ProjectRead)
def update_project(
    project_id: IdPath,
    patch: ProjectUpdate,
    response: Response,
    db: DbSession,
    who: Contributor,
    version: IfMatch,
) -> ProjectRead:
    """Change the fields sent. Needs `If-Match`: 428 without it, 412 if stale. The earlier
    version is kept (see `/versions`)."""
    project = projects_service.update_project(db, who, project_id, patch, expected_version=version)
    response.headers["ETag"] = etag(project.version)
    return project


@router.get("/{project_id}/versions", response_model=Page[VersionRead])
def list_project_versions(
    project_id: IdPath, db: DbSession, who: CurrentPrincipal, page: Paging
) -> Page[VersionRead]:
    """Earlier versions of a visible project, newest first, with who changed what when."""
    items, total = projects_service.list_versions(
        db, who, project_id, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
