"""Importing one's own export back keeps each item's owning team, project and shared teams
unless the import's parameters say otherwise; an assets export embeds its lessons."""

import json

from tests.factories import Api, lesson, make_asset, make_project

NDJSON = {"Content-Type": "application/x-ndjson"}


def _export(api: Api, what: str, headers: dict[str, str] | None = None) -> str:
    response = api.client.get(
        "/v1/export", params={"type": what}, headers=headers or api.admin_headers
    )
    assert response.status_code == 200, response.text
    return response.text


def _import(api: Api, what: str, body: str, **params) -> dict:
    response = api.client.post(
        "/v1/import",
        params={"type": what, **params},
        content=body,
        headers={**api.admin_headers, **NDJSON},
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["rejected_count"] == 0, report["rejected"]
    return report


def _world(api: Api) -> dict:
    owner, partner, other = api.make_team(), api.make_team(), api.make_team()
    author = api.make_user("contributor", [owner["id"]])
    project = make_project(api, author)
    asset = make_asset(
        api,
        api.admin_headers,
        owning_team_id=owner["id"],
        project_id=project["id"],
        visibility="restricted",
        team_ids=[partner["id"]],
        status="published",
        lessons=[lesson(title="In the review")],
    )
    alone = api.client.post(
        "/v1/lessons",
        json=lesson(title="On its own", project_id=project["id"]),
        headers=author.headers,
    )
    assert alone.status_code == 201, alone.text
    return {"owner": owner, "partner": partner, "other": other, "project": project,
            "asset": asset, "alone": alone.json()}  # fmt: skip


def _lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line]


def test_an_own_export_imports_back_unchanged_keeping_teams_and_projects(api: Api) -> None:
    world = _world(api)
    assets, lessons = _export(api, "assets"), _export(api, "lessons")
    assert (
        _import(api, "assets", assets)["unchanged"],
        _import(api, "lessons", lessons)["unchanged"],
    ) == (1, 2)
    (asset,) = _lines(_export(api, "assets"))
    assert (asset["owning_team_id"], asset["project_id"], asset["team_ids"]) == (
        world["owner"]["id"],
        world["project"]["id"],
        [world["partner"]["id"]],
    )
    assert _export(api, "assets") == assets and _export(api, "lessons") == lessons


def test_owning_team_id_moves_items_but_keeps_their_project_and_shares(api: Api) -> None:
    world = _world(api)
    target = world["other"]["id"]
    _import(api, "assets", _export(api, "assets"), owning_team_id=target)
    _import(api, "lessons", _export(api, "lessons"), owning_team_id=target)
    (asset,) = _lines(_export(api, "assets"))
    assert (asset["owning_team_id"], asset["project_id"], asset["team_ids"]) == (
        target,
        world["project"]["id"],
        [world["partner"]["id"]],
    )
    by_title = {item["title"]: item for item in _lines(_export(api, "lessons"))}
    for title in ("In the review", "On its own"):
        assert by_title[title]["owning_team_id"] == target
        assert by_title[title]["project_id"] == world["project"]["id"]


def test_keep_ids_false_drops_the_lines_projects_and_shares(api: Api) -> None:
    world = _world(api)
    foreign = {"owning_team_id": world["other"]["id"], "keep_ids": "false"}
    _import(api, "assets", _export(api, "assets"), **foreign)
    (asset,) = _lines(_export(api, "assets"))
    assert (asset["owning_team_id"], asset["project_id"], asset["team_ids"]) == (
        world["other"]["id"],
        None,
        [],
    )
    missing = api.client.post(
        "/v1/import",
        params={"type": "assets", "keep_ids": "false"},
        content=_export(api, "assets"),
        headers={**api.admin_headers, **NDJSON},
    )
    assert missing.status_code == 422
    assert missing.json()["error"]["details"][0]["field"] == "query.owning_team_id"


def test_project_id_places_every_item_in_one_project(api: Api) -> None:
    world = _world(api)
    author = api.make_user("contributor", [world["owner"]["id"]])
    elsewhere = make_project(api, author, name="Second phase")
    _import(api, "lessons", _export(api, "lessons"), project_id=elsewhere["id"])
    by_title = {item["title"]: item for item in _lines(_export(api, "lessons"))}
    assert by_title["On its own"]["project_id"] == elsewhere["id"]
    # A lesson in an asset follows its asset, whatever the import asks.
    assert by_title["In the review"]["project_id"] == world["project"]["id"]


def test_an_assets_export_embeds_its_visible_lessons_and_recreates_them(api: Api) -> None:
    world = _world(api)
    narrow = api.client.post(
        "/v1/lessons",
        json=lesson(title="Only for the owner", asset_id=world["asset"]["id"], team_ids=[]),
        headers=api.admin_headers,
    )
    assert narrow.status_code == 201, narrow.text
    (line,) = _lines(_export(api, "assets"))
    assert [item["title"] for item in line["lessons"]] == ["In the review", "Only for the owner"]
    partner = api.make_user("reader", [world["partner"]["id"]])
    (seen,) = _lines(_export(api, "assets", partner.headers))
    assert [item["title"] for item in seen["lessons"]] == ["In the review"]
    # Into an empty asset slot: a copy of the line under a new external id brings its lessons.
    renamed = [{**item, "external_id": f"copy:{item['id']}"} for item in line["lessons"]]
    copy = {**line, "external_id": "copy:1", "lessons": renamed}
    first = _import(api, "assets", json.dumps(copy) + "\n")
    assert first["created"] == 1
    again = _import(api, "assets", json.dumps(copy) + "\n")
    assert again["unchanged"] == 1
    copied = next(a for a in _lines(_export(api, "assets")) if a["external_id"] == "copy:1")
    assert [item["title"] for item in copied["lessons"]] == ["In the review", "Only for the owner"]
    assert all(item["asset_id"] == copied["id"] for item in copied["lessons"])


def test_the_import_parameters_are_documented_in_the_openapi(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    params = {p["name"]: p for p in spec["paths"]["/v1/import"]["post"]["parameters"]}
    for name in ("owning_team_id", "project_id", "keep_ids"):
        assert params[name]["in"] == "query" and params[name]["description"]
    export = spec["paths"]["/v1/export"]["get"]["description"]
    assert "An assets export carries its lessons" in export
