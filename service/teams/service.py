"""Teams: create, read, rename. Any caller may list teams; only admins change them."""

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from hindsight.schemas.teams import TeamCreate, TeamRead, TeamUpdate
from hindsight.service import idempotency
from hindsight.service.auth import Principal
from hindsight.service.columns import utcnow
from hindsight.service.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from hindsight.service.pagination import fetch_page
from hindsight.service.teams.models import Team


def get(db: Session, team_id: int) -> Team:
    team = db.get(Team, team_id)
    if team is None:
        raise NotFound(f"there is no team {team_id}")
    return team


def names(db: Session, team_ids: Sequence[int]) -> dict[int, str]:
    """Team names by id (teams are not secret: any caller may list them)."""
    wanted = sorted(set(team_ids))
    if not wanted:
        return {}
    rows = db.execute(select(Team.id, Team.name).where(Team.id.in_(wanted)))  # type: ignore[union-attr]
    return {team_id: name for team_id, name in rows}


def list_all(db: Session, *, limit: int, offset: int) -> tuple[list[Team], int]:
    return fetch_page(db, select(Team), order_by=(Team.name, Team.id), limit=limit, offset=offset)


def require_existing(db: Session, team_ids: Sequence[int], *, field: str) -> list[int]:
    """The distinct ids, in order; a 422 naming `field` if any team does not exist."""
    wanted = list(dict.fromkeys(team_ids))
    if not wanted:
        return wanted
    found = set(db.execute(select(Team.id).where(Team.id.in_(wanted))).scalars())
    missing = [team_id for team_id in wanted if team_id not in found]
    if missing:
        raise ValidationFailed(field, f"no such team: {', '.join(map(str, missing))}")
    return wanted


def _check_name_free(db: Session, name: str, *, except_id: int | None = None) -> None:
    clash = db.execute(select(Team.id).where(Team.name == name)).scalar_one_or_none()
    if clash is not None and clash != except_id:
        raise Conflict(f"a team named {name!r} exists already (id {clash}); pick another name")


def create(
    db: Session, who: Principal, payload: TeamCreate, *, claim: idempotency.Claim | None
) -> TeamRead:
    _check_name_free(db, payload.name)
    team = Team(name=payload.name, description=payload.description)
    db.add(team)
    try:
        db.flush()
    except IntegrityError as exc:
        raise Conflict(f"a team named {payload.name!r} exists already") from exc
    return idempotency.commit_created(db, claim, TeamRead.model_validate(team))


def update_team(
    db: Session, who: Principal, team_id: int, patch: TeamUpdate, *, expected_version: int
) -> Team:
    get(db, team_id)
    changes = patch.model_dump(exclude_unset=True, exclude_none=True)
    if "name" in changes:
        _check_name_free(db, changes["name"], except_id=team_id)
    # The version test is part of the UPDATE, so two concurrent writers cannot both pass it.
    result = db.execute(
        update(Team)
        .where(Team.id == team_id, Team.version == expected_version)
        .values(**changes, version=expected_version + 1, updated_at=utcnow())
    )
    if result.rowcount == 0:
        raise PreconditionFailed(
            f"team {team_id} changed since version {expected_version}; read it again"
        )
    db.commit()
    db.expire_all()
    return get(db, team_id)
