"""`hindsight import FILE` with Hindsight's own export: into the local database, idempotent."""

import json

from tests.api.test_nasa_import import SAMPLE, run  # noqa: F401  (the `run` fixture)
from tests.factories import lesson, make_asset
from tests.search_helpers import index_now


def _export(api, what: str) -> str:
    response = api.client.get(
        "/v1/export", params={"type": what, "format": "jsonl"}, headers=api.admin_headers
    )
    assert response.status_code == 200, response.text
    return response.text


def test_an_export_imports_back_unchanged_and_a_changed_line_updates(api, run, tmp_path):  # noqa: F811
    team = api.make_team()
    owner = api.make_user(role="contributor", team_ids=[team["id"]])
    make_asset(api, owner, title="Night handover retrospect", lessons=[lesson()])
    assets, lessons = tmp_path / "assets.jsonl", tmp_path / "lessons.jsonl"
    assets.write_text(_export(api, "assets"))
    lessons.write_text(_export(api, "lessons"))

    again = run("import", str(assets))
    assert again.exit_code == 0, again.output
    assert "created 0, updated 0, unchanged 1, rejected 0" in again.output

    changed = json.loads(lessons.read_text().splitlines()[0])
    changed["title"] = "Shared referral form, agreed in planning"
    lessons.write_text(json.dumps(changed) + "\n")
    updated = run("import", str(lessons))
    assert updated.exit_code == 0, updated.output
    assert "created 0, updated 1, unchanged 0, rejected 0" in updated.output
    index_now(api)
    found = api.client.get("/v1/search", params={"q": "agreed in planning"}, headers=owner.headers)
    assert found.json()["total"] >= 1


def test_a_file_of_neither_kind_is_refused_with_what_was_expected(run, tmp_path):  # noqa: F811
    other = tmp_path / "other.jsonl"
    other.write_text('{"name": "not a lesson"}\n')
    result = run("import", str(other))
    assert result.exit_code == 1
    said = " ".join(result.output.split())  # the terminal wraps long lines
    assert "expected NASA LLIS records" in said and "Hindsight's own export" in said


def test_nasa_records_are_not_sent_over_http(run):  # noqa: F811
    result = run("import", str(SAMPLE), "--url", "http://127.0.0.1:9")
    assert result.exit_code == 2
    assert "unset HINDSIGHT_URL" in " ".join(result.output.split())
