"""Visibility per role and team, on get, list and totals, for assets and their lessons.

Five assets of team A, each with one lesson:
  1 public, published          2 internal, draft           3 restricted to B, published
  4 restricted to B, in review 5 restricted (no teams), published
"""

import json

import pytest

from tests.factories import Api, Caller, if_match, lesson, make_asset
from tests.search_helpers import index_now

EXPECTED = {
    "a_contributor": {1, 2, 3, 4, 5},  # the owning team sees everything it owns
    "b_reader": {1, 3},  # shared restricted yes; drafts and items in review no
    "b_reviewer": {1, 2, 3, 4},  # reviewers see unreleased items they may access
    "c_reader": {1},
    "c_reviewer": {1, 2},  # not restricted items of teams it is not named in
    "admin": {1, 2, 3, 4, 5},
}


@pytest.fixture
def world(api: Api) -> tuple[dict[str, dict[str, str]], dict[int, dict]]:
    a, b, c = api.make_team(), api.make_team(), api.make_team()
    callers: dict[str, Caller] = {
        "a_contributor": api.make_user("contributor", [a["id"]]),
        "b_reader": api.make_user("reader", [b["id"]]),
        "b_reviewer": api.make_user("reviewer", [b["id"]]),
        "c_reader": api.make_user("reader", [c["id"]]),
        "c_reviewer": api.make_user("reviewer", [c["id"]]),
    }
    headers = {name: caller.headers for name, caller in callers.items()}
    headers["admin"] = api.admin_headers
    admin = api.admin_headers
    specs = {
        1: {"visibility": "public", "status": "published"},
        2: {"visibility": "internal"},
        3: {"visibility": "restricted", "team_ids": [b["id"]], "status": "published"},
        4: {"visibility": "restricted", "team_ids": [b["id"]]},
        5: {"visibility": "restricted", "status": "published"},
    }
    assets = {}
    for n, spec in specs.items():
        assets[n] = make_asset(
            api, admin, owning_team_id=a["id"], title=f"asset {n}", lessons=[lesson()], **spec
        )
    moved = api.client.post(
        f"/v1/assets/{assets[4]['id']}/transitions",
        json={"to": "in_review"},
        headers=if_match(admin, 1),
    )
    assert moved.status_code == 200
    return headers, assets


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_asset_get_list_and_total(api: Api, world, who: str) -> None:
    headers, assets = world
    expected_ids = {assets[n]["id"] for n in EXPECTED[who]}
    for asset in assets.values():
        response = api.client.get(f"/v1/assets/{asset['id']}", headers=headers[who])
        assert response.status_code == (200 if asset["id"] in expected_ids else 404), asset["title"]
    listed = api.client.get("/v1/assets?limit=100", headers=headers[who]).json()
    assert {item["id"] for item in listed["items"]} == expected_ids
    assert listed["total"] == len(expected_ids)
    # a filtered total is filtered by visibility too
    published = api.client.get("/v1/assets?status=published", headers=headers[who]).json()
    assert published["total"] == len(expected_ids & {assets[n]["id"] for n in (1, 3, 5)})
    # a page smaller than the total still counts only visible items
    first_page = api.client.get("/v1/assets?limit=1", headers=headers[who]).json()
    assert first_page["total"] == len(expected_ids)


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_lesson_get_list_and_total_follow_their_asset(api: Api, world, who: str) -> None:
    headers, assets = world
    expected = {assets[n]["lesson_ids"][0] for n in EXPECTED[who]}
    for asset in assets.values():
        lesson_id = asset["lesson_ids"][0]
        response = api.client.get(f"/v1/lessons/{lesson_id}", headers=headers[who])
        assert response.status_code == (200 if lesson_id in expected else 404)
    listed = api.client.get("/v1/lessons?limit=100", headers=headers[who]).json()
    assert {item["id"] for item in listed["items"]} == expected
    assert listed["total"] == len(expected)
    by_category = api.client.get(
        "/v1/lessons?root_cause_category=process", headers=headers[who]
    ).json()
    assert by_category["total"] == len(expected)


def test_hidden_asset_is_404_on_every_path(api: Api, world) -> None:
    headers, assets = world
    hidden = assets[5]["id"]
    reader = headers["c_reader"]
    for path in (f"/v1/assets/{hidden}", f"/v1/assets/{hidden}/versions"):
        response = api.client.get(path, headers=reader)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    hidden_error = api.client.get(f"/v1/assets/{hidden}", headers=reader).json()["error"]
    missing_error = api.client.get("/v1/assets/987654", headers=reader).json()["error"]
    assert hidden_error["code"] == missing_error["code"] == "not_found"
    assert hidden_error["message"] == f"there is no asset {hidden}"
    lesson_id = assets[5]["lesson_ids"][0]
    assert api.client.get(f"/v1/lessons/{lesson_id}/versions", headers=reader).status_code == 404


