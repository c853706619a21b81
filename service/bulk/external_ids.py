"""External ids for items that have none: stable, and distinct across deployments.

An item created through the API has no `external_id`. Its export names it
`hindsight:<type>:<id>@<created_at>`: the id alone would clash with another deployment's
item of the same id, while the id with its creation instant (to the microsecond) does not
in practice. Importing that export into the same deployment finds the item itself again
(its id, no external id of its own, the same instant), so a self-export re-imports as
unchanged; another deployment stores the name as the item's external id.
"""

import re
from datetime import UTC, datetime

_FORMAT = "%Y%m%dT%H%M%S.%fZ"
_OWN = re.compile(r"^hindsight:(asset|lesson):([1-9][0-9]{0,9})@(\d{8}T\d{6}\.\d{6}Z)$")


def name(entity_type: str, entity_id: int, created_at: datetime, stored: str | None) -> str:
    if stored:
        return stored
    return f"hindsight:{entity_type}:{entity_id}@{created_at.astimezone(UTC).strftime(_FORMAT)}"


def parse_own(external_id: str, entity_type: str) -> tuple[int, datetime] | None:
    """(id, created_at) when `external_id` is one this code makes for `entity_type`."""
    match = _OWN.match(external_id)
    if match is None or match.group(1) != entity_type:
        return None
    instant = datetime.strptime(match.group(3), _FORMAT).replace(tzinfo=UTC)
    return int(match.group(2)), instant
