import copy
import json
from pathlib import Path

import pytest

from hindsight.schemas.maturity import FrameworkCreate
from hindsight.service.maturity import evidence, frameworks
from hindsight.service.maturity.framework_service import starter_document

ROOT = Path(__file__).resolve().parents[2]


def _problems(doc: dict) -> list[frameworks.Problem]:
    return frameworks.problems(
        FrameworkCreate.model_validate(doc), known_figures=evidence.FIGURES.keys()
    )


def _small() -> dict:
    levels = [{"level": n, "label": f"L{n}"} for n in range(4)]
    descriptors = {str(n): f"level {n} looks like this" for n in range(4)}
    return {
        "key": "small",
        "name": "Small",
        "levels": levels,
        "outcomes": [
            {
                "key": "a",
                "title": "A",
                "sub_outcomes": [
                    {"key": "a.1", "title": "A1", "level_descriptors": dict(descriptors)},
                    {"key": "a.2", "title": "A2", "level_descriptors": dict(descriptors)},
                ],
            },
            {
                "key": "b",
                "title": "B",
                "sub_outcomes": [
                    {"key": "b.1", "title": "B1", "level_descriptors": dict(descriptors)}
                ],
            },
        ],
    }


def test_a_well_formed_framework_has_no_problems():
    assert _problems(_small()) == []


def test_the_starter_framework_is_valid_with_six_outcomes_and_levels_0_to_3():
    doc = starter_document()
    assert _problems(doc) == []
    assert len(doc["outcomes"]) == 6
    assert [level["level"] for level in doc["levels"]] == [0, 1, 2, 3]
    assert all(len(o["sub_outcomes"]) >= 2 for o in doc["outcomes"])
    assert all(s["indicative_measures"] for o in doc["outcomes"] for s in o["sub_outcomes"])
    assert "not the cross-government" in doc["source"].lower()


def test_the_package_starter_matches_the_newest_version_the_migrations_install():
    # Changing the starter means a new revision that installs the next version of it.
    snapshots = sorted((ROOT / "alembic" / "versions" / "data").glob("*_hindsight_starter_v*.json"))
    newest = max(snapshots, key=lambda p: int(p.stem.rsplit("_v", 1)[1]))
    assert json.loads(newest.read_text()) == starter_document()


def test_duplicate_outcome_key_is_named():
    doc = _small()
    doc["outcomes"][1]["key"] = "a"
    assert [(p.field, "twice" in p.message) for p in _problems(doc)] == [("outcomes[1].key", True)]


def test_sub_outcome_keys_must_be_unique_across_outcomes():
    doc = _small()
    doc["outcomes"][1]["sub_outcomes"][0]["key"] = "a.2"
    problems = _problems(doc)
    assert [p.field for p in problems] == ["outcomes[1].sub_outcomes[0].key"]
    assert "outcomes[0].sub_outcomes[1]" in problems[0].message


def test_a_level_without_a_descriptor_is_named():
    doc = _small()
    del doc["outcomes"][0]["sub_outcomes"][1]["level_descriptors"]["2"]
    problems = _problems(doc)
    assert [p.field for p in problems] == ["outcomes[0].sub_outcomes[1].level_descriptors"]
    assert "level 2 of 'a.2' is not described" in problems[0].message


def test_an_empty_descriptor_counts_as_missing_text():
    doc = _small()
    doc["outcomes"][0]["sub_outcomes"][0]["level_descriptors"]["3"] = "   "
    assert [p.field for p in _problems(doc)] == ["outcomes[0].sub_outcomes[0].level_descriptors.3"]


def test_a_descriptor_for_a_level_the_framework_lacks_is_named():
    doc = _small()
    doc["outcomes"][1]["sub_outcomes"][0]["level_descriptors"]["4"] = "beyond the scale"
    assert [p.field for p in _problems(doc)] == ["outcomes[1].sub_outcomes[0].level_descriptors.4"]


def test_levels_must_be_contiguous():
    doc = _small()
    doc["levels"] = [{"level": n, "label": f"L{n}"} for n in (0, 1, 3)]
    for outcome in doc["outcomes"]:
        for sub in outcome["sub_outcomes"]:
            del sub["level_descriptors"]["2"]
    problems = _problems(doc)
    assert [p.field for p in problems] == ["levels"]
    assert "missing 2" in problems[0].message


def test_a_level_listed_twice_is_named():
    doc = _small()
    doc["levels"].append({"level": 1, "label": "again"})
    assert [p.field for p in _problems(doc)] == ["levels[4].level"]


def test_levels_may_start_above_zero_when_contiguous():
    doc = _small()
    doc["levels"] = [{"level": n, "label": f"L{n}"} for n in range(1, 6)]
    for outcome in doc["outcomes"]:
        for sub in outcome["sub_outcomes"]:
            sub["level_descriptors"] = {str(n): f"at {n}" for n in range(1, 6)}
    assert _problems(doc) == []
    assert frameworks.level_range(FrameworkCreate.model_validate(doc)) == (1, 5)


def test_an_unknown_live_figure_is_named():
    doc = _small()
    doc["outcomes"][0]["sub_outcomes"][0]["evidence_figures"] = ["team_curators", "made_up"]
    problems = _problems(doc)
    assert [p.field for p in problems] == ["outcomes[0].sub_outcomes[0].evidence_figures[1]"]


@pytest.mark.parametrize("bad_key", ["Has Caps", "", "-leading", "x" * 65])
def test_keys_must_be_slugs(bad_key):
    doc = copy.deepcopy(_small())
    doc["outcomes"][0]["key"] = bad_key
    with pytest.raises(ValueError):
        FrameworkCreate.model_validate(doc)
