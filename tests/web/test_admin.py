"""Administration pages: each person's API tokens (shown once, revoked by their owner), and
for admins the teams and users (invited with an initial password, given a role)."""

import re

from fastapi.testclient import TestClient

from tests.factories import Api
from tests.pages import PASSWORD, csrf_of, make_person, sign_in, signed_in


def test_a_person_creates_uses_and_revokes_their_own_token(api: Api) -> None:
    client = signed_in(api.client, make_person(api, "reader"))
    page = client.get("/account/tokens")
    token = csrf_of(page.text)
    missing = client.post("/account/tokens", data={"csrf_token": token, "name": ""})
    assert missing.status_code == 422 and 'id="name-error"' in missing.text
    created = client.post("/account/tokens", data={"csrf_token": token, "name": "Spreadsheet"})
    assert created.status_code == 201 and created.headers["cache-control"] == "no-store"
    secret = re.search(r'<p class="token-secret"><code>([^<]+)</code>', created.text).group(1)
    bearer = {"Authorization": f"Bearer {secret}"}
    assert api.client.get("/v1/users/me", headers=bearer).status_code == 200
    # Shown once: the list never shows it again.
    assert secret not in client.get("/account/tokens").text
    token_id = re.search(r"/account/tokens/(\d+)/revoke", created.text).group(1)
    revoked = client.post(
        f"/account/tokens/{token_id}/revoke", data={"csrf_token": token}, follow_redirects=False
    )
    assert revoked.status_code == 303
    assert api.client.get("/v1/users/me", headers=bearer).status_code == 401


def test_someone_elses_token_cannot_be_revoked(api: Api) -> None:
    owner = signed_in(TestClient(api.client.app), make_person(api, "reader"))
    made = owner.post(
        "/account/tokens",
        data={"csrf_token": csrf_of(owner.get("/account/tokens").text), "name": "Mine"},
    )
    token_id = re.search(r"/account/tokens/(\d+)/revoke", made.text).group(1)
    other = signed_in(TestClient(api.client.app), make_person(api, "reader"))
    refused = other.post(
        f"/account/tokens/{token_id}/revoke",
        data={"csrf_token": csrf_of(other.get("/account/tokens").text)},
    )
    assert refused.status_code == 404
    assert "Revoked" not in owner.get("/account/tokens").text


def test_an_admin_adds_a_team_and_invites_a_person_who_signs_in(api: Api) -> None:
    admin = signed_in(api.client, make_person(api, "admin"))
    token = csrf_of(admin.get("/admin/teams").text)
    added = admin.post(
        "/admin/teams", data={"csrf_token": token, "name": "Ward team"}, follow_redirects=False
    )
    assert added.status_code == 303
    again = admin.post("/admin/teams", data={"csrf_token": token, "name": "Ward team"})
    assert again.status_code == 409 and 'id="name-error"' in again.text
    team_id = re.search(
        r'team_id=(\d+)">Overdue actions<span class="visually-hidden"> of Ward team',
        admin.get("/admin/teams").text,
    ).group(1)
    short = admin.post(
        "/admin/users",
        data={"csrf_token": token, "name": "Nia", "email": "nia@example.org", "password": "short"},
    )
    assert short.status_code == 422 and 'id="password-error"' in short.text
    invited = admin.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "name": "Nia Nurse",
            "email": "nia@example.org",
            "role": "contributor",
            "team_id": team_id,
            "password": PASSWORD,
        },
        follow_redirects=False,
    )
    assert invited.status_code == 303, invited.text
    listed = api.client.get("/v1/users", params={"limit": 100}, headers=api.admin_headers)
    user_id = next(u["id"] for u in listed.json()["items"] if u["email"] == "nia@example.org")
    assert f'action="/admin/users/{user_id}/role"' in admin.get("/admin/users").text
    nia = TestClient(api.client.app)
    assert sign_in(nia, "nia@example.org", PASSWORD).status_code == 303
    me = nia.get("/capture")
    assert me.status_code == 200  # a contributor may record
    set_role = admin.post(
        f"/admin/users/{user_id}/role",
        data={"csrf_token": token, f"role-{user_id}": "reader"},
        follow_redirects=False,
    )
    assert set_role.status_code == 303
    assert nia.get("/capture").status_code == 403


def test_teams_and_users_are_for_admins_only(api: Api) -> None:
    client = signed_in(api.client, make_person(api, "reviewer"))
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/teams").status_code == 403
    refused = client.post(
        "/admin/teams",
        data={"csrf_token": csrf_of(client.get("/").text), "name": "Mine now"},
    )
    assert refused.status_code == 403
