"""Idempotency-Key on creates: replay the first answer, refuse a different body."""

import time
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from hindsight.service.app import create_app
from hindsight.service.columns import utcnow
from hindsight.service.db import session_scope
from hindsight.service.idempotency import IdempotencyRecord
from hindsight.service.settings import Settings
from tests.factories import Api


def _post_team(api: Api, body: dict, key: str, headers: dict | None = None):
    return api.client.post(
        "/v1/teams", json=body, headers={**(headers or api.admin_headers), "Idempotency-Key": key}
    )


def test_same_key_and_body_replays_first_answer_and_creates_once(api: Api) -> None:
    first = _post_team(api, {"name": "Ops"}, "key-1")
    again = _post_team(api, {"name": "Ops"}, "key-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["etag"] == '"1"'
    assert api.client.get("/v1/teams", headers=api.admin_headers).json()["total"] == 1


def test_same_key_with_another_body_is_409(api: Api) -> None:
    assert _post_team(api, {"name": "Ops"}, "key-1").status_code == 201
    response = _post_team(api, {"name": "Other"}, "key-1")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"


def test_json_spacing_does_not_change_the_request(api: Api) -> None:
    headers = {**api.admin_headers, "Idempotency-Key": "k", "Content-Type": "application/json"}
    first = api.client.post("/v1/teams", content=b'{"name":"Ops"}', headers=headers)
    again = api.client.post("/v1/teams", content=b'{ "name" : "Ops" }', headers=headers)
    assert first.json() == again.json()


def test_keys_belong_to_their_caller(api: Api) -> None:
    user = api.make_user("reader")
    mine = api.client.post(
        "/v1/tokens", json={"name": "a"}, headers={**user.headers, "Idempotency-Key": "shared"}
    )
    admin = _post_team(api, {"name": "Ops"}, "shared")
    assert mine.status_code == 201 and admin.status_code == 201


def test_replay_survives_a_restart(api: Api, settings: Settings) -> None:
    first = _post_team(api, {"name": "Ops"}, "restart-key")
    with TestClient(create_app(settings), raise_server_exceptions=False) as fresh:
        again = fresh.post(
            "/v1/teams",
            json={"name": "Ops"},
            headers={**api.admin_headers, "Idempotency-Key": "restart-key"},
        )
    assert again.status_code == 201 and again.json() == first.json()


def test_failed_create_does_not_burn_the_key(api: Api) -> None:
    api.make_team("Ops")
    assert _post_team(api, {"name": "Ops"}, "k2").status_code == 409
    assert _post_team(api, {"name": "Ops"}, "k2").json()["error"]["code"] == "conflict"


def test_overlong_key_is_400(api: Api) -> None:
    assert _post_team(api, {"name": "Ops"}, "k" * 201).status_code == 400


def test_expired_records_are_pruned_while_the_server_runs(settings: Settings) -> None:
    """Records past the replay window go on their own (housekeeping), newer ones stay."""
    quick = settings.model_copy(update={"housekeeping_seconds": 0.2})
    app = create_app(quick)
    with TestClient(app) as client:
        api = Api(client)
        _post_team(api, {"name": "Old"}, "old-key")
        _post_team(api, {"name": "New"}, "new-key")
        with session_scope(app.state.engine) as db:
            db.execute(
                update(IdempotencyRecord)
                .where(IdempotencyRecord.key == "old-key")
                .values(created_at=utcnow() - timedelta(hours=25))
            )
            db.commit()
        deadline = time.monotonic() + 10
        keys: list[str] = []
        while time.monotonic() < deadline:
            with session_scope(app.state.engine, write=False) as db:
                keys = list(db.execute(select(IdempotencyRecord.key)).scalars())
            if "old-key" not in keys:
                break
            time.sleep(0.1)
        assert keys == ["new-key"]
