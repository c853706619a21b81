"""NASA LLIS records mapped to assets and lessons, without a database."""

import json
from pathlib import Path

import pytest

from hindsight.service.assets.rendering import render
from hindsight.service.imports import nasa

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "nasa_llis_sample.jsonl"


def _records() -> dict[str, dict]:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    return {r["lesson_id"]: r for r in map(json.loads, lines)}


def test_a_record_becomes_a_published_public_review_with_one_lesson():
    record = _records()["1732"]
    item = nasa.to_item(record)
    asset, lesson = item.asset, item.asset.lessons[0]
    assert item.external_id == "nasa-llis:1732"
    assert asset.kind == "after_action_review"
    assert (asset.status, asset.visibility) == ("published", "public")
    assert asset.title == lesson.title == "Forklift load test"
    assert asset.summary == record["abstract"]
    assert lesson.observation == record["driving_event"]
    assert lesson.lesson == record["lessons_learned"]
    assert lesson.recommendation == record["recommendations"]
    assert (lesson.polarity, lesson.impact) == ("barrier", "medium")
    assert asset.topics == lesson.applicability.topics == ["categories", "lifting devices"]
    # "Not Applicable » Pre-Phase A": the named sub-phase decides.
    assert lesson.applicability.phases == ["initiation"]
    assert lesson.applicability.organisation_types == ["central_government"]
    assert asset.tags == lesson.tags
    assert {"nasa llis", "centre:ksc", "programme:payload services"} <= set(asset.tags)
    assert "phase:not applicable » pre-phase a" in asset.tags
    assert [a.model_dump(exclude_none=True) for a in asset.authors] == [
        {"name": "Damoff, Judy", "role": "submitter"}
    ]
    contacts = asset.details.useful_contacts  # type: ignore[union-attr]
    assert [(c.name, c.role) for c in contacts] == [("Damoff, Judy", "point of contact")]
    assert item.created_at.date().isoformat() == record["publish_date"]
    assert "https://llis.nasa.gov/lesson/1732" in asset.body
    assert f"**Lesson occurred:** {record['lesson_date']}" in asset.body
    assert "## Evidence of recurrence control" in asset.body


def test_the_body_html_is_what_the_markdown_renderer_makes_of_the_body():
    for record in _records().values():
        item = nasa.to_item(record)
        assert item.body_html == render(item.asset.body)


def test_hostile_source_text_is_escaped_and_stays_literal():
    record = {
        **_records()["2"],
        "evidence": '<script>alert(1)</script> <a href="javascript:x">x</a> *not emphasis*',
        "references": "1. not a list # not a heading [not](a link) `not code`",
        "related_policies": "- not a bullet either",
    }
    item = nasa.to_item(record)
    assert item.body_html == render(item.asset.body)
    assert "<script>" not in item.body_html
    assert "&lt;script&gt;" in item.body_html
    assert "1. not a list # not a heading [not](a link) `not code`" in item.body_html
    assert "<ol>" not in item.body_html and "<em>" not in item.body_html


def test_a_record_without_a_lesson_takes_its_title_as_the_lesson():
    record = _records()["989"]
    assert record["lessons_learned"] is None and record["recommendations"] is None
    assert nasa.to_item(record).asset.lessons[0].lesson == record["title"]


def test_text_over_the_schema_limit_is_shortened_with_a_pointer_to_the_full_page():
    record = {**_records()["2"], "driving_event": "word " * 5000}
    item = nasa.to_item(record)
    observation = item.asset.lessons[0].observation
    assert len(observation) <= nasa.TEXT_LIMIT
    assert observation.endswith("the full text is at https://llis.nasa.gov/lesson/2)")
    assert item.shortened == ("observation",)


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        ("Implementation » Phase D", ["delivery"]),
        ("Implementation » Phase E", ["operations"]),
        ("Formulation » Phase B", ["planning"]),
        ("Implementation » Phase F", ["closure"]),
        ("Formulation", ["initiation", "planning"]),
        ("Implementation", ["delivery", "operations"]),
        ("Not Specified", []),
        ("Evaluation", []),
    ],
)
def test_nasa_life_cycle_phases_map_to_hindsight_phases(phase, expected):
    assert [p.value for p in nasa.phases_of(phase)] == expected


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"lesson_id": "12a"}, "is not an LLIS lesson number"),
        ({"lesson_id": None}, "is not an LLIS lesson number"),
        ({"title": "  "}, "title is empty"),
        ({"sensitivity": "Internal"}, "only Public LLIS records are imported"),
        ({"publish_date": "09/09/1993"}, "publish_date '09/09/1993' is not an ISO date"),
        ({"topics": "Hardware"}, "topics must be a list of strings"),
        ({"title": "x" * 301}, "title: String should have at most 300 characters"),
    ],
)
def test_a_bad_record_is_rejected_with_the_reason(change, reason):
    with pytest.raises(nasa.Rejected, match=reason.replace("(", r"\(")):
        nasa.to_item({**_records()["2"], **change})


def test_a_line_that_is_not_json_or_not_an_object_is_rejected():
    with pytest.raises(nasa.Rejected, match="not valid JSON"):
        nasa.parse_line('{"lesson_id": "1", ')
    with pytest.raises(nasa.Rejected, match="expected a JSON object"):
        nasa.parse_line("[1, 2]")
