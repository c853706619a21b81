from fastapi import APIRouter, Response

from hindsight.schemas.common import Page
from hindsight.schemas.teams import TeamCreate, TeamRead, TeamUpdate
from hindsight.service.deps import (
    Admin,
    CurrentPrincipal,
    DbSession,
    IdempotencyClaim,
    IdPath,
    IfMatch,
    Paging,
    etag,
)
from hindsight.service.teams import service as teams_service

router = APIRouter(prefix="/teams", tags=["teams"])


@router.post("", status_code=201, response_model=TeamRead)
def create_team(
    payload: TeamCreate, response: Response, db: DbSession, who: Admin, claim: IdempotencyClaim
) -> TeamRead:
    """Create a team (admins). A name already in use is a 409."""
    team = teams_service.create(db, who, payload, claim=claim)
    response.headers["ETag"] = etag(team.version)
    return team


@router.get("", response_model=Page[TeamRead])
def list_teams(db: DbSession, who: CurrentPrincipal, page: Paging) -> Page[TeamRead]:
    """Every team, by name. Team names are not secret: anyone with a token may list them."""
    rows, total = teams_service.list_all(db, limit=page.limit, offset=page.offset)
    items = [TeamRead.model_validate(row) for row in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{team_id}", response_model=TeamRead)
def get_team(team_id: IdPath, response: Response, db: DbSession, who: CurrentPrincipal) -> TeamRead:
    """One team, served with its version as ETag."""
    team = teams_service.get(db, team_id)
    response.headers["ETag"] = etag(team.version)
    return TeamRead.model_validate(team)


@router.patch("/{team_id}", response_model=TeamRead)
def update_team(
    team_id: IdPath,
    patch: TeamUpdate,
    response: Response,
    db: DbSession,
    who: Admin,
    version: IfMatch,
) -> TeamRead:
    """Rename or describe a team (admins). Needs `If-Match`: 428 without it, 412 if stale."""
    team = teams_service.update_team(db, who, team_id, patch, expected_version=version)
    response.headers["ETag"] = etag(team.version)
    return TeamRead.model_validate(team)
