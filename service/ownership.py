"""Who owns a project or asset, and who may change it: shared by projects, assets, lessons."""

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session

from hindsight.schemas.enums import Role
from hindsight.service.auth import Principal
from hindsight.service.errors import Forbidden, ValidationFailed
from hindsight.service.teams import service as teams_service


def resolve_owning_team(db: Session, who: Principal, requested: int | None) -> int:
    """The owning team for a new item: the one asked for, else the caller's only team.

    Raises ValidationFailed (422) when none can be chosen or the team does not exist, and
    Forbidden (403) when a non-admin names a team they do not belong to.
    """
    if requested is None:
        if len(who.team_ids) != 1:
            raise ValidationFailed(
                "body.owning_team_id",
                "owning_team_id is required: you belong to "
                f"{len(who.team_ids)} teams, so say which one owns this",
            )
        (requested,) = who.team_ids
    teams_service.require_existing(db, [requested], field="body.owning_team_id")
    require_member(who, requested)
    return requested


def require_member(who: Principal, team_id: int) -> None:
    """Contributors act for their own teams only; admins for any."""
    if not (who.is_admin or who.in_team(team_id)):
        raise Forbidden(f"you are not a member of team {team_id}, so you cannot act for it")


def can_edit(who: Principal, owning_team_id: int) -> bool:
    """Contributors of the owning team edit; reviewers curate anything they can see."""
    return who.has_role(Role.reviewer) or (
        who.has_role(Role.contributor) and who.in_team(owning_team_id)
    )


def require_edit(who: Principal, owning_team_id: int, what: str) -> None:
    if not can_edit(who, owning_team_id):
        raise Forbidden(
            f"only contributors of the owning team (team {owning_team_id}), reviewers and "
            f"admins can change this {what}"
        )


def reject_nulls(changes: dict[str, Any], required: Iterable[str]) -> None:
    """A PATCH may clear optional fields with null, never required ones (a 422 naming it)."""
    for name in required:
        if name in changes and changes[name] is None:
            raise ValidationFailed(f"body.{name}", f"{name} cannot be null; leave it out instead")
