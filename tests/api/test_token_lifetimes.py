"""Every token expires, and none outlives the token that made it."""

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from hindsight.service.app import create_app
from hindsight.service.settings import Settings
from tests.factories import Api, bearer


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _mint(api: Api, headers: dict[str, str], **body: object):
    return api.client.post("/v1/tokens", json={"name": "child", **body}, headers=headers)


def test_a_token_without_expiry_gets_the_longest_life_allowed(api: Api) -> None:
    user = api.make_user("contributor")
    minted = api.client.post("/v1/tokens", json={"name": "x", "user_id": user.id},
                             headers=api.admin_headers)  # fmt: skip
    assert minted.status_code == 201, minted.text
    expires = _at(minted.json()["expires_at"])
    year = datetime.now(UTC) + timedelta(days=365)
    assert abs((expires - year).total_seconds()) < 60


def test_more_than_the_maximum_is_refused_naming_the_limit(api: Api) -> None:
    user = api.make_user("contributor")
    too_late = (datetime.now(UTC) + timedelta(days=400)).isoformat()
    # The bootstrap key has no expiry of its own: only the maximum applies.
    refused = _mint(api, api.admin_headers, user_id=user.id, expires_at=too_late)
    assert refused.status_code == 422
    detail = refused.json()["error"]["details"][0]
    assert detail["field"] == "body.expires_at"
    assert "HINDSIGHT_TOKEN_MAX_DAYS is 365" in detail["message"]


def test_a_child_token_never_outlives_its_parent(api: Api) -> None:
    user = api.make_user("contributor")
    soon = datetime.now(UTC) + timedelta(days=2)
    parent = _mint(api, user.headers, expires_at=soon.isoformat())
    assert parent.status_code == 201, parent.text
    parent_headers = bearer(parent.json()["token"])
    # Asked for longer than the parent lives: refused, naming the parent's expiry.
    longer = _mint(api, parent_headers, expires_at=(soon + timedelta(days=1)).isoformat())
    assert longer.status_code == 422
    message = longer.json()["error"]["details"][0]["message"]
    assert f"token {parent.json()['id']}" in message and "expires then" in message
    # Asked for nothing: capped at the parent's expiry.
    capped = _mint(api, parent_headers)
    assert capped.status_code == 201, capped.text
    assert _at(capped.json()["expires_at"]) == _at(parent.json()["expires_at"])
    # Within the parent's life: as asked.
    shorter = soon - timedelta(days=1)
    inside = _mint(api, parent_headers, expires_at=shorter.isoformat())
    assert inside.status_code == 201
    assert abs((_at(inside.json()["expires_at"]) - shorter).total_seconds()) < 1


def test_the_maximum_comes_from_the_settings(settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"token_max_days": 7}))) as client:
        api = Api(client)
        user = api.make_user("reader")
        minted = _mint(api, api.admin_headers, user_id=user.id)
        assert minted.status_code == 201
        week = datetime.now(UTC) + timedelta(days=7)
        assert abs((_at(minted.json()["expires_at"]) - week).total_seconds()) < 60
        later = (week + timedelta(days=1)).isoformat()
        refused = _mint(api, api.admin_headers, user_id=user.id, expires_at=later)
        assert refused.status_code == 422
