import pytest

from hindsight.schemas.maturity import FrameworkCreate, ScoreInput
from hindsight.service.errors import ValidationFailed
from hindsight.service.maturity import scoring
from hindsight.service.maturity.framework_service import starter_document


@pytest.fixture
def starter() -> FrameworkCreate:
    return FrameworkCreate.model_validate(starter_document())


def _all(doc: FrameworkCreate, **fields) -> list[ScoreInput]:
    return [
        ScoreInput(sub_outcome_key=sub.key, **({"current": 1} | fields))
        for outcome in doc.outcomes
        for sub in outcome.sub_outcomes
    ]


def _fields(exc: pytest.ExceptionInfo[ValidationFailed]) -> list[str]:
    return [d["field"] for d in exc.value.details]


def test_scores_are_stored_in_framework_order_with_target_defaulting_to_current(starter):
    scores = list(reversed(_all(starter, current=2)))
    stored = scoring.check(starter, scores)
    assert stored[0]["sub_outcome_key"] == starter.outcomes[0].sub_outcomes[0].key
    assert all(s["target"] == 2 for s in stored)


def test_unknown_and_repeated_keys_are_named(starter):
    scores = _all(starter)
    scores.append(ScoreInput(sub_outcome_key="people.training", current=1))
    scores.append(ScoreInput(sub_outcome_key="no.such", current=1))
    with pytest.raises(ValidationFailed) as exc:
        scoring.check(starter, scores)
    assert _fields(exc) == ["body.scores[18].sub_outcome_key", "body.scores[19].sub_outcome_key"]


def test_levels_outside_the_framework_scale_are_named(starter):
    scores = _all(starter)
    scores[2] = ScoreInput(sub_outcome_key=scores[2].sub_outcome_key, current=4, target=7)
    with pytest.raises(ValidationFailed) as exc:
        scoring.check(starter, scores)
    assert _fields(exc) == ["body.scores[2].current", "body.scores[2].target"]
    assert "0 to 3" in exc.value.details[0]["message"]


def test_every_sub_outcome_needs_a_score(starter):
    with pytest.raises(ValidationFailed) as exc:
        scoring.check(starter, _all(starter)[1:])
    assert _fields(exc) == ["body.scores"]
    assert "leadership.champion" in exc.value.details[0]["message"]


def test_priorities_in_three_outcomes_are_kept_with_a_warning(starter):
    scores = _all(starter)
    by_key = {s.sub_outcome_key: i for i, s in enumerate(scores)}
    for key in ("leadership.champion", "people.training", "people.facilitators"):
        scores[by_key[key]] = ScoreInput(sub_outcome_key=key, current=1, priority=True)
    scoring.check(starter, scores)
    assert scoring.warnings(starter, [s.model_dump() for s in scores]) == []
    scores[by_key["communities.practice"]] = ScoreInput(
        sub_outcome_key="communities.practice", current=1, priority=True
    )
    scoring.check(starter, scores)  # guidance, not a gate
    (warning,) = scoring.warnings(starter, [s.model_dump() for s in scores])
    assert warning.startswith("priorities span 3 outcomes")


def test_outcome_means_average_the_sub_outcomes(starter):
    scores = _all(starter)
    scores[0] = ScoreInput(sub_outcome_key=scores[0].sub_outcome_key, current=3, target=3)
    means = scoring.outcome_means(starter, scoring.check(starter, scores))
    assert means[0].outcome_key == "leadership"
    assert means[0].mean_current == pytest.approx((3 + 1 + 1) / 3, abs=1e-3)
    assert means[1].mean_current == 1
