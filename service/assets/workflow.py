"""The review workflow: draft -> in_review -> published -> archived, and back to draft from
review. Each move checks the caller's role, bumps the version and is kept in the history
with its comment."""

from sqlalchemy import update
from sqlmodel import Session

from hindsight.schemas.assets import AssetRead, AssetTransition
from hindsight.schemas.enums import AssetStatus, Role, WebhookEvent
from hindsight.service.assets import service as assets_service
from hindsight.service.assets.models import Asset
from hindsight.service.auth import Principal
from hindsight.service.columns import utcnow
from hindsight.service.errors import (
    Forbidden,
    InvalidTransition,
    PreconditionFailed,
    ValidationFailed,
)

S = AssetStatus
ALLOWED: dict[AssetStatus, tuple[AssetStatus, ...]] = {
    S.draft: (S.in_review,),
    S.in_review: (S.published, S.draft),
    S.published: (S.archived,),
    S.archived: (),
}

_EVENTS = {S.published: WebhookEvent.asset_published, S.archived: WebhookEvent.asset_archived}


def _allowed_message(current: AssetStatus, wanted: AssetStatus) -> str:
    targets = ALLOWED[current]
    if not targets:
        return f"the asset is {current.value}, which is final; it cannot move to {wanted.value}"
    names = " or ".join(target.value for target in targets)
    return f"the asset is {current.value}; from here it can move to {names}, not {wanted.value}"


def _require_role(who: Principal, owning_team_id: int, current: AssetStatus) -> None:
    if current is S.draft:
        if not (who.is_admin or (who.has_role(Role.contributor) and who.in_team(owning_team_id))):
            raise Forbidden(
                f"only contributors of the owning team (team {owning_team_id}) can send "
                "this draft for review"
            )
    elif not who.has_role(Role.reviewer):
        raise Forbidden(f"moving an asset out of {current.value} needs the reviewer role")


def transition(
    db: Session, who: Principal, asset_id: int, move: AssetTransition, *, expected_version: int
) -> AssetRead:
    """Move the asset to `move.to`. Raises NotFound (hidden), PreconditionFailed (stale),
    InvalidTransition (not allowed from here), Forbidden (role) and ValidationFailed (sending
    back to draft without a comment: the author needs to know what to change)."""
    asset = assets_service.get_visible(db, who, asset_id)
    if asset.version != expected_version:
        raise _stale(asset_id, expected_version)
    current = AssetStatus(asset.status)
    if move.to not in ALLOWED[current]:
        raise InvalidTransition(_allowed_message(current, move.to))
    _require_role(who, asset.owning_team_id, current)
    if move.to is S.draft and not move.comment:
        raise ValidationFailed("body.comment", "say what should change when sending back to draft")
    before = assets_service.to_read(db, asset)
    now = utcnow()
    values: dict[str, object] = {"status": move.to.value}
    if move.to is S.published:
        values["published_at"] = now
    result = db.execute(
        update(Asset)
        .where(Asset.id == asset_id, Asset.version == expected_version)  # type: ignore[arg-type]
        .values(**values, version=expected_version + 1, updated_at=now)
    )
    if result.rowcount == 0:
        raise _stale(asset_id, expected_version)
    event = _EVENTS.get(move.to)
    return assets_service.finish_change(db, who, before, comment=move.comment, event=event)


def _stale(asset_id: int, expected_version: int) -> PreconditionFailed:
    return PreconditionFailed(
        f"asset {asset_id} changed since version {expected_version}; read it again"
    )
