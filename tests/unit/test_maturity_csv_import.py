import pytest

from hindsight.schemas.maturity import FrameworkCreate
from hindsight.service.maturity import csv_import, evidence, frameworks

HEADER = (
    "framework_key,framework_name,framework_source,outcome_key,outcome_title,"
    "sub_outcome_key,sub_outcome_title,level_0: Absent,level_1: Starting,level_2,"
    "indicative_measures,evidence_figures\n"
)


def _row(outcome: str, sub: str, *, title: str | None = None, level_2: str = "good") -> str:
    return (
        f"ours,Our framework,,{outcome},{title or outcome.title()},{sub},{sub} title,"
        f'none,some,{level_2},"first measure\nsecond | third",team_curators\n'
    )


def test_a_spreadsheet_becomes_a_valid_framework():
    doc = csv_import.parse(
        "\ufeff"
        + HEADER
        + _row("lead", "lead.1")
        + _row("lead", "lead.2")
        + ",,,,,,,,,,,\n"
        + _row("share", "share.1")
    )
    framework = FrameworkCreate.model_validate(doc)
    assert frameworks.problems(framework, known_figures=evidence.FIGURES.keys()) == []
    assert [(lv.level, lv.label) for lv in framework.levels] == [
        (0, "Absent"),
        (1, "Starting"),
        (2, "Level 2"),
    ]
    assert [o.key for o in framework.outcomes] == ["lead", "share"]
    sub = framework.outcomes[0].sub_outcomes[1]
    assert sub.indicative_measures == ["first measure", "second", "third"]
    assert sub.evidence_figures == ["team_curators"]


def test_semicolon_separated_files_are_read_too():
    text = (
        (HEADER + _row("lead", "lead.1"))
        .replace(",", ";")
        .replace('"first measure\nsecond | third"', "m")
    )
    assert csv_import.parse(text)["outcomes"][0]["key"] == "lead"


def test_missing_columns_are_named():
    with pytest.raises(csv_import.CsvProblems) as exc:
        csv_import.parse("framework_key,outcome_key,level_0,level_1\nx,y,a,b\n")
    fields = [p.message for p in exc.value.problems]
    assert "missing column 'framework_name'" in fields
    assert "missing column 'sub_outcome_key'" in fields


def test_an_outcome_titled_differently_on_a_later_row_names_the_row():
    with pytest.raises(csv_import.CsvProblems) as exc:
        csv_import.parse(HEADER + _row("lead", "lead.1") + _row("lead", "lead.2", title="Other"))
    assert [p.field for p in exc.value.problems] == ["row 3, outcome_title"]


def test_a_blank_level_cell_is_reported_as_an_undescribed_level():
    doc = csv_import.parse(HEADER + _row("lead", "lead.1", level_2=""))
    problems = frameworks.problems(
        FrameworkCreate.model_validate(doc), known_figures=evidence.FIGURES.keys()
    )
    assert [p.message for p in problems] == ["level 2 of 'lead.1' is not described"]


def test_an_empty_required_cell_names_row_and_column():
    bad = _row("lead", "lead.1").replace("lead.1 title", "")
    with pytest.raises(csv_import.CsvProblems) as exc:
        csv_import.parse(HEADER + bad)
    assert [p.field for p in exc.value.problems] == ["row 2, sub_outcome_title"]
