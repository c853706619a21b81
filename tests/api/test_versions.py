"""ETag and If-Match: 428 when missing, 412 when stale (and nothing changes)."""

from tests.factories import Api


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
