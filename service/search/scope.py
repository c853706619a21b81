"""The search side of visibility: a caller reduced to the `AccessScope` every backend filters by.

The rule matches `service.assets.access.visible_to` (and the projects' rule, which has no draft
clause because projects carry `is_published=True` in the index)."""

from hindsight.schemas.enums import Role
from hindsight.search.base import AccessScope
from hindsight.service.auth import Principal


def scope_for(who: Principal) -> AccessScope:
    return AccessScope(
        is_admin=who.is_admin,
        team_ids=who.team_ids,
        sees_unpublished=who.has_role(Role.reviewer),
    )
