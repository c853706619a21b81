"""Projects: team context, contacts, ownership rules, visibility, If-Match and history."""

from tests.factories import Api, if_match, make_project

TEAM_CONTEXT = [
    {
        "role": "specialist nurse",
        "years_experience": 18,
        "specialisms": ["infection prevention and control"],
        "training": ["measurement for improvement"],
        "note": "Ran the 8am huddle and chased every delayed referral by noon",
    }
]


def test_contributor_creates_project_with_team_context_and_contacts(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    response = api.client.post(
        "/v1/projects",
        json={
            "name": "Discharge to assess",
            "organisation": "Northshire NHS Foundation Trust",
            "organisation_type": "nhs_trust",
            "phase": "delivery",
            "status": "active",
            "team_context": TEAM_CONTEXT,
            "contacts": [{"name": "Priya Shah", "role": "lead", "email": "p@nhs.example"}],
            "tags": ["Flow", "flow "],
        },
        headers=author.headers,
    )
    assert response.status_code == 201, response.text
    project = response.json()
    assert response.headers["ETag"] == '"1"'
    assert project["owning_team_id"] == team["id"]  # the caller's only team
    assert project["team_context"] == TEAM_CONTEXT
    assert project["contacts"][0]["expertise"] == []
    assert project["tags"] == ["flow"]
    got = api.client.get(f"/v1/projects/{project['id']}", headers=author.headers)
    assert got.json() == project


def test_owning_team_is_required_when_caller_has_several(api: Api) -> None:
    a, b = api.make_team(), api.make_team()
    author = api.make_user("contributor", [a["id"], b["id"]])
    response = api.client.post("/v1/projects", json={"name": "x"}, headers=author.headers)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body.owning_team_id"


def test_contributor_cannot_create_for_another_team(api: Api) -> None:
    mine, other = api.make_team(), api.make_team()
    author = api.make_user("contributor", [mine["id"]])
    body = {"name": "x", "owning_team_id": other["id"]}
    assert api.client.post("/v1/projects", json=body, headers=author.headers).status_code == 403


def test_unknown_team_ids_are_422_naming_the_field(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    response = api.client.post(
        "/v1/projects", json={"name": "x", "team_ids": [999]}, headers=author.headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body.team_ids"
    response = api.client.post(
        "/v1/projects", json={"name": "x", "owning_team_id": 999}, headers=api.admin_headers
    )
    assert response.json()["error"]["details"][0]["field"] == "body.owning_team_id"


def test_reader_cannot_create_projects(api: Api) -> None:
    team = api.make_team()
    reader = api.make_user("reader", [team["id"]])
    assert (
        api.client.post("/v1/projects", json={"name": "x"}, headers=reader.headers).status_code
        == 403
    )


def test_restricted_project_is_hidden_from_other_teams(api: Api) -> None:
    mine, shared, other = api.make_team(), api.make_team(), api.make_team()
    owner = api.make_user("contributor", [mine["id"]])
    friend = api.make_user("reader", [shared["id"]])
    stranger = api.make_user("reviewer", [other["id"]])
    project = make_project(api, owner, visibility="restricted", team_ids=[shared["id"]])
    make_project(api, owner, visibility="public")
    for caller, sees in ((owner, True), (friend, True), (stranger, False)):
        got = api.client.get(f"/v1/projects/{project['id']}", headers=caller.headers)
        assert got.status_code == (200 if sees else 404)
        listed = api.client.get("/v1/projects", headers=caller.headers).json()
        assert listed["total"] == (2 if sees else 1)
        assert (project["id"] in [p["id"] for p in listed["items"]]) is sees
    assert api.client.get("/v1/projects", headers=api.admin_headers).json()["total"] == 2


def test_patch_needs_if_match_and_keeps_history(api: Api) -> None:
    team = api.make_team()
    owner = api.make_user("contributor", [team["id"]])
    project = make_project(api, owner, status="active")
    url = f"/v1/projects/{project['id']}"
    assert (
        api.client.patch(url, json={"status": "completed"}, headers=owner.headers).status_code
        == 428
    )
    assert (
        api.client.patch(url, json={"status": "completed"}, headers=if_match(owner, 7)).status_code
        == 412
    )
    changed = api.client.patch(
        url, json={"status": "completed", "team_context": TEAM_CONTEXT}, headers=if_match(owner, 1)
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2 and changed.headers["ETag"] == '"2"'
    stale = api.client.patch(url, json={"name": "late"}, headers=if_match(owner, 1))
    assert stale.status_code == 412
    assert api.client.get(url, headers=owner.headers).json()["name"] == project["name"]
    versions = api.client.get(f"{url}/versions", headers=owner.headers).json()
    assert versions["total"] == 1
    earlier = versions["items"][0]
    assert earlier["version"] == 1
    assert earlier["changed_fields"] == ["status", "team_context"]
    assert earlier["changed_by"]["user_id"] == owner.id
    assert earlier["snapshot"]["status"] == "active"


def test_patch_refuses_null_for_required_and_bad_dates(api: Api) -> None:
    team = api.make_team()
    owner = api.make_user("contributor", [team["id"]])
    project = make_project(api, owner, started_at="2024-05-01T00:00:00Z")
    url = f"/v1/projects/{project['id']}"
    response = api.client.patch(url, json={"name": None}, headers=if_match(owner, 1))
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body.name"
    response = api.client.patch(
        url, json={"ended_at": "2024-01-01T00:00:00Z"}, headers=if_match(owner, 1)
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body.ended_at"


def test_other_team_contributor_cannot_patch(api: Api) -> None:
    mine, other = api.make_team(), api.make_team()
    owner = api.make_user("contributor", [mine["id"]])
    outsider = api.make_user("contributor", [other["id"]])
    project = make_project(api, owner)
    response = api.client.patch(
        f"/v1/projects/{project['id']}", json={"name": "mine now"}, headers=if_match(outsider, 1)
    )
    assert response.status_code == 403


def test_project_write_enqueues_for_the_indexer(api: Api) -> None:
    team = api.make_team()
    owner = api.make_user("contributor", [team["id"]])
    project = make_project(api, owner)
    api.client.patch(
        f"/v1/projects/{project['id']}", json={"name": "n"}, headers=if_match(owner, 1)
    )
    assert api.client.get("/healthz", headers=api.admin_headers).json()["outbox_pending"] == 2
