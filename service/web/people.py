"""The people to talk to about an item: its asset's authors and named contacts, and its
project's contacts, each person once (the same name from two places is one person)."""

from typing import Any

from hindsight.schemas.assets import AssetRead
from hindsight.schemas.projects import ProjectRead

_CONTACT_PARTS = ("useful_contacts", "handover_contacts")


def people_of(asset: AssetRead | None, project: ProjectRead | None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if asset is not None:
        found += [dict(author) for author in asset.authors]
        for part in _CONTACT_PARTS:
            found += [dict(c) for c in asset.details.get(part, []) if isinstance(c, dict)]
    if project is not None:
        found += [contact.model_dump() for contact in project.contacts]
    merged: dict[str, dict[str, Any]] = {}
    for person in found:
        name = str(person.get("name") or "").strip()
        if not name:
            continue
        known = merged.setdefault(name.lower(), {"name": name, "expertise": []})
        for key in ("role", "email"):
            known[key] = known.get(key) or person.get(key)
        for item in person.get("expertise") or []:
            if item not in known["expertise"]:
                known["expertise"].append(item)
    return list(merged.values())
