"""The audit log: every acknowledged change, download, export, import and failed
authentication is recorded with who, when, what, which resource and from where; only admins
read it; it is append-only and exports as JSON lines. Both databases."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from hindsight.service.cli import app as cli
from tests import files
from tests.factories import Api, bearer, if_match, make_asset


def events(api: Api, **params) -> list[dict]:
    response = api.client.get(
        "/v1/audit", params={"limit": 100, **params}, headers=api.admin_headers
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_changes_downloads_exports_and_failures_are_recorded(api: Api) -> None:
    team, other = api.make_team(), api.make_team()
    author = api.make_user("contributor", [team["id"]])
    asset = make_asset(api, author, title="Audited retrospect")
    patched = api.client.patch(
        f"/v1/assets/{asset['id']}", json={"title": "Audited, renamed"}, headers=if_match(author, 1)
    )
    assert patched.status_code == 200, patched.text
    moved = api.client.post(
        f"/v1/assets/{asset['id']}/transitions",
        json={"to": "in_review"},
        headers=if_match(author, 2),
    )
    assert moved.status_code == 200, moved.text
    uploaded = api.client.post(
        f"/v1/assets/{asset['id']}/attachments",
        files={"file": ("n.pdf", files.pdf("audited words"))},
        headers=author.headers,
    ).json()
    assert api.client.get(f"/v1/attachments/{uploaded['id']}", headers=author.headers).is_success
    role = api.client.patch(
        f"/v1/users/{author.id}",
        json={"role": "reviewer", "team_ids": [team["id"], other["id"]]},
        headers={**api.admin_headers, "If-Match": '"1"'},
    )
    assert role.status_code == 200, role.text
    token = api.client.post(
        "/v1/tokens", json={"name": "second", "user_id": author.id}, headers=api.admin_headers
    ).json()
    revoked = api.client.delete(f"/v1/tokens/{token['id']}", headers=api.admin_headers)
    assert revoked.status_code == 204, revoked.text
    assert api.client.get(
        "/v1/export", params={"type": "assets"}, headers=author.headers
    ).is_success
    etag = api.client.get(f"/v1/assets/{asset['id']}", headers=author.headers).headers["etag"]
    deleted = api.client.delete(
        f"/v1/attachments/{uploaded['id']}", headers={**author.headers, "If-Match": etag}
    )
    assert deleted.status_code == 204, deleted.text
    assert api.client.get("/v1/teams", headers=bearer("hs_not-a-token")).status_code == 401

    log = events(api)
    by_action: dict[str, list[dict]] = {}
    for event in log:
        by_action.setdefault(event["action"], []).append(event)
    for action in (
        "create_team",
        "create_user",
        "create_token",
        "create_asset",
        "update_asset",
        "transition_asset",
        "upload_attachment",
        "download_attachment",
        "update_user",
        "revoke_token",
        "export_items",
        "delete_attachment",
        "authentication_failed",
    ):
        assert action in by_action, (action, [e["action"] for e in log])
    created = by_action["create_asset"][0]
    assert created["resource_type"] == "assets" and created["resource_id"] == str(asset["id"])
    assert created["actor_user_id"] == author.id and created["address"] == "testclient"
    assert created["token_id"] is not None
    assert by_action["transition_asset"][0]["detail"]["to"] == "in_review"
    change = by_action["update_user"][0]
    assert change["resource_id"] == str(author.id) and change["actor_name"] == "bootstrap admin"
    assert change["detail"]["role"] == "reviewer"
    assert change["detail"]["team_ids"] == [team["id"], other["id"]]
    assert by_action["revoke_token"][0]["resource_id"] == str(token["id"])
    assert by_action["download_attachment"][0]["resource_id"] == str(uploaded["id"])
    failed = by_action["authentication_failed"][0]
    assert failed["actor_user_id"] is None and failed["address"] == "testclient"
    assert "hs_not-a-token" not in json.dumps(log)  # a guessed secret is never stored
    assert [e["id"] for e in log] == sorted((e["id"] for e in log), reverse=True)


def test_a_wrong_token_on_a_write_is_recorded_at_once(api: Api) -> None:
    started = time.monotonic()
    response = api.client.post("/v1/teams", json={"name": "X"}, headers=bearer("hs_guess"))
    assert response.status_code == 401
    assert time.monotonic() - started < 5  # never waits on its own write lock
    (failed,) = events(api, action="authentication_failed")
    assert failed["detail"]["method"] == "POST" and failed["detail"]["path"] == "/v1/teams"
    assert events(api, action="create_team") == []


def test_a_refused_change_leaves_no_record(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    asset = make_asset(api, author)
    stale = api.client.patch(
        f"/v1/assets/{asset['id']}", json={"title": "Never"}, headers=if_match(author, 7)
    )
    assert stale.status_code == 412
    assert events(api, action="update_asset") == []
    assert len(events(api, action="create_asset")) == 1


def test_filters_and_paging(api: Api) -> None:
    team = api.make_team()
    first = api.make_user("contributor", [team["id"]])
    second = api.make_user("contributor", [team["id"]])
    mine = make_asset(api, first)
    make_asset(api, second)
    assert {e["actor_user_id"] for e in events(api, actor_user_id=first.id)} == {first.id}
    only = events(api, resource_type="assets", resource_id=str(mine["id"]))
    assert [e["action"] for e in only] == ["create_asset"]
    now = datetime.now(UTC)
    assert events(api, to=(now - timedelta(days=1)).isoformat()) == []
    assert len(events(api, **{"from": (now - timedelta(minutes=5)).isoformat()})) >= 6
    page = api.client.get("/v1/audit?limit=2&offset=1", headers=api.admin_headers).json()
    assert page["limit"] == 2 and page["offset"] == 1 and len(page["items"]) == 2
    assert page["total"] == len(events(api))
    naive = api.client.get("/v1/audit?from=2026-01-01T00:00:00", headers=api.admin_headers)
    assert naive.status_code == 422 and "query.from" in naive.text


def test_only_admins_read_the_log(api: Api) -> None:
    reviewer = api.make_user("reviewer")
    response = api.client.get("/v1/audit", headers=reviewer.headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_the_log_is_append_only_in_the_database(api: Api) -> None:
    api.make_team()
    engine = api.client.app.state.engine  # type: ignore[attr-defined]
    for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    assert [e["action"] for e in events(api)] == ["create_team"]


def test_audit_export_writes_json_lines(api: Api, settings, monkeypatch, tmp_path) -> None:
    api.make_team()
    api.make_team()
    monkeypatch.setenv("HINDSIGHT_DATABASE_URL", settings.database_url)
    out = tmp_path / "audit.jsonl"
    result = CliRunner().invoke(cli, ["audit", "export", "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["action"] for line in lines] == ["create_team", "create_team"]
    assert lines[0]["id"] < lines[1]["id"]
    later = CliRunner().invoke(cli, ["audit", "export", "--from", "2999-01-01T00:00:00Z"])
    assert later.exit_code == 0 and later.output.strip() == ""