def test_lesson_ids_in_an_asset_are_those_of_its_lessons(api: Api, world) -> None:
    headers, assets = world
    for asset in assets.values():
        listed = api.client.get(
            f"/v1/lessons?asset_id={asset['id']}", headers=headers["admin"]
        ).json()
        assert [item["id"] for item in listed["items"]] == asset["lesson_ids"]


def test_caller_without_teams_sees_no_restricted_items(api: Api, world) -> None:
    _headers, assets = world
    loner = api.make_user("reviewer", [])
    listed = api.client.get("/v1/assets", headers=loner.headers).json()
    # a reviewer with no team: open items in any state, no restricted ones
    assert {item["id"] for item in listed["items"]} == {assets[1]["id"], assets[2]["id"]}
    reader = api.make_user("reader", [])
    listed = api.client.get("/v1/lessons", headers=reader.headers).json()
    assert [item["asset_id"] for item in listed["items"]] == [assets[1]["id"]]
    assert listed["total"] == 1


def test_lesson_cannot_be_added_to_an_archived_asset(api: Api, world) -> None:
    headers, assets = world
    admin = headers["admin"]
    archived = api.client.post(
        f"/v1/assets/{assets[1]['id']}/transitions",
        json={"to": "archived"},
        headers=if_match(admin, 1),
    )
    assert archived.status_code == 200
    response = api.client.post("/v1/lessons", json=lesson(asset_id=assets[1]["id"]), headers=admin)
    assert response.status_code == 409


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_every_read_path_agrees_with_the_lists(api: Api, world, who: str) -> None:
    """Access parity: search hits, facets, suggestions, related lessons, exports, metrics
    and versions show a caller exactly what the lists show them, for every role and team."""
    headers, assets = world
    caller = headers[who]
    listed_assets = {
        i["id"] for i in api.client.get("/v1/assets?limit=100", headers=caller).json()["items"]
    }
    listed_lessons = {
        i["id"] for i in api.client.get("/v1/lessons?limit=100", headers=caller).json()["items"]
    }
    assert listed_assets == {assets[n]["id"] for n in EXPECTED[who]}
    index_now(api)

    found = api.client.get("/v1/search", params={"q": "referral", "limit": 50}, headers=caller)
    assert found.status_code == 200, found.text
    body = found.json()
    hits = {(i["type"], i["id"]) for i in body["items"]}
    assert {i for t, i in hits if t == "asset"} == listed_assets
    assert {i for t, i in hits if t == "lesson"} == listed_lessons
    assert body["total"] == len(listed_assets) + len(listed_lessons)
    assert body["facets"]["type"] == {
        name: n for name, n in (("asset", len(listed_assets)), ("lesson", len(listed_lessons))) if n
    }
    assert sum(body["facets"]["status"].values()) == body["total"]

    titles = {a["title"] for a in assets.values() if a["id"] in listed_assets}
    suggested = api.client.get("/v1/search/suggest", params={"q": "asset"}, headers=caller)
    assert suggested.status_code == 200
    assert {s for s in suggested.json()["suggestions"] if s.startswith("asset ")} <= titles

    related = api.client.get(
        f"/v1/lessons/{assets[1]['lesson_ids'][0]}/related", headers=caller
    ).json()
    assert {i["id"] for i in related["items"]} <= listed_lessons

    for kind, listed in (("assets", listed_assets), ("lessons", listed_lessons)):
        export = api.client.get("/v1/export", params={"type": kind}, headers=caller)
        assert export.status_code == 200, export.text
        assert {json.loads(line)["id"] for line in export.text.splitlines()} == listed

    figures = api.client.get("/v1/metrics/learning", headers=caller).json()
    assert figures["lessons"]["total"] == len(listed_lessons)

    for asset in assets.values():
        versions = api.client.get(f"/v1/assets/{asset['id']}/versions", headers=caller)
        assert versions.status_code == (200 if asset["id"] in listed_assets else 404)
        if versions.status_code == 200:
            # Access never changed in this world: every earlier state was readable too.
            assert not any(v["withheld"] for v in versions.json()["items"])
