"""GET /v1/export: every visible item, paged by id, as JSON lines or CSV. Both databases."""

import csv
import io
import json

import pytest

from hindsight.schemas.bulk import AssetExport, LessonExport
from hindsight.service.bulk import export as bulk_export
from tests.factories import Api, lesson, make_asset


def export(api: Api, headers: dict, **params) -> list[dict]:
    response = api.client.get("/v1/export", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines()]


@pytest.fixture
def world(api: Api) -> dict:
    """Team A's public published asset (2 lessons), its draft (1 lesson), and a published
    asset restricted to A (1 lesson); a reader of team B sees only the first."""
    a, b = api.make_team(), api.make_team()
    admin = api.admin_headers
    pair = [lesson(title="L1"), lesson(title="L2")]
    shown = make_asset(api, admin, owning_team_id=a["id"], visibility="public",
                       status="published", lessons=pair)  # fmt: skip
    draft = make_asset(api, admin, owning_team_id=a["id"], lessons=[lesson(title="draft L")])
    secret = make_asset(api, admin, owning_team_id=a["id"], visibility="restricted",
                        status="published", lessons=[lesson(title="secret L")])  # fmt: skip
    return {
        "a": api.make_user("reader", [a["id"]]),
        "b": api.make_user("reader", [b["id"]]),
        "assets": (shown, draft, secret),
    }


def test_lessons_export_holds_only_what_the_caller_sees(api: Api, world) -> None:
    shown = world["assets"][0]
    outsider = export(api, world["b"].headers, type="lessons")
    assert [line["title"] for line in outsider] == ["L1", "L2"]
    insider = export(api, world["a"].headers, type="lessons")
    assert [line["title"] for line in insider] == ["L1", "L2", "draft L", "secret L"]
    assert len(export(api, api.admin_headers, type="lessons")) == 4
    line = outsider[0]
    assert set(line) == set(LessonExport.model_fields)
    assert line["id"] == shown["lesson_ids"][0]
    assert line["asset_external_id"].startswith(f"hindsight:asset:{shown['id']}@")
    assert line["external_id"].startswith(f"hindsight:lesson:{line['id']}@")
    assert line["asset_kind"] == "retrospect"
    assert line["asset_title"] == shown["title"]
    assert line["root_cause"] == {"description": "No shared form agreed", "category": "process"}
    assert line["created_at"].endswith("Z")


def test_assets_export_holds_only_what_the_caller_sees(api: Api, world) -> None:
    shown, draft, secret = world["assets"]
    outsider = export(api, world["b"].headers, type="assets")
    assert [line["id"] for line in outsider] == [shown["id"]]
    insider = export(api, world["a"].headers, type="assets", format="jsonl")
    assert [line["id"] for line in insider] == [shown["id"], draft["id"], secret["id"]]
    assert set(insider[0]) == set(AssetExport.model_fields)
    assert insider[0]["details"]["objectives"] == "Cut delayed discharges on two wards by a third"


def test_pages_follow_ids_without_gaps_or_repeats(api: Api, world, monkeypatch) -> None:
    monkeypatch.setattr(bulk_export, "PAGE_SIZE", 1)
    lines = export(api, api.admin_headers, type="lessons")
    ids = [line["id"] for line in lines]
    assert ids == sorted(ids) and len(set(ids)) == 4


def test_csv_has_a_header_and_json_text_for_lists(api: Api, world, monkeypatch) -> None:
    monkeypatch.setattr(bulk_export, "PAGE_SIZE", 2)
    response = api.client.get(
        "/v1/export", params={"type": "lessons", "format": "csv"}, headers=api.admin_headers
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="hindsight-lessons.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == list(LessonExport.model_fields)
    assert [row["title"] for row in rows] == ["L1", "L2", "draft L", "secret L"]
    assert json.loads(rows[0]["five_whys"])[0]["answer"] == "They were re-keyed"
    assert json.loads(rows[0]["applicability"])["topics"] == ["referrals"]
    assert rows[0]["status_reason"] == ""


def test_csv_cells_a_spreadsheet_would_run_are_quoted(api: Api) -> None:
    team = api.make_team()
    make_asset(api, api.admin_headers, owning_team_id=team["id"], title="=HYPERLINK(1)")
    response = api.client.get(
        "/v1/export", params={"type": "assets", "format": "csv"}, headers=api.admin_headers
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[0]["title"] == "'=HYPERLINK(1)"


def test_an_empty_export_is_empty_or_just_the_header(api: Api) -> None:
    reader = api.make_user("reader", [api.make_team()["id"]])
    assert export(api, reader.headers, type="lessons") == []
    response = api.client.get(
        "/v1/export", params={"type": "assets", "format": "csv"}, headers=reader.headers
    )
    assert response.text.strip() == ",".join(AssetExport.model_fields)


def test_bad_parameters_are_422_and_no_token_is_401(api: Api) -> None:
    headers = api.admin_headers
    assert api.client.get("/v1/export", headers=headers).status_code == 422
    bad = api.client.get("/v1/export", params={"type": "users"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "query.type"
    xml = api.client.get("/v1/export", params={"type": "lessons", "format": "xml"}, headers=headers)
    assert xml.status_code == 422
    assert api.client.get("/v1/export", params={"type": "lessons"}).status_code == 401
