"""The items that push carries, and who may see one: the owning domain's visibility query,
asked again at sending time (a webhook's attempt, an email), never a copy of its rule."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlmodel import Session

from hindsight.schemas.enums import Role
from hindsight.service.actions import service as actions_service
from hindsight.service.actions.models import Action
from hindsight.service.applications import service as applications_service
from hindsight.service.applications.models import Application
from hindsight.service.assets import access as asset_access
from hindsight.service.assets import service as assets_service
from hindsight.service.auth import Principal
from hindsight.service.due_diligence import access as checks_access
from hindsight.service.due_diligence import service as due_diligence_service
from hindsight.service.due_diligence.models import DueDiligenceCheck
from hindsight.service.errors import NotFound
from hindsight.service.lessons import service as lessons_service

Lookup = Callable[[Session, Principal, int], object]

# item type -> the domain's `get_visible` (NotFound when hidden). Issue 20's capture requests
# add their own entry here.
LOOKUPS: dict[str, Lookup] = {
    "asset": assets_service.get_visible,
    "lesson": lessons_service.get_visible,
    "action": actions_service.get_visible,
    "application": applications_service.get_visible,
    "due_diligence": due_diligence_service.get,
}

# item type -> the ids of that type `who` may see, for one SQL predicate over a list of
# things about items (the notifications inbox).
VISIBLE_IDS: dict[str, Callable[[Principal], Select[Any]]] = {
    "asset": asset_access.visible_ids,
    "lesson": lessons_service.visible_ids,
    "action": lambda who: select(Action.id).where(actions_service.visible_to(who)),
    "application": lambda who: select(Application.id).where(applications_service.visible_to(who)),
    "due_diligence": lambda who: select(DueDiligenceCheck.id).where(checks_access.visible_to(who)),
}

# Where a person reads the item.
PATHS = {
    "asset": "/v1/assets/{id}",
    "lesson": "/v1/lessons/{id}",
    "action": "/v1/actions/{id}",
    "application": "/v1/applications/{id}",
    "due_diligence": "/v1/due-diligence/{id}",
}


def reader_of(team_id: int | None, *, name: str) -> Principal:
    """The principal of "a reader of this team" (or of no team: public and internal
    published items only), for scopes that are not a person: webhooks."""
    teams = frozenset({team_id}) if team_id is not None else frozenset()
    return Principal(user_id=None, name=name, role=Role.reader, team_ids=teams)


def is_visible(db: Session, who: Principal, item_type: str, item_id: int) -> bool:
    lookup = LOOKUPS.get(item_type)
    if lookup is None:
        return False  # an item of a kind we cannot check is never sent
    try:
        lookup(db, who, item_id)
    except NotFound:
        return False
    return True


def link(base_url: str, item_type: str, item_id: int) -> str:
    return base_url.rstrip("/") + PATHS.get(item_type, "/").format(id=item_id)


def title_of(db: Session, who: Principal, item_type: str, item_id: int) -> str | None:
    """The item's title as `who` may read it; None when they may not."""
    lookup = LOOKUPS.get(item_type)
    if lookup is None:
        return None
    try:
        found = lookup(db, who, item_id)
    except NotFound:
        return None
    return str(getattr(found, "title", f"{item_type} {item_id}"))


def about_visible(who: Principal, item_type: Any, item_id: Any) -> ColumnElement[bool]:
    """Rows about an item (`item_type`, `item_id` columns) that `who` may see; rows about no
    item pass."""
    clauses = [and_(item_type == kind, item_id.in_(ids(who))) for kind, ids in VISIBLE_IDS.items()]
    return or_(item_type.is_(None), *clauses) if clauses else false()
