"""`hindsight import` of NASA LLIS records, read back through the API, on both databases."""

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from hindsight.search.base import AccessScope, SearchQuery
from hindsight.search.factory import open_backend
from hindsight.service.app import create_app
from hindsight.service.cli import app as cli
from hindsight.service.db import make_engine
from hindsight.service.imports.service import import_file
from hindsight.service.search.indexer import pending
from tests.factories import Api
from tests.search_helpers import index_now

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "nasa_llis_sample.jsonl"
RECORDS = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]


def _import(api: Api, path: Path = SAMPLE):
    return import_file(api.client.app.state.engine, path, batch=2)  # type: ignore[attr-defined]


def _reader(api: Api):
    """A reader of an unrelated team: what everyone may see."""
    return api.make_user(team_ids=[api.make_team()["id"]])


def _lesson_by_tag(api: Api, tag: str) -> dict:
    page = api.client.get("/v1/lessons", params={"tag": tag}, headers=_reader(api).headers)
    assert page.status_code == 200, page.text
    assert page.json()["total"] == 1, page.json()
    return page.json()["items"][0]


def test_each_record_becomes_a_published_lesson_everyone_can_read(api):
    report = _import(api)
    assert (report.created, report.updated, report.unchanged, report.rejected) == (5, 0, 0, [])
    record = next(r for r in RECORDS if r["lesson_id"] == "1732")
    lesson = _lesson_by_tag(api, "programme:payload services")
    assert lesson["title"] == record["title"]
    assert lesson["observation"] == record["driving_event"]
    assert lesson["lesson"] == record["lessons_learned"]
    assert lesson["recommendation"] == record["recommendations"]
    assert lesson["applicability"] == {
        "phases": ["initiation"],
        "topics": ["categories", "lifting devices"],
        "organisation_types": ["central_government"],
    }
    assert lesson["visibility"] == "public"
    assert lesson["created_at"].startswith(record["publish_date"])
    reader = _reader(api)
    asset = api.client.get(f"/v1/assets/{lesson['asset_id']}", headers=reader.headers).json()
    assert (asset["kind"], asset["status"]) == ("after_action_review", "published")
    assert asset["summary"] == record["abstract"]
    assert asset["published_at"].startswith(record["publish_date"])
    assert '<a href="https://llis.nasa.gov/lesson/1732"' in asset["body_html"]
    assert asset["authors"] == [{"name": "Damoff, Judy", "role": "submitter", "email": None}]
    contact = asset["details"]["useful_contacts"][0]
    assert (contact["name"], contact["role"]) == ("Damoff, Judy", "point of contact")
    team = api.client.get(f"/v1/teams/{asset['owning_team_id']}", headers=reader.headers).json()
    assert team["name"] == "NASA LLIS (imported)"


def test_a_second_import_creates_and_updates_nothing(api):
    _import(api)
    index_now(api)
    again = _import(api)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 5, [])
    assert api.client.get("/healthz", headers=api.admin_headers).json()["outbox_pending"] == 0
    lessons = api.client.get("/v1/lessons", headers=api.admin_headers).json()
    assert lessons["total"] == 5
    assert {item["version"] for item in lessons["items"]} == {1}
    # The team is found again, not made twice.
    teams = api.client.get("/v1/teams", headers=api.admin_headers).json()["items"]
    assert [t["name"] for t in teams].count("NASA LLIS (imported)") == 1


def test_bad_lines_are_reported_with_their_numbers_and_the_rest_goes_in(api, tmp_path):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        "\n".join(
            [
                lines[0],
                '{"lesson_id": "77", "title": "cut off',
                lines[1],
                json.dumps({**RECORDS[2], "lesson_id": "not-a-number"}),
                "",
                lines[0],
            ]
        ),
        encoding="utf-8",
    )
    report = _import(api, path)
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert [number for number, _ in report.rejected] == [2, 4, 6]
    assert "not valid JSON" in report.rejected[0][1]
    assert "'not-a-number' is not an LLIS lesson number" in report.rejected[1][1]
    assert "nasa-llis:2 appears again (first on line 1)" in report.rejected[2][1]


