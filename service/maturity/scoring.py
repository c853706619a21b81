"""Checking a team's scores against the framework version they are scored on, and the
means the progress view and the chart are built from. Pure: no database."""

from collections.abc import Sequence
from statistics import fmean
from typing import Any

from hindsight.schemas.maturity import FrameworkCreate, OutcomeMean, ScoreInput
from hindsight.service.errors import ValidationFailed
from hindsight.service.maturity import frameworks
from hindsight.service.maturity.frameworks import Problem

# The model's advice: improve one or two areas at a time, not everything at once.
MAX_PRIORITY_OUTCOMES = 2


def invalid(found: Sequence[Problem], *, prefix: str = "body.") -> ValidationFailed:
    """One 422 that names every failing field (ValidationFailed itself carries one)."""
    error = ValidationFailed(prefix + found[0].field, found[0].message)
    error.details = [{"field": prefix + p.field, "message": p.message} for p in found]
    more = f" (and {len(found) - 1} more; see details)" if len(found) > 1 else ""
    error.message = f"{prefix}{found[0].field}: {found[0].message}{more}"
    return error


def check(doc: FrameworkCreate, scores: Sequence[ScoreInput]) -> list[dict[str, Any]]:
    """The scores as stored: framework order, target defaulted to current. Raises
    ValidationFailed naming unknown or repeated keys, levels out of range and unscored
    sub-outcomes. Priorities over many outcomes are stored (see `warnings`)."""
    located = frameworks.index(doc)
    low, high = frameworks.level_range(doc)
    found: list[Problem] = []
    seen: dict[str, int] = {}
    for i, score in enumerate(scores):
        where = f"scores[{i}]"
        if score.sub_outcome_key not in located:
            found.append(
                Problem(
                    f"{where}.sub_outcome_key",
                    f"{score.sub_outcome_key!r} is not a sub-outcome of framework {doc.key!r}",
                )
            )
        elif score.sub_outcome_key in seen:
            found.append(
                Problem(
                    f"{where}.sub_outcome_key",
                    f"{score.sub_outcome_key!r} is scored twice "
                    f"(also scores[{seen[score.sub_outcome_key]}])",
                )
            )
        seen.setdefault(score.sub_outcome_key, i)
        for name in ("current", "target"):
            value = getattr(score, name)
            if value is not None and not low <= value <= high:
                found.append(
                    Problem(f"{where}.{name}", f"{name} must be {low} to {high}, not {value}")
                )
    missing = [key for key in located if key not in seen]
    if missing:
        found.append(
            Problem("scores", "every sub-outcome needs a score; missing: " + ", ".join(missing))
        )
    if found:
        raise invalid(found)
    stored = [
        {
            "sub_outcome_key": s.sub_outcome_key,
            "current": s.current,
            "target": s.current if s.target is None else s.target,
            "evidence": s.evidence,
            "priority": s.priority,
            "actions": list(s.actions),
        }
        for s in scores
    ]
    return sorted(stored, key=lambda s: located[s["sub_outcome_key"]].position)


def warnings(doc: FrameworkCreate, scores: Sequence[dict[str, Any]]) -> list[str]:
    """Advice on stored scores, not a gate: priorities over more than two outcomes are kept
    as the team gave them, with a word that one or two at a time work best."""
    located = frameworks.index(doc)
    flagged = (s["sub_outcome_key"] for s in scores if s["priority"])
    outcomes = list(dict.fromkeys(located[k].outcome.key for k in flagged if k in located))
    if len(outcomes) <= MAX_PRIORITY_OUTCOMES:
        return []
    return [
        f"priorities span {len(outcomes)} outcomes ({', '.join(outcomes)}); improving one or "
        f"two at a time works best, so consider keeping the priority flags of at most "
        f"{MAX_PRIORITY_OUTCOMES}"
    ]


def outcome_means(doc: FrameworkCreate, scores: Sequence[dict[str, Any]]) -> list[OutcomeMean]:
    """Mean current and target per outcome, in framework order; outcomes with no stored
    score (impossible for a checked assessment) are left out rather than shown as 0."""
    by_key = {s["sub_outcome_key"]: s for s in scores}
    means: list[OutcomeMean] = []
    for outcome in doc.outcomes:
        mine = [by_key[sub.key] for sub in outcome.sub_outcomes if sub.key in by_key]
        if mine:
            means.append(
                OutcomeMean(
                    outcome_key=outcome.key,
                    title=outcome.title,
                    mean_current=round(fmean(s["current"] for s in mine), 3),
                    mean_target=round(fmean(s["target"] for s in mine), 3),
                )
            )
    return means


def overall(scores: Sequence[dict[str, Any]]) -> tuple[float, float]:
    """Mean current and target over every sub-outcome."""
    if not scores:
        return 0.0, 0.0
    return (
        round(fmean(s["current"] for s in scores), 3),
        round(fmean(s["target"] for s in scores), 3),
    )
