"""The structural rules of a framework document, which pydantic cannot check field by field:
unique keys, contiguous levels, every level described for every sub-outcome, known figures.

`problems()` is pure and returns every problem at once, each naming its field, so an author
fixing a spreadsheet sees the whole list, not one error per attempt.
"""

from collections.abc import Collection
from dataclasses import dataclass

from hindsight.schemas.maturity import FrameworkCreate, OutcomeDef, SubOutcomeDef


@dataclass(frozen=True)
class Problem:
    field: str  # a path into the document, e.g. "outcomes[1].sub_outcomes[0].key"
    message: str


def problems(doc: FrameworkCreate, *, known_figures: Collection[str]) -> list[Problem]:
    found = _level_problems(doc)
    levels = {level.level for level in doc.levels}
    outcome_keys: dict[str, int] = {}
    sub_keys: dict[str, str] = {}
    for i, outcome in enumerate(doc.outcomes):
        where = f"outcomes[{i}]"
        if outcome.key in outcome_keys:
            found.append(
                Problem(
                    f"{where}.key",
                    f"outcome key {outcome.key!r} is used twice "
                    f"(also outcomes[{outcome_keys[outcome.key]}])",
                )
            )
        outcome_keys.setdefault(outcome.key, i)
        for j, sub in enumerate(outcome.sub_outcomes):
            sub_where = f"{where}.sub_outcomes[{j}]"
            # Scores name sub-outcomes by key alone, so keys are unique across the framework.
            if sub.key in sub_keys:
                found.append(
                    Problem(
                        f"{sub_where}.key",
                        f"sub-outcome key {sub.key!r} is used twice (also {sub_keys[sub.key]})",
                    )
                )
            sub_keys.setdefault(sub.key, sub_where)
            found.extend(_descriptor_problems(sub, sub_where, levels))
            found.extend(
                Problem(f"{sub_where}.evidence_figures[{k}]", f"there is no live figure {fig!r}")
                for k, fig in enumerate(sub.evidence_figures)
                if fig not in known_figures
            )
    return found


def _level_problems(doc: FrameworkCreate) -> list[Problem]:
    found: list[Problem] = []
    seen: set[int] = set()
    for i, level in enumerate(doc.levels):
        if level.level in seen:
            found.append(Problem(f"levels[{i}].level", f"level {level.level} is listed twice"))
        seen.add(level.level)
    if seen:
        low, high = min(seen), max(seen)
        missing = sorted(set(range(low, high + 1)) - seen)
        if missing:
            found.append(
                Problem(
                    "levels",
                    f"levels must be contiguous from {low} to {high}; missing "
                    + ", ".join(map(str, missing)),
                )
            )
    return found


def _descriptor_problems(sub: SubOutcomeDef, where: str, levels: set[int]) -> list[Problem]:
    found: list[Problem] = []
    described: set[int] = set()
    for name, text in sub.level_descriptors.items():
        field = f"{where}.level_descriptors.{name}"
        if not name.strip().isdigit() or int(name) not in levels:
            found.append(Problem(field, f"{name!r} is not one of the framework's levels"))
            continue
        described.add(int(name))
        if not text.strip():
            found.append(Problem(field, f"the descriptor for level {name} is empty"))
    for level in sorted(levels - described):
        found.append(
            Problem(f"{where}.level_descriptors", f"level {level} of {sub.key!r} is not described")
        )
    return found


@dataclass(frozen=True)
class Located:
    """A sub-outcome with the outcome it belongs to and its position in the framework."""

    outcome: OutcomeDef
    sub: SubOutcomeDef
    position: int


def index(doc: FrameworkCreate) -> dict[str, Located]:
    """Sub-outcomes by key, in framework order (the order scores are stored and shown in)."""
    located: dict[str, Located] = {}
    for outcome in doc.outcomes:
        for sub in outcome.sub_outcomes:
            located.setdefault(sub.key, Located(outcome, sub, len(located)))
    return located


def level_range(doc: FrameworkCreate) -> tuple[int, int]:
    levels = [level.level for level in doc.levels]
    return min(levels), max(levels)
