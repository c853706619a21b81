"""Who may read which lesson, as one SQL predicate per principal, and how narrow a lesson
in an asset may be.

A lesson has access of its own (owning team, visibility, shared teams). One in an asset is
read only while its asset is, too: the predicate asks both, so a lesson is never wider than
its asset whatever its own columns say, and a write that asks for wider is a 422.
"""

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, and_, or_, select, true

from hindsight.schemas.enums import Visibility
from hindsight.service.assets import access as asset_access
from hindsight.service.auth import Principal
from hindsight.service.errors import ValidationFailed
from hindsight.service.lessons.models import Lesson, LessonTeam

_OPEN = [Visibility.public.value, Visibility.internal.value]
# How far each visibility reaches; a lesson may reach no further than its asset.
_REACH = {Visibility.restricted.value: 0, Visibility.internal.value: 1, Visibility.public.value: 2}


def own_scope(who: Principal) -> ColumnElement[bool]:
    """The lesson's own access, leaving its asset aside: open, the caller's team's, or shared
    with one of the caller's teams."""
    if who.is_admin:
        return true()
    teams = sorted(who.team_ids)
    granted = select(LessonTeam.lesson_id).where(LessonTeam.team_id.in_(teams))  # type: ignore[attr-defined]
    return or_(
        Lesson.visibility.in_(_OPEN),  # type: ignore[attr-defined]
        Lesson.owning_team_id.in_(teams),  # type: ignore[attr-defined]
        Lesson.id.in_(granted),  # type: ignore[union-attr]
    )


def visible_to(who: Principal) -> ColumnElement[bool]:
    """Lessons `who` may read: their own access allows it, and a lesson in an asset only while
    that asset is visible (so drafts stay with the team and reviewers). Standalone lessons
    have no review workflow: they are visible as soon as they exist."""
    if who.is_admin:
        return true()
    in_visible_asset = or_(
        Lesson.asset_id.is_(None),  # type: ignore[union-attr]
        Lesson.asset_id.in_(asset_access.visible_ids(who)),  # type: ignore[union-attr]
    )
    return and_(own_scope(who), in_visible_asset)


def check_within_asset(
    asset: asset_access.AssetAccess,
    visibility: str,
    team_ids: Sequence[int],
    *,
    prefix: str = "body",
) -> None:
    """A lesson in an asset may be narrower than the asset, never wider: a 422 naming
    `visibility` or `team_ids` otherwise."""
    if _REACH[visibility] > _REACH[asset.visibility]:
        narrower = [v for v, reach in _REACH.items() if reach <= _REACH[asset.visibility]]
        raise ValidationFailed(
            f"{prefix}.visibility",
            f"a lesson cannot be wider than its asset, which is {asset.visibility}: send "
            f"visibility {' or '.join(sorted(narrower))}, or leave it out to take the asset's",
        )
    if visibility == Visibility.restricted and asset.visibility == Visibility.restricted:
        outside = sorted(set(team_ids) - set(asset.team_ids) - {asset.owning_team_id})
        if outside:
            raise ValidationFailed(
                f"{prefix}.team_ids",
                f"teams {', '.join(map(str, outside))} cannot see the asset (restricted to "
                f"teams {', '.join(map(str, asset.team_ids)) or 'none besides its owner'}), so "
                "they cannot be given its lesson; send a subset of the asset's team_ids",
            )


def effective_scope(
    own: tuple[str, Iterable[int]], asset: tuple[str, Iterable[int]] | None
) -> tuple[str, tuple[int, ...]]:
    """The narrower of a lesson's own visibility and teams and its asset's: what the index
    stores, so that search answers as the database does (`visible_to`)."""
    visibility, teams = own[0], set(own[1])
    if asset is None:
        return visibility, tuple(sorted(teams))
    asset_visibility, asset_teams = asset[0], set(asset[1])
    if _REACH[asset_visibility] < _REACH[visibility]:
        return asset_visibility, tuple(sorted(asset_teams))
    if visibility == Visibility.restricted and asset_visibility == Visibility.restricted:
        return visibility, tuple(sorted(teams & asset_teams))
    return visibility, tuple(sorted(teams))
