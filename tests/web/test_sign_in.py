"""Signing in to the pages (API.md "Web pages"): server-side sessions in an HttpOnly,
SameSite=Lax cookie (Secure over https), a CSRF token on every form, failed sign-ins
limited, and a cookie that never authorises a /v1 write."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import select
from typer.testing import CliRunner

from hindsight.service.cli import app as cli
from hindsight.service.columns import utcnow
from hindsight.service.db import session_scope
from hindsight.service.sessions.models import WebSession
from hindsight.service.users.models import User
from tests.factories import Api, if_match, retrospect
from tests.pages import PASSWORD, csrf_of, make_person, post_form, sign_in, signed_in


def _session_cookie(response) -> str:
    cookies = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    return next(c for c in cookies if c.startswith("hindsight_session="))


def test_home_sends_a_signed_out_visitor_to_sign_in(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/sign-in"
    deep = client.get("/account/password", follow_redirects=False)
    assert deep.headers["location"] == "/sign-in?next=/account/password"


def test_sign_in_sets_an_httponly_lax_cookie_and_opens_home(api: Api) -> None:
    person = make_person(api)
    response = sign_in(api.client, person.email, person.password)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = _session_cookie(response).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    home = api.client.get("/")
    assert home.status_code == 200 and "Find what past projects learned" in home.text
    me = api.client.get("/v1/users/me", headers=person.caller.headers).json()
    assert me["name"] in home.text


def test_cookie_is_secure_over_https_and_behind_a_trusted_proxy_only(app, api: Api) -> None:
    person = make_person(api)
    with TestClient(app, base_url="https://testserver") as https:
        assert "secure" in _session_cookie(sign_in(https, person.email, PASSWORD)).lower()
    # X-Forwarded-Proto is anyone's to send: ignored unless the operator trusts a proxy.
    plain = TestClient(app, headers={"X-Forwarded-Proto": "https"})
    assert "secure" not in _session_cookie(sign_in(plain, person.email, PASSWORD)).lower()
    app.state.settings.web_trust_forwarded_proto = True
    proxied = TestClient(app, headers={"X-Forwarded-Proto": "https"})
    # Its cookies are now Secure, so this http test client would not send them back: look
    # at the sign-in form's cookie, set by the same code as the session's.
    assert "secure" in proxied.get("/sign-in").headers["set-cookie"].lower()


def test_wrong_password_says_so_without_saying_which_part(api: Api) -> None:
    person = make_person(api)
    wrong = sign_in(api.client, person.email, "not the password at all")
    unknown = sign_in(api.client, "nobody@example.org", "not the password at all")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "The email address or password is not right" in response.text
        assert 'href="#email"' in response.text  # the error summary links to the field
        assert "hindsight_session=" not in response.headers.get("set-cookie", "")
    empty = sign_in(api.client, "", "")
    assert empty.status_code == 422
    assert "Enter your email address" in empty.text and "Enter your password" in empty.text


def test_failed_sign_ins_are_limited_per_email(api: Api) -> None:
    person = make_person(api)
    for _ in range(5):
        assert sign_in(api.client, person.email, "a wrong password!").status_code == 401
    blocked = sign_in(api.client, person.email, person.password)
    assert blocked.status_code == 429 and "Too many failed sign-ins" in blocked.text
    assert int(blocked.headers["Retry-After"]) >= 1


def test_failed_sign_ins_are_limited_per_address(api: Api) -> None:
    person = make_person(api)
    for n in range(20):
        sign_in(api.client, f"guess{n}@example.org", "a wrong password!")
    assert sign_in(api.client, person.email, person.password).status_code == 429


def test_a_post_without_its_csrf_token_is_a_403_page(api: Api) -> None:
    person = make_person(api)
    page = api.client.get("/sign-in")
    bare = {"email": person.email, "password": person.password}
    refused = api.client.post("/sign-in", data=bare, follow_redirects=False)
    assert refused.status_code == 403 and "security code" in refused.text
    forged = api.client.post("/sign-in", data=bare | {"csrf_token": "forged"})
    assert forged.status_code == 403
    accepted = api.client.post(
        "/sign-in", data=bare | {"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert accepted.status_code == 303

    # Signed in, the session's own token is needed: the sign-in token no longer does.
    for data in ({}, {"csrf_token": csrf_of(page.text)}):
        response = api.client.post("/sign-out", data=data, follow_redirects=False)
        assert response.status_code == 403
    assert api.client.get("/", follow_redirects=False).status_code == 200


def test_sign_out_ends_the_session_on_the_server(api: Api) -> None:
    person = make_person(api)
    response = sign_in(api.client, person.email, person.password)
    secret = response.cookies["hindsight_session"]
    assert api.client.get("/sign-out").status_code == 200  # a page with a button, not an act
    out = post_form(api.client, "/sign-out", {}, page="/")
    assert out.status_code == 303 and out.headers["location"].startswith("/sign-in")
    # Even a browser that kept the cookie is signed out: the session row is gone.
    replay = TestClient(api.client.app, cookies={"hindsight_session": secret})
    assert replay.get("/", follow_redirects=False).status_code == 303


def test_deactivating_a_user_ends_their_sessions(api: Api, app) -> None:
    person = make_person(api)
    signed_in(api.client, person)
    user = api.client.get(f"/v1/users/{person.id}", headers=api.admin_headers).json()
    response = api.client.patch(
        f"/v1/users/{person.id}",
        json={"is_active": False},
        headers=if_match(api.admin_headers, user["version"]),
    )
    assert response.status_code == 200
    assert api.client.get("/", follow_redirects=False).status_code == 303
    with session_scope(app.state.engine, write=False) as db:
        assert list(db.exec(select(WebSession).where(WebSession.user_id == person.id))) == []


def test_a_session_cookie_alone_never_authorises_a_v1_write(api: Api) -> None:
    team = api.make_team()
    person = make_person(api, "contributor", [team["id"]])
    signed_in(api.client, person)
    assert "hindsight_session" in api.client.cookies
    created = api.client.post("/v1/assets", json=retrospect(owning_team_id=team["id"]))
    assert created.status_code == 401
    password = api.client.post("/v1/users/me/password", json={"new_password": "x" * 20})
    assert password.status_code == 401
    # The same person's token still works, cookie or not.
    with_token = api.client.post(
        "/v1/assets", json=retrospect(owning_team_id=team["id"]), headers=person.caller.headers
    )
    assert with_token.status_code == 201, with_token.text


def test_sign_in_returns_to_the_page_asked_for_and_nowhere_else(api: Api) -> None:
    person = make_person(api)
    back = sign_in(api.client, person.email, PASSWORD, next_path="/account/password")
    assert back.headers["location"] == "/account/password"
    api.client.cookies.clear()
    for elsewhere in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = sign_in(api.client, person.email, PASSWORD, next_path=elsewhere)
        assert response.headers["location"] == "/"
        api.client.cookies.clear()


def test_changing_the_password_ends_other_sessions_and_keeps_this_one(api: Api) -> None:
    person = make_person(api)
    other = TestClient(api.client.app)
    signed_in(other, person)
    signed_in(api.client, person)
    new = "a brand new passphrase"
    wrong = post_form(
        api.client,
        "/account/password",
        {"current_password": "not it at all", "new_password": new, "confirm_password": new},
    )
    assert wrong.status_code == 422 and "the current password is not right" in wrong.text
    mismatch = post_form(
        api.client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": new, "confirm_password": new + "!"},
    )
    assert mismatch.status_code == 422 and "are not the same" in mismatch.text
    short = post_form(
        api.client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
    )
    assert short.status_code == 422 and "at least 12 characters" in short.text
    changed = post_form(
        api.client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": new, "confirm_password": new},
    )
    assert changed.status_code == 303
    assert "Your password is changed" in api.client.get(changed.headers["location"]).text
    assert other.get("/", follow_redirects=False).status_code == 303
    api.client.cookies.clear()
    assert sign_in(api.client, person.email, PASSWORD).status_code == 401
    assert sign_in(api.client, person.email, new).status_code == 303


def test_unknown_page_is_an_html_404_for_browsers_and_json_for_programs(
    client: TestClient,
) -> None:
    page = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "Page not found" in page.text
    api = client.get("/no-such-page")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"


def test_the_command_line_sets_a_password_people_sign_in_with(api: Api, settings, monkeypatch):
    monkeypatch.setenv("HINDSIGHT_DATABASE_URL", settings.database_url)
    caller = api.make_user()
    email = api.client.get("/v1/users/me", headers=caller.headers).json()["email"]
    runner = CliRunner()
    short = runner.invoke(cli, ["users", "set-password", email, "--password", "too short"])
    assert short.exit_code == 1 and "12 characters" in short.output
    assert "too short" not in short.output
    done = runner.invoke(cli, ["users", "set-password", email], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert done.exit_code == 0, done.output
    assert sign_in(api.client, email, PASSWORD).status_code == 303
    unknown = runner.invoke(
        cli, ["users", "set-password", "no@example.org", "--password", PASSWORD]
    )
    assert unknown.exit_code == 1 and "no user with email" in unknown.output


def test_an_expired_session_or_an_inactive_user_is_signed_out(api: Api, app) -> None:
    person = make_person(api)
    signed_in(api.client, person)
    assert api.client.get("/", follow_redirects=False).status_code == 200
    with session_scope(app.state.engine) as db:
        db.execute(update(WebSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.commit()
    assert api.client.get("/", follow_redirects=False).status_code == 303
    signed_in(api.client, person)
    # Even with its session row left in place, an inactive user's cookie opens nothing.
    with session_scope(app.state.engine) as db:
        db.execute(update(User).where(User.id == person.id).values(is_active=False))
        db.commit()
    assert api.client.get("/", follow_redirects=False).status_code == 303
