"""ETag and If-Match: 428 when missing, 412 when stale (and nothing changes)."""

from tests.factories import Api, if_match, make_asset, make_project


def test_get_serves_version_as_etag(api: Api) -> None:
    team = api.make_team("Ops")
    response = api.client.get(f"/v1/teams/{team['id']}", headers=api.admin_headers)
    assert response.headers["etag"] == '"1"'
    assert response.json()["version"] == 1


def test_patch_without_if_match_is_428(api: Api) -> None:
    team = api.make_team("Ops")
    response = api.client.patch(
        f"/v1/teams/{team['id']}", json={"name": "Operations"}, headers=api.admin_headers
    )
    assert response.status_code == 428
    assert response.json()["error"]["code"] == "precondition_required"


def test_patch_with_current_version_applies_and_bumps_etag(api: Api) -> None:
    team = api.make_team("Ops")
    response = api.client.patch(
        f"/v1/teams/{team['id']}",
        json={"name": "Operations"},
        headers={**api.admin_headers, "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Operations"
    assert response.headers["etag"] == '"2"'


def test_stale_if_match_is_412_and_changes_nothing(api: Api) -> None:
    team = api.make_team("Ops")
    url = f"/v1/teams/{team['id']}"
    first = api.client.patch(
        url, json={"description": "first"}, headers={**api.admin_headers, "If-Match": '"1"'}
    )
    assert first.status_code == 200
    stale = api.client.patch(
        url, json={"description": "second"}, headers={**api.admin_headers, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "version_mismatch"
    current = api.client.get(url, headers=api.admin_headers).json()
    assert current["description"] == "first" and current["version"] == 2


def test_malformed_if_match_is_400(api: Api) -> None:
    team = api.make_team("Ops")
    response = api.client.patch(
        f"/v1/teams/{team['id']}",
        json={"name": "X"},
        headers={**api.admin_headers, "If-Match": "yesterday"},
    )
    assert response.status_code == 400


def test_patch_missing_team_is_404(api: Api) -> None:
    response = api.client.patch(
        "/v1/teams/999", json={"name": "X"}, headers={**api.admin_headers, "If-Match": '"1"'}
    )
    assert response.status_code == 404


def test_versions_from_before_an_asset_was_shared_are_withheld(api: Api) -> None:
    """L3: an asset restricted to team A, then opened: B's reader sees that there were
    earlier versions, not their text."""
    a, b = api.make_team(), api.make_team()
    owner = api.make_user("contributor", [a["id"]])
    asset = make_asset(
        api,
        api.admin_headers,
        owning_team_id=a["id"],
        visibility="restricted",
        status="published",
        summary="Secret: the ward 7 incident",
    )
    opened = api.client.patch(
        f"/v1/assets/{asset['id']}",
        json={"visibility": "public", "summary": "A public summary"},
        headers=if_match(owner, 1),
    )
    assert opened.status_code == 200, opened.text
    outsider = api.make_user("reviewer", [b["id"]])
    page = api.client.get(f"/v1/assets/{asset['id']}/versions", headers=outsider.headers).json()
    assert page["total"] == 1
    [version] = page["items"]
    assert version["version"] == 1 and version["withheld"] is True
    assert version["snapshot"] is None and version["changed_fields"] == []
    assert "ward 7" not in str(page)
    own = api.client.get(f"/v1/assets/{asset['id']}/versions", headers=owner.headers).json()
    assert own["items"][0]["withheld"] is False
    assert own["items"][0]["snapshot"]["summary"] == "Secret: the ward 7 incident"


def test_versions_from_before_a_project_was_shared_are_withheld(api: Api) -> None:
    """L4: the same for a project restricted to another team when it was that version."""
    a, b = api.make_team(), api.make_team()
    owner = api.make_user("contributor", [a["id"]])
    project = make_project(
        api, owner, owning_team_id=a["id"], visibility="restricted", description="Merger plan"
    )
    shared = api.client.patch(
        f"/v1/projects/{project['id']}",
        json={"team_ids": [b["id"]], "description": "Shared plan"},
        headers=if_match(owner, 1),
    )
    assert shared.status_code == 200, shared.text
    reader = api.make_user("reader", [b["id"]])
    page = api.client.get(f"/v1/projects/{project['id']}/versions", headers=reader.headers).json()
    assert [v["withheld"] for v in page["items"]] == [True]
    assert "Merger" not in str(page)
    admin = api.client.get(f"/v1/projects/{project['id']}/versions", headers=api.admin_headers)
    assert admin.json()["items"][0]["snapshot"]["description"] == "Merger plan"
