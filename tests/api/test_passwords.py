"""Passwords (API.md "People and teams"): 12+ characters, an Argon2 hash, never returned."""

from sqlmodel import select

from hindsight.service.db import session_scope
from hindsight.service.users.models import User
from tests.factories import Api

GOOD = "a long enough passphrase"


def _hash_of(app, user_id: int) -> str | None:
    with session_scope(app.state.engine, write=False) as db:
        return db.exec(select(User.password_hash).where(User.id == user_id)).one()


def test_user_created_with_a_password_keeps_only_an_argon2_hash(api: Api, app) -> None:
    body = {"name": "Ann", "email": "ann@example.org", "role": "reader", "password": GOOD}
    response = api.client.post("/v1/users", json=body, headers=api.admin_headers)
    assert response.status_code == 201, response.text
    assert "password" not in response.text and GOOD not in response.text
    stored = _hash_of(app, response.json()["id"])
    assert stored is not None and stored.startswith("$argon2id$") and GOOD not in stored


def test_a_short_password_is_a_422_naming_the_field_without_echoing_it(api: Api) -> None:
    body = {"name": "Ann", "email": "ann@example.org", "password": "short pass1"}
    response = api.client.post("/v1/users", json=body, headers=api.admin_headers)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["details"][0]["field"] == "body.password"
    assert "12" in error["details"][0]["message"] and "short pass1" not in response.text


def test_set_then_change_own_password_needs_the_current_one(api: Api, app) -> None:
    user = api.make_user()
    assert _hash_of(app, user.id) is None
    first = api.client.post(
        "/v1/users/me/password", json={"new_password": GOOD}, headers=user.headers
    )
    assert first.status_code == 204, first.text
    first_hash = _hash_of(app, user.id)
    assert first_hash is not None and first_hash.startswith("$argon2id$")

    missing = api.client.post(
        "/v1/users/me/password", json={"new_password": "another long one!"}, headers=user.headers
    )
    assert missing.status_code == 422
    assert missing.json()["error"]["details"][0]["field"] == "body.current_password"

    wrong = api.client.post(
        "/v1/users/me/password",
        json={"current_password": "not the password", "new_password": "another long one!"},
        headers=user.headers,
    )
    assert wrong.status_code == 422 and "not right" in wrong.json()["error"]["message"]
    assert _hash_of(app, user.id) == first_hash

    changed = api.client.post(
        "/v1/users/me/password",
        json={"current_password": GOOD, "new_password": "another long one!"},
        headers=user.headers,
    )
    assert changed.status_code == 204
    assert _hash_of(app, user.id) != first_hash


def test_new_password_keeps_its_spaces_and_must_be_long_enough(api: Api, app) -> None:
    user = api.make_user()
    short = api.client.post(
        "/v1/users/me/password", json={"new_password": "eleven char"}, headers=user.headers
    )
    assert short.status_code == 422
    assert short.json()["error"]["details"][0]["field"] == "body.new_password"
    # Twelve characters only with its spaces: stripping them would make it too short.
    spaced = api.client.post(
        "/v1/users/me/password", json={"new_password": "  ten chars "}, headers=user.headers
    )
    assert spaced.status_code == 204, spaced.text


def test_the_bootstrap_key_has_no_password_to_set(api: Api) -> None:
    response = api.client.post(
        "/v1/users/me/password", json={"new_password": GOOD}, headers=api.admin_headers
    )
    assert response.status_code == 400
    assert "bootstrap" in response.json()["error"]["message"]


def test_password_is_never_listed_or_read_back(api: Api) -> None:
    user = api.make_user(password=GOOD)
    for path in ("/v1/users", f"/v1/users/{user.id}"):
        assert "password" not in api.client.get(path, headers=api.admin_headers).text
    assert "password" not in api.client.get("/v1/users/me", headers=user.headers).text
