"""Who may read which asset, as one SQL predicate per principal. Lessons use the same
predicate through `visible_ids`, since a lesson is exactly as visible as its asset."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select, true
from sqlmodel import Session

from hindsight.schemas.enums import AssetStatus, Role, Visibility
from hindsight.service.assets.models import Asset, AssetTeam
from hindsight.service.auth import Principal

_OPEN = [Visibility.public.value, Visibility.internal.value]
RELEASED = [AssetStatus.published.value, AssetStatus.archived.value]


def visible_to(who: Principal) -> ColumnElement[bool]:
    """Assets `who` may read: admins all; others those they may access (open, their team's,
    or shared with one of their teams) that are released, or their team's, or any when they
    are a reviewer (drafts and items in review stay with the team and the reviewers)."""
    if who.is_admin:
        return true()
    teams = sorted(who.team_ids)
    own_team = Asset.owning_team_id.in_(teams)  # type: ignore[attr-defined]
    granted = select(AssetTeam.asset_id).where(AssetTeam.team_id.in_(teams))  # type: ignore[attr-defined]
    may_access = or_(
        Asset.visibility.in_(_OPEN),  # type: ignore[attr-defined]
        own_team,
        Asset.id.in_(granted),  # type: ignore[union-attr]
    )
    if who.has_role(Role.reviewer):
        return may_access
    return and_(may_access, or_(Asset.status.in_(RELEASED), own_team))  # type: ignore[attr-defined]


def visible_ids(
    who: Principal, *, project_id: int | None = None, team_id: int | None = None
) -> Select[Any]:
    """Ids of the assets `who` may read (optionally of one project, or of one owning team),
    for subqueries."""
    stmt = select(Asset.id).where(visible_to(who))
    if project_id is not None:
        stmt = stmt.where(Asset.project_id == project_id)
    if team_id is not None:
        stmt = stmt.where(Asset.owning_team_id == team_id)
    return stmt


def is_visible(db: Session, who: Principal, asset_id: int) -> bool:
    stmt = select(Asset.id).where(Asset.id == asset_id, visible_to(who))
    return db.execute(stmt).first() is not None


@dataclass(frozen=True)
class AssetAccess:
    """What a lesson takes from its asset: where it belongs and who may read it."""

    project_id: int | None
    owning_team_id: int
    visibility: str
    team_ids: list[int]
    status: str


def team_ids_of(db: Session, asset_ids: Iterable[int]) -> dict[int, list[int]]:
    ids = sorted(set(asset_ids))
    found: dict[int, list[int]] = defaultdict(list)
    if ids:
        rows = db.execute(
            select(AssetTeam.asset_id, AssetTeam.team_id)
            .where(AssetTeam.asset_id.in_(ids))  # type: ignore[attr-defined]
            .order_by(AssetTeam.asset_id, AssetTeam.team_id)
        )
        for asset_id, team_id in rows:
            found[asset_id].append(team_id)
    return found


def access_of(db: Session, asset_ids: Iterable[int]) -> dict[int, AssetAccess]:
    """Access facts of several assets in two queries (for lists of lessons)."""
    ids = sorted(set(asset_ids))
    if not ids:
        return {}
    rows = db.execute(
        select(
            Asset.id, Asset.project_id, Asset.owning_team_id, Asset.visibility, Asset.status
        ).where(Asset.id.in_(ids))  # type: ignore[union-attr]
    ).all()
    teams = team_ids_of(db, ids)
    return {
        row.id: AssetAccess(
            project_id=row.project_id,
            owning_team_id=row.owning_team_id,
            visibility=row.visibility,
            team_ids=teams.get(row.id, []),
            status=row.status,
        )
        for row in rows
    }
