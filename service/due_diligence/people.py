"""People worth talking to: the authors, named contacts and team context behind the top
results, each with why (which result they stand behind, and what they know)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hindsight.schemas.due_diligence import PersonResult, SourceRef
from hindsight.schemas.projects import ProjectRead

MAX_PEOPLE = 10
_CONTACT_PARTS = ("useful_contacts", "handover_contacts")
_NOTE_CHARS = 160


@dataclass(frozen=True)
class AssetFacts:
    """What people come from in an asset: its authors and the contacts its details name."""

    title: str
    kind: str
    owning_team_id: int
    authors: list[dict[str, Any]]
    details: dict[str, Any]


@dataclass(frozen=True)
class Behind:
    """One shown result and what stands behind it: its asset and its project, if visible."""

    source: SourceRef
    label: str  # "lesson 'Shared referral form'"
    asset: AssetFacts | None
    project: ProjectRead | None


def _expertise(contact: dict[str, Any]) -> str:
    known = contact.get("expertise") or []
    return f"; knows {', '.join(known)}" if known else ""


def _candidates(behind: Behind, team_names: dict[int, str]) -> list[PersonResult]:
    found: list[PersonResult] = []
    asset, project = behind.asset, behind.project
    if asset is not None:
        team = team_names.get(asset.owning_team_id)
        kind = asset.kind.replace("_", " ")
        for author in asset.authors:
            found.append(
                PersonResult(
                    name=author["name"],
                    role=author.get("role") or "author",
                    team=team,
                    email=author.get("email"),
                    reason=f"wrote the {kind} '{asset.title}', behind {behind.label}",
                    sources=[behind.source],
                )
            )
        for part in _CONTACT_PARTS:
            for contact in asset.details.get(part) or []:
                found.append(
                    PersonResult(
                        name=contact["name"],
                        role=contact.get("role") or "contact",
                        team=team,
                        email=contact.get("email"),
                        reason=f"named as a contact in the {kind} '{asset.title}', behind "
                        f"{behind.label}{_expertise(contact)}",
                        sources=[behind.source],
                    )
                )
    if project is not None:
        team = team_names.get(project.owning_team_id)
        for contact in project.contacts:
            found.append(
                PersonResult(
                    name=contact.name,
                    role=contact.role,
                    team=team,
                    email=contact.email,
                    reason=f"contact on project '{project.name}', behind {behind.label}"
                    f"{_expertise(contact.model_dump())}",
                    sources=[behind.source],
                )
            )
        for member in project.team_context:
            detail = ""
            if member.specialisms:
                detail += f"; specialisms: {', '.join(member.specialisms)}"
            if member.note:
                note = member.note[:_NOTE_CHARS] + ("…" if len(member.note) > _NOTE_CHARS else "")
                detail += f"; {note}"
            found.append(
                PersonResult(
                    name=f"{member.role}, {member.years_experience} years' experience",
                    role=member.role,
                    team=team,
                    reason=f"in the team behind project '{project.name}' ({behind.label}){detail}",
                    sources=[behind.source],
                )
            )
    return found


def people_behind(behinds: Sequence[Behind], team_names: dict[int, str]) -> list[PersonResult]:
    """People in the order of the results they stand behind; someone behind several results
    is listed once, with every source."""
    people: dict[tuple[str, str], PersonResult] = {}
    for behind in behinds:
        for person in _candidates(behind, team_names):
            key = (person.name.casefold(), person.role.casefold())
            if key in people:
                if behind.source not in people[key].sources:
                    people[key].sources.append(behind.source)
            elif len(people) < MAX_PEOPLE:
                people[key] = person
    return list(people.values())