def test_imported_lessons_are_found_by_search_with_a_snippet(api):
    _import(api)
    index_now(api)
    reader = _reader(api)
    page = api.client.get(
        "/v1/search", params={"q": "solder contamination", "type": "lesson"},
        headers=reader.headers,
    ).json()  # fmt: skip
    top = page["items"][0]
    assert top["title"] == "Solder Defects Reduction by Training/certification of Technicians"
    assert "<mark>" in top["snippet"]
    assert page["facets"]["tags"]["centre:jsc"] >= 1
    assert page["facets"]["year"] == {"1993": 1}
    by_tag = api.client.get(
        "/v1/search", params={"q": "tag:ksc forklift"}, headers=reader.headers
    ).json()
    assert {i["title"] for i in by_tag["items"]} == {"Forklift load test"}


def test_a_changed_record_is_updated_and_the_earlier_version_kept(api, tmp_path):
    _import(api)
    changed = [
        {**r, "recommendations": "Certify every solder technician to NASA-STD-8739.3."}
        if r["lesson_id"] == "2"
        else r
        for r in RECORDS
    ]
    path = tmp_path / "changed.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in changed), encoding="utf-8")
    report = _import(api, path)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 4)
    found = api.client.get(
        "/v1/lessons", params={"tag": "centre:jsc"}, headers=api.admin_headers
    ).json()["items"]
    lesson = next(item for item in found if item["title"].startswith("Solder"))
    assert lesson["recommendation"] == "Certify every solder technician to NASA-STD-8739.3."
    assert lesson["version"] == 2
    versions = api.client.get(
        f"/v1/lessons/{lesson['id']}/versions", headers=api.admin_headers
    ).json()
    assert versions["total"] == 1
    assert versions["items"][0]["changed_fields"] == ["recommendation"]
    index_now(api)
    hits = api.client.get("/v1/search", params={"q": "8739"}, headers=api.admin_headers).json()[
        "items"
    ]
    assert [h["id"] for h in hits if h["type"] == "lesson"] == [lesson["id"]]


@pytest.fixture
def run(settings, monkeypatch):
    monkeypatch.setenv("HINDSIGHT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("HINDSIGHT_INDEX_DIR", str(settings.index_dir))
    monkeypatch.delenv("HINDSIGHT_URL", raising=False)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args))


def test_the_command_leaves_indexing_to_a_running_server(api, run):
    result = run("import", str(SAMPLE))
    assert result.exit_code == 0, result.output
    assert "created 5, updated 0, unchanged 0, rejected 0" in result.output
    assert "a running Hindsight server is the index writer" in result.output
    index_now(api)
    hits = api.client.get("/v1/search", params={"q": "forklift"}, headers=api.admin_headers)
    assert hits.json()["total"] >= 1


def test_the_command_indexes_by_itself_when_no_server_runs(settings, run):
    result = run("import", str(SAMPLE))
    assert result.exit_code == 0, result.output
    assert "indexed 10 items into the tantivy index" in result.output
    engine = make_engine(settings)
    try:
        assert pending(engine) == 0
    finally:
        engine.dispose()
    backend = open_backend("tantivy", index_dir=settings.index_dir)
    try:
        found = backend.search(SearchQuery(q="indium gasket"), AccessScope())
        assert found.hits[0].title.startswith("ETU Laser Diode Pump Array Failure")
    finally:
        backend.close()
    again = run("import", str(SAMPLE))
    assert "created 0, updated 0, unchanged 5, rejected 0" in again.output
    assert "indexed 0 items" in again.output


def test_demo_loads_the_corpus_and_says_clearly_when_it_is_missing(settings, run, tmp_path):
    missing = run("demo", "--path", str(tmp_path / "nowhere.jsonl"))
    assert missing.exit_code == 1
    assert "the NASA corpus is not at" in missing.output
    result = run("demo", "--path", str(SAMPLE))
    assert result.exit_code == 0, result.output
    assert "5 NASA lessons are in" in result.output
    with TestClient(create_app(settings)) as client:
        page = client.get(
            "/v1/search", params={"q": "conduit", "type": "lesson"},
            headers=Api(client).admin_headers,
        ).json()  # fmt: skip
    assert page["items"][0]["title"] == "Electrical conduit mistaken for pneumatic tube"


def test_demo_without_a_path_finds_the_corpus_in_the_folder_it_runs_in(
    settings, run, tmp_path, monkeypatch
):
    folder = tmp_path / "empty"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("HINDSIGHT_DEMO_PATH", raising=False)
    (folder / "nasa_llis.jsonl").write_bytes(SAMPLE.read_bytes())
    result = run("demo")
    assert result.exit_code == 0, result.output
    assert f"loading {folder / 'nasa_llis.jsonl'}" in result.output
    assert "5 NASA lessons are in" in result.output
