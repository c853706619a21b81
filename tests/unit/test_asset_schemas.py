"""Per-kind details, label normalisation and the five-whys rules, without HTTP."""

from typing import Any

import pytest
from pydantic import ValidationError

from hindsight.schemas.assets import AssetCreate
from hindsight.schemas.common import normalise_labels
from hindsight.schemas.lessons import LessonFields
from hindsight.schemas.projects import ProjectCreate

VALID_DETAILS: dict[str, dict[str, Any]] = {
    "post_project_review": {"objectives": "Open the new unit on time"},
    "retrospect": {"objectives": "Cut delays", "what_went_well": ["huddles"]},
    "after_action_review": {"objectives": "Run the flu clinic"},
    "before_action_review": {"intended_results": "Vaccinate 2,000 staff"},
    "case_study": {
        "challenge": "Knowledge lost at handover",
        "approach": "Peer assists",
        "km_techniques": ["peer assist"],
        "outcome": "Faster start",
        "impact": "Two weeks saved",
    },
    "research_summary": {
        "question": "Does D2A shorten stays?",
        "findings": "Yes, by 1.4 days",
        "limitations": "One region, no control group",
        "population": "Adults over 65",
        "sources": ["Audit 2023"],
    },
    "story": {"narrative": "The night the system went down", "moral": "Keep paper fallbacks"},
    "exit_interview": {"role": "Matron", "tenure_years": 12.5, "key_knowledge": ["rotas"]},
    "knowledge_cafe": {
        "topic": "Winter pressures",
        "question": "What would you do differently?",
        "participants": 24,
        "conclusions": "Start planning in July",
    },
}


def asset(kind: str, details: dict[str, Any], **extra: Any) -> AssetCreate:
    return AssetCreate.model_validate({"kind": kind, "title": "t", "details": details, **extra})


def error_fields(exc: ValidationError) -> list[str]:
    return [".".join(map(str, err["loc"])) for err in exc.errors()]


@pytest.mark.parametrize("kind", sorted(VALID_DETAILS))
def test_every_kind_accepts_its_details(kind: str) -> None:
    created = asset(kind, VALID_DETAILS[kind])
    assert created.details.kind == kind
    assert "kind" not in created.details.model_dump()


@pytest.mark.parametrize(
    ("kind", "part"),
    [
        ("retrospect", "objectives"),
        ("before_action_review", "intended_results"),
        ("case_study", "impact"),
        ("research_summary", "limitations"),
        ("story", "moral"),
        ("exit_interview", "tenure_years"),
        ("knowledge_cafe", "participants"),
    ],
)
def test_missing_required_part_is_named(kind: str, part: str) -> None:
    details = {k: v for k, v in VALID_DETAILS[kind].items() if k != part}
    with pytest.raises(ValidationError) as caught:
        asset(kind, details)
    assert error_fields(caught.value) == [f"details.{kind}.{part}"]


def test_research_summary_with_blank_limitations_is_refused() -> None:
    details = {**VALID_DETAILS["research_summary"], "limitations": "   "}
    with pytest.raises(ValidationError) as caught:
        asset("research_summary", details)
    assert error_fields(caught.value) == ["details.research_summary.limitations"]


def test_details_of_another_kind_are_refused() -> None:
    with pytest.raises(ValidationError):
        asset("story", VALID_DETAILS["retrospect"])


def test_details_kind_must_match_asset_kind() -> None:
    with pytest.raises(ValidationError, match="must equal kind"):
        asset("story", {**VALID_DETAILS["story"], "kind": "retrospect"})


def test_unknown_detail_part_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        asset("story", {**VALID_DETAILS["story"], "mood": "sad"})
    assert error_fields(caught.value) == ["details.story.mood"]


def test_create_status_is_draft_or_published_only() -> None:
    assert asset("story", VALID_DETAILS["story"], status="published").status == "published"
    with pytest.raises(ValidationError, match="draft"):
        asset("story", VALID_DETAILS["story"], status="in_review")


def test_labels_are_trimmed_lowercased_and_deduplicated() -> None:
    assert normalise_labels(["  Patient Flow ", "patient  flow", "", "NHS", "nhs"]) == [
        "patient flow",
        "nhs",
    ]


def test_asset_and_project_normalise_tags_and_topics() -> None:
    created = asset("story", VALID_DETAILS["story"], tags=["A", " a"], topics=["X ", "x"])
    assert (created.tags, created.topics) == (["a"], ["x"])
    project = ProjectCreate(name="p", tags=["Flow", "FLOW"])
    assert project.tags == ["flow"]


def test_project_end_before_start_is_refused() -> None:
    with pytest.raises(ValidationError, match="ended_at"):
        ProjectCreate(name="p", started_at="2024-05-01T00:00:00Z", ended_at="2024-04-01T00:00:00Z")


def test_team_member_needs_years_of_experience() -> None:
    with pytest.raises(ValidationError) as caught:
        ProjectCreate(name="p", team_context=[{"role": "nurse"}])
    assert error_fields(caught.value) == ["team_context.0.years_experience"]


WHY = {"question": "Why?", "answer": "Because"}
CAUSE = {"description": "No shared form", "category": "process"}


def lesson(**fields: Any) -> LessonFields:
    return LessonFields.model_validate(
        {"title": "t", "lesson": "l", "polarity": "barrier", **fields}
    )


@pytest.mark.parametrize("steps", [1, 5, 7])
def test_one_to_seven_whys_with_a_root_cause_are_accepted(steps: int) -> None:
    assert len(lesson(five_whys=[WHY] * steps, root_cause=CAUSE).five_whys) == steps


def test_eight_whys_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        lesson(five_whys=[WHY] * 8, root_cause=CAUSE)
    assert error_fields(caught.value) == ["five_whys"]


def test_whys_without_root_cause_are_refused_naming_root_cause() -> None:
    with pytest.raises(ValidationError) as caught:
        lesson(five_whys=[WHY])
    assert error_fields(caught.value) == ["root_cause"]


def test_no_whys_need_no_root_cause() -> None:
    assert lesson().root_cause is None
    assert lesson(root_cause=CAUSE).root_cause is not None


def test_root_cause_needs_a_known_category() -> None:
    with pytest.raises(ValidationError) as caught:
        lesson(five_whys=[WHY], root_cause={"description": "x", "category": "bad luck"})
    assert error_fields(caught.value) == ["root_cause.category"]


def test_blank_why_answer_is_refused() -> None:
    with pytest.raises(ValidationError):
        lesson(five_whys=[{"question": "Why?", "answer": " "}], root_cause=CAUSE)


def test_applicability_is_deduplicated() -> None:
    applied = lesson(
        applicability={
            "phases": ["planning", "planning"],
            "topics": ["Flow", "flow"],
            "organisation_types": ["nhs_trust", "nhs_trust"],
        }
    ).applicability
    assert (applied.phases, applied.topics, applied.organisation_types) == (
        ["planning"],
        ["flow"],
        ["nhs_trust"],
    )
