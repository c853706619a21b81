"""`hindsight frameworks import` against the same databases the API tests use."""

import json

import pytest
from typer.testing import CliRunner

from hindsight.service.cli import app
from tests.factories import starter_framework

CSV = (
    "framework_key,framework_name,outcome_key,outcome_title,sub_outcome_key,"
    "sub_outcome_title,level_0: None,level_1: Some,level_2: All,indicative_measures\n"
    "team-km,Team KM,share,We share,share.cafes,Knowledge cafés,never,sometimes,monthly,"
    "cafés held\n"
    "team-km,Team KM,share,We share,share.reviews,Reviews,never,some projects,every project,"
    '"reviews logged\nlessons with actions"\n'
)


@pytest.fixture
def run(settings, monkeypatch):
    monkeypatch.setenv("HINDSIGHT_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def test_a_csv_spreadsheet_imports_as_a_framework(api, run, tmp_path):
    path = tmp_path / "ours.csv"
    path.write_text(CSV, encoding="utf-8")
    result = run("frameworks", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "team-km version 1 (1 outcomes, 2 sub-outcomes, 3 levels)" in result.output
    page = api.client.get(
        "/v1/maturity/frameworks", params={"key": "team-km"}, headers=api.admin_headers
    ).json()
    framework = api.client.get(
        f"/v1/maturity/frameworks/{page['items'][0]['id']}", headers=api.admin_headers
    ).json()
    assert [lv["label"] for lv in framework["levels"]] == ["None", "Some", "All"]
    measures = framework["outcomes"][0]["sub_outcomes"][1]["indicative_measures"]
    assert measures == ["reviews logged", "lessons with actions"]


def test_an_exported_json_framework_imports_as_the_next_version(api, run, tmp_path):
    exported = starter_framework(api)
    exported["name"] = "Our adaptation of the starter"
    path = tmp_path / "starter.json"
    path.write_text(json.dumps(exported), encoding="utf-8")
    result = run("frameworks", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "hindsight-starter version 2" in result.output


def test_a_broken_file_names_its_problems_and_saves_nothing(api, run, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text(CSV.replace(",monthly,", ",,"), encoding="utf-8")
    result = run("frameworks", "import", str(path))
    assert result.exit_code == 1
    assert "level 2 of 'share.cafes' is not described" in " ".join(result.output.split())
    listed = api.client.get("/v1/maturity/frameworks", headers=api.admin_headers).json()
    assert listed["total"] == 1


def test_dry_run_checks_without_saving(api, run, tmp_path):
    path = tmp_path / "ours.csv"
    path.write_text(CSV, encoding="utf-8")
    result = run("frameworks", "import", "--dry-run", str(path))
    assert result.exit_code == 0, result.output
    assert "nothing saved" in " ".join(result.output.split())  # rich wraps long paths
    assert api.client.get("/v1/maturity/frameworks", headers=api.admin_headers).json()["total"] == 1


def test_starter_prints_the_template(run):
    result = run("frameworks", "starter")
    assert result.exit_code == 0
    assert json.loads(result.output)["key"] == "hindsight-starter"
