"""Standalone lessons (no asset) and lessons narrower than their asset (API.md "Lessons"):
their own owning team, project, visibility and teams, enforced on every read path."""

import json

from tests.factories import Api, Caller, if_match, lesson, make_asset, make_project
from tests.search_helpers import index_now

SECRET = "Quarantined vaccine fridge telemetry"


def _post(api: Api, caller: Caller | dict[str, str], **fields) -> dict:
    headers = caller.headers if isinstance(caller, Caller) else caller
    response = api.client.post("/v1/lessons", json=lesson(**fields), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_standalone_lesson_takes_the_callers_team_and_is_internal_at_once(api: Api) -> None:
    team, other = api.make_team(), api.make_team()
    author = api.make_user("contributor", [team["id"]])
    created = _post(api, author)
    assert created["asset_id"] is None and created["project_id"] is None
    assert created["owning_team_id"] == team["id"]
    assert (created["visibility"], created["team_ids"], created["status"]) == (
        "internal",
        [],
        "identified",
    )
    reader = api.make_user("reader", [other["id"]])
    got = api.client.get(f"/v1/lessons/{created['id']}", headers=reader.headers)
    assert got.status_code == 200 and got.json() == created
    listed = api.client.get("/v1/lessons", headers=reader.headers).json()
    assert [item["id"] for item in listed["items"]] == [created["id"]]


def test_standalone_lesson_needs_a_team_when_the_caller_has_several(api: Api) -> None:
    a, b = api.make_team(), api.make_team()
    author = api.make_user("contributor", [a["id"], b["id"]])
    response = api.client.post("/v1/lessons", json=lesson(), headers=author.headers)
    assert response.status_code == 422
    detail = response.json()["error"]["details"][0]
    assert detail["field"] == "body.owning_team_id" and "2 teams" in detail["message"]
    chosen = _post(api, author, owning_team_id=b["id"])
    assert chosen["owning_team_id"] == b["id"]
    stranger = api.make_team()
    foreign = api.client.post(
        "/v1/lessons", json=lesson(owning_team_id=stranger["id"]), headers=author.headers
    )
    assert foreign.status_code == 403


def test_standalone_lesson_belongs_to_a_project_and_is_listed_by_it(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    project = make_project(api, author)
    created = _post(api, author, project_id=project["id"])
    assert created["project_id"] == project["id"]
    page = api.client.get(
        "/v1/lessons", params={"project_id": project["id"]}, headers=author.headers
    ).json()
    assert [item["id"] for item in page["items"]] == [created["id"]]
    missing = api.client.post(
        "/v1/lessons", json=lesson(project_id=2**31 - 1), headers=author.headers
    )
    assert missing.status_code == 422
    assert missing.json()["error"]["details"][0]["field"] == "body.project_id"


def test_a_lesson_in_an_asset_takes_no_team_or_project_of_its_own(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    asset = make_asset(api, author)
    response = api.client.post(
        "/v1/lessons",
        json=lesson(asset_id=asset["id"], owning_team_id=team["id"]),
        headers=author.headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body.owning_team_id"


def _restricted_world(api: Api) -> tuple[Caller, Caller, Caller, dict]:
    """A restricted standalone lesson of team A shared with B; C is outside."""
    a, b, c = api.make_team(), api.make_team(), api.make_team()
    author = api.make_user("contributor", [a["id"]])
    shared = api.make_user("reader", [b["id"]])
    outsider = api.make_user("reviewer", [c["id"]])
    secret = _post(
        api,
        author,
        title=SECRET,
        lesson="Quarantined fridges need telemetry alarms routed to pharmacy",
        visibility="restricted",
        team_ids=[b["id"]],
        applicability={"topics": ["cold chain"]},
    )
    return author, shared, outsider, secret


def test_restricted_standalone_lesson_get_and_list(api: Api) -> None:
    _author, shared, outsider, secret = _restricted_world(api)
    url = f"/v1/lessons/{secret['id']}"
    assert api.client.get(url, headers=outsider.headers).status_code == 404
    assert api.client.get(f"{url}/versions", headers=outsider.headers).status_code == 404
    assert api.client.get(url, headers=shared.headers).status_code == 200
    page = api.client.get("/v1/lessons", headers=outsider.headers).json()
    assert page["items"] == [] and page["total"] == 0
    assert api.client.get("/v1/lessons", headers=shared.headers).json()["total"] == 1


def test_restricted_standalone_lesson_is_absent_from_search_facets_and_suggestions(
    api: Api,
) -> None:
    _author, shared, outsider, secret = _restricted_world(api)
    index_now(api)
    for params in ({"q": "quarantined telemetry"}, {"q": "fridges", "type": "lesson"}):
        hidden = api.client.get("/v1/search", params=params, headers=outsider.headers).json()
        assert hidden["total"] == 0 and hidden["items"] == []
        assert all(counts == {} for counts in hidden["facets"].values())
        seen = api.client.get("/v1/search", params=params, headers=shared.headers).json()
        assert [item["id"] for item in seen["items"]] == [secret["id"]]
    for who, expected in ((outsider, False), (shared, True)):
        suggested = api.client.get(
            "/v1/search/suggest", params={"q": "quarant"}, headers=who.headers
        ).json()["suggestions"]
        assert any("quarantin" in s.lower() for s in suggested) is expected


def test_restricted_standalone_lesson_is_absent_from_related_and_due_diligence(
    api: Api,
) -> None:
    author, shared, outsider, secret = _restricted_world(api)
    open_one = _post(
        api,
        author,
        title="Vaccine fridge telemetry alarms",
        lesson="Quarantined fridges need telemetry alarms routed to pharmacy staff",
    )
    index_now(api)
    related_url = f"/v1/lessons/{open_one['id']}/related"
    for who, expected in ((outsider, []), (shared, [secret["id"]])):
        related = api.client.get(related_url, headers=who.headers).json()["items"]
        assert [item["id"] for item in related if item["type"] == "lesson"] == expected
    assert (
        api.client.get(f"/v1/lessons/{secret['id']}/related", headers=outsider.headers).status_code
        == 404
    )
    brief = {
        "title": "Vaccine cold chain",
        "description": "We will move quarantined vaccine fridges to telemetry alarms.",
    }
    for who, shown in ((outsider, False), (shared, True)):
        check = api.client.post("/v1/due-diligence", json=brief, headers=who.headers)
        assert check.status_code == 201, check.text
        ids = {r["lesson"]["id"] for r in check.json()["results"]["lessons"]}
        assert open_one["id"] in ids
        assert (secret["id"] in ids) is shown


def test_restricted_standalone_lesson_is_absent_from_exports_and_metrics(api: Api) -> None:
    _author, shared, outsider, secret = _restricted_world(api)
    for who, expected in ((outsider, []), (shared, [secret["id"]])):
        exported = api.client.get(
            "/v1/export", params={"type": "lessons"}, headers=who.headers
        ).text
        lines = [json.loads(line) for line in exported.splitlines() if line]
        assert [line["id"] for line in lines] == expected
        if expected:
            assert lines[0]["asset_external_id"] is None
        figures = api.client.get("/v1/metrics/learning", headers=who.headers)
        assert figures.status_code == 200, figures.text
        assert figures.json()["lessons"]["total"] == len(expected)


def test_a_lesson_in_an_asset_may_be_narrower_never_wider(api: Api) -> None:
    a, b, c = api.make_team(), api.make_team(), api.make_team()
    author = api.make_user("contributor", [a["id"]])
    asset = make_asset(api, author, visibility="restricted", team_ids=[b["id"]], lessons=[lesson()])
    wider = api.client.post(
        "/v1/lessons",
        json=lesson(asset_id=asset["id"], visibility="internal"),
        headers=author.headers,
    )
    assert wider.status_code == 422
    assert wider.json()["error"]["details"][0]["field"] == "body.visibility"
    outside = api.client.post(
        "/v1/lessons",
        json=lesson(asset_id=asset["id"], visibility="restricted", team_ids=[c["id"]]),
        headers=author.headers,
    )
    assert outside.status_code == 422
    assert outside.json()["error"]["details"][0]["field"] == "body.team_ids"
    inherited = api.client.get(
        f"/v1/lessons/{asset['lesson_ids'][0]}", headers=author.headers
    ).json()
    assert (inherited["visibility"], inherited["team_ids"]) == ("restricted", [b["id"]])
    embedded_wider = api.client.post(
        "/v1/assets",
        json={**asset_body(visibility="internal"), "lessons": [lesson(visibility="public")]},
        headers=author.headers,
    )
    assert embedded_wider.status_code == 422
    assert embedded_wider.json()["error"]["details"][0]["field"] == "body.lessons.0.visibility"


def asset_body(**fields) -> dict:
    from tests.factories import retrospect

    return retrospect(**fields)


def test_a_narrower_lesson_in_a_shared_asset_is_hidden_from_other_teams(api: Api) -> None:
    a, b = api.make_team(), api.make_team()
    author = api.make_user("contributor", [a["id"]])
    reader = api.make_user("reader", [b["id"]])
    asset = make_asset(
        api,
        api.admin_headers,
        owning_team_id=a["id"],
        status="published",
        lessons=[lesson(title="Open lesson"), lesson(title=SECRET, visibility="restricted")],
    )
    open_id, secret_id = asset["lesson_ids"]
    assert api.client.get(f"/v1/lessons/{open_id}", headers=reader.headers).status_code == 200
    assert api.client.get(f"/v1/lessons/{secret_id}", headers=reader.headers).status_code == 404
    assert api.client.get(f"/v1/lessons/{secret_id}", headers=author.headers).status_code == 200
    index_now(api)
    hits = api.client.get(
        "/v1/search", params={"q": "quarantined", "type": "lesson"}, headers=reader.headers
    ).json()
    assert hits["total"] == 0


def test_visibility_and_teams_are_patched_under_the_same_rule(api: Api) -> None:
    a, b = api.make_team(), api.make_team()
    author = api.make_user("contributor", [a["id"]])
    reader = api.make_user("reader", [b["id"]])
    asset = make_asset(
        api, api.admin_headers, owning_team_id=a["id"], status="published", lessons=[lesson()]
    )
    url = f"/v1/lessons/{asset['lesson_ids'][0]}"
    narrowed = api.client.patch(url, json={"visibility": "restricted"}, headers=if_match(author, 1))
    assert narrowed.status_code == 200, narrowed.text
    assert api.client.get(url, headers=reader.headers).status_code == 404
    shared = api.client.patch(url, json={"team_ids": [b["id"]]}, headers=if_match(author, 2))
    assert shared.status_code == 200 and shared.json()["team_ids"] == [b["id"]]
    assert api.client.get(url, headers=reader.headers).status_code == 200
    wider = api.client.patch(url, json={"visibility": "public"}, headers=if_match(author, 3))
    assert wider.status_code == 422
    assert wider.json()["error"]["details"][0]["field"] == "body.visibility"
    standalone = _post(api, author, visibility="restricted")
    opened = api.client.patch(
        f"/v1/lessons/{standalone['id']}",
        json={"visibility": "public"},
        headers=if_match(author, 1),
    )
    assert opened.status_code == 200 and opened.json()["visibility"] == "public"
    assert (
        api.client.get(f"/v1/lessons/{standalone['id']}", headers=reader.headers).status_code == 200
    )


def test_a_lesson_follows_its_asset_and_is_seen_only_while_the_asset_is(api: Api) -> None:
    a, b = api.make_team(), api.make_team()
    reader = api.make_user("reader", [b["id"]])
    asset = make_asset(
        api, api.admin_headers, owning_team_id=a["id"], status="published", lessons=[lesson()]
    )
    url = f"/v1/lessons/{asset['lesson_ids'][0]}"
    assert api.client.get(url, headers=reader.headers).status_code == 200
    closed = api.client.patch(
        f"/v1/assets/{asset['id']}",
        json={"visibility": "restricted"},
        headers=if_match(api.admin_headers, asset["version"]),
    )
    assert closed.status_code == 200, closed.text
    assert api.client.get(url, headers=reader.headers).status_code == 404
    followed = api.client.get(url, headers=api.admin_headers).json()
    assert followed["visibility"] == "restricted"
    index_now(api)
    hits = api.client.get(
        "/v1/search", params={"q": "referral", "type": "lesson"}, headers=reader.headers
    ).json()
    assert hits["total"] == 0


def test_import_of_a_line_without_an_asset_makes_a_standalone_lesson(api: Api) -> None:
    team = api.make_team()
    line = {
        **lesson(title="Imported on its own"),
        "external_id": "other-system:77",
        "owning_team_id": team["id"],
        "visibility": "restricted",
    }
    body = json.dumps(line) + "\n"
    ndjson = {**api.admin_headers, "Content-Type": "application/x-ndjson"}
    first = api.client.post("/v1/import", params={"type": "lessons"}, content=body, headers=ndjson)
    assert first.status_code == 200, first.text
    assert (first.json()["created"], first.json()["rejected_count"]) == (1, 0)
    again = api.client.post("/v1/import", params={"type": "lessons"}, content=body, headers=ndjson)
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 1)
    page = api.client.get("/v1/lessons", headers=api.admin_headers).json()
    (item,) = page["items"]
    assert (item["asset_id"], item["owning_team_id"], item["visibility"]) == (
        None,
        team["id"],
        "restricted",
    )
    outsider = api.make_user("reader", [api.make_team()["id"]])
    assert api.client.get("/v1/lessons", headers=outsider.headers).json()["total"] == 0
    no_team = json.dumps({**line, "external_id": "other-system:78", "owning_team_id": None})
    rejected = api.client.post(
        "/v1/import", params={"type": "lessons"}, content=no_team + "\n", headers=ndjson
    ).json()
    assert rejected["rejected_count"] == 1
    assert "owning_team_id" in rejected["rejected"][0]["reason"]
