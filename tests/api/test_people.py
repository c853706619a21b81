"""Teams, users and tokens (API.md "People and teams")."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from hindsight.service.db import session_scope
from hindsight.service.tokens.models import ApiToken
from tests.factories import Api, bearer


def test_admin_bootstrap_key_creates_team_user_and_token(api: Api) -> None:
    team = api.make_team("Digital Services", description="builds things")
    assert team["description"] == "builds things"
    user = api.make_user("contributor", [team["id"]], years_experience=12)
    me = api.client.get("/v1/users/me", headers=user.headers).json()
    assert me["role"] == "contributor" and me["team_ids"] == [team["id"]]
    assert me["is_bootstrap"] is False


def test_bootstrap_key_is_an_admin_without_a_user(api: Api) -> None:
    me = api.client.get("/v1/users/me", headers=api.admin_headers).json()
    assert me["role"] == "admin" and me["id"] is None and me["is_bootstrap"] is True
    response = api.client.post("/v1/tokens", json={"name": "x"}, headers=api.admin_headers)
    assert response.status_code == 400 and "user_id" in response.json()["error"]["message"]


def test_token_secret_is_shown_once_and_stored_hashed(api: Api, app) -> None:
    user = api.make_user()
    created = api.client.post("/v1/tokens", json={"name": "laptop"}, headers=user.headers)
    assert created.status_code == 201
    secret = created.json()["token"]
    listed = api.client.get("/v1/tokens", headers=user.headers).json()
    assert listed["total"] == 2
    assert all("token" not in item for item in listed["items"])
    with session_scope(app.state.engine, write=False) as db:
        hashes = list(db.exec(select(ApiToken.secret_hash)))
    assert secret not in hashes and all(len(h) == 64 for h in hashes)


def test_revoked_token_is_refused(api: Api) -> None:
    user = api.make_user()
    created = api.client.post("/v1/tokens", json={"name": "tmp"}, headers=user.headers).json()
    assert api.client.get("/v1/users/me", headers=bearer(created["token"])).status_code == 200
    assert api.client.delete(f"/v1/tokens/{created['id']}", headers=user.headers).status_code == 204
    assert api.client.get("/v1/users/me", headers=bearer(created["token"])).status_code == 401
    assert api.client.get("/v1/users/me", headers=user.headers).status_code == 200


def test_expired_token_is_refused(api: Api, app) -> None:
    user = api.make_user()
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    created = api.client.post(
        "/v1/tokens", json={"name": "tmp", "expires_at": soon}, headers=user.headers
    ).json()
    assert api.client.get("/v1/users/me", headers=bearer(created["token"])).status_code == 200
    with session_scope(app.state.engine) as db:
        past = datetime.now(UTC) - timedelta(seconds=1)
        db.execute(update(ApiToken).where(ApiToken.id == created["id"]).values(expires_at=past))
        db.commit()
    assert api.client.get("/v1/users/me", headers=bearer(created["token"])).status_code == 401


def test_expiry_in_the_past_is_422(api: Api) -> None:
    user = api.make_user()
    response = api.client.post(
        "/v1/tokens",
        json={"name": "x", "expires_at": "2020-01-01T00:00:00Z"},
        headers=user.headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body.expires_at"


def test_only_admins_mint_tokens_for_others(api: Api) -> None:
    alice, bob = api.make_user(), api.make_user()
    response = api.client.post(
        "/v1/tokens", json={"name": "x", "user_id": bob.id}, headers=alice.headers
    )
    assert response.status_code == 403


def test_others_tokens_cannot_be_revoked_or_listed(api: Api) -> None:
    alice, bob = api.make_user(), api.make_user()
    bobs = api.client.post("/v1/tokens", json={"name": "b"}, headers=bob.headers).json()
    assert api.client.delete(f"/v1/tokens/{bobs['id']}", headers=alice.headers).status_code == 404
    assert api.client.get(f"/v1/tokens?user_id={bob.id}", headers=alice.headers).status_code == 403


def test_deactivated_user_is_refused(api: Api) -> None:
    user = api.make_user()
    response = api.client.patch(
        f"/v1/users/{user.id}",
        json={"is_active": False},
        headers={**api.admin_headers, "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    assert api.client.get("/v1/users/me", headers=user.headers).status_code == 401


def test_unknown_team_in_user_is_422_naming_it(api: Api) -> None:
    response = api.client.post(
        "/v1/users",
        json={"name": "X", "email": "x@example.org", "team_ids": [404]},
        headers=api.admin_headers,
    )
    assert response.status_code == 422
    detail = response.json()["error"]["details"][0]
    assert detail["field"] == "body.team_ids" and "404" in detail["message"]


def test_duplicate_email_and_team_name_are_409(api: Api) -> None:
    api.make_team("Ops")
    assert (
        api.client.post("/v1/teams", json={"name": "Ops"}, headers=api.admin_headers).status_code
        == 409
    )
    body = {"name": "A", "email": "same@example.org"}
    assert api.client.post("/v1/users", json=body, headers=api.admin_headers).status_code == 201
    body["email"] = "SAME@example.org"
    assert api.client.post("/v1/users", json=body, headers=api.admin_headers).status_code == 409


def test_users_see_only_themselves(api: Api) -> None:
    alice, bob = api.make_user(), api.make_user()
    assert api.client.get(f"/v1/users/{alice.id}", headers=alice.headers).status_code == 200
    assert api.client.get(f"/v1/users/{bob.id}", headers=alice.headers).status_code == 404
    assert api.client.get("/v1/users", headers=alice.headers).status_code == 403
    assert api.client.get("/v1/users", headers=api.admin_headers).json()["total"] == 2


def test_teams_are_listed_for_any_caller(api: Api) -> None:
    team = api.make_team("Ops")
    reader = api.make_user()
    listed = api.client.get("/v1/teams", headers=reader.headers).json()
    assert [t["name"] for t in listed["items"]] == ["Ops"]
    assert api.client.get(f"/v1/teams/{team['id']}", headers=reader.headers).status_code == 200
    assert api.client.get("/v1/teams/999", headers=reader.headers).status_code == 404


def test_timestamps_are_utc_with_z(api: Api) -> None:
    team = api.make_team()
    assert team["created_at"].endswith("Z")


def test_no_token_appears_in_any_log_line(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        user = api.make_user()
        api.client.get("/v1/users/me", headers=user.headers)
        api.client.get("/v1/users/me", headers=bearer("hs_wrong_secret_value"))
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "/v1/users/me" in text  # the access log did run
    for secret in (user.token, "hs_wrong_secret_value", api.admin_headers["Authorization"][7:]):
        assert secret not in text
