"""Creating and changing assets: details per kind, embedded lessons, ownership, deletes."""

from tests.factories import Api, if_match, lesson, make_asset, make_project, retrospect


def field_of(response) -> str:
    return response.json()["error"]["details"][0]["field"]


def test_retrospect_with_lessons_is_created_in_one_go(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    project = make_project(api, author)
    body = retrospect(
        project_id=project["id"],
        authors=[{"name": "Sam Okafor", "role": "ward manager"}],
        lessons=[lesson(), lesson(title="Huddles", polarity="success_factor"), lesson(title="c")],
    )
    response = api.client.post("/v1/assets", json=body, headers=author.headers)
    assert response.status_code == 201, response.text
    asset = response.json()
    assert asset["status"] == "draft" and asset["published_at"] is None
    assert asset["owning_team_id"] == team["id"]
    assert asset["tags"] == ["discharge", "pilot"]
    assert asset["details"]["useful_contacts"][0]["name"] == "Priya Shah"
    assert "<h2>Context</h2>" in asset["body_html"]
    assert len(asset["lesson_ids"]) == 3
    lessons = api.client.get(f"/v1/lessons?asset_id={asset['id']}", headers=author.headers).json()
    assert lessons["total"] == 3
    first = api.client.get(f"/v1/lessons/{asset['lesson_ids'][0]}", headers=author.headers).json()
    assert first["project_id"] == project["id"]
    assert first["owning_team_id"] == team["id"]
    assert first["status"] == "identified"
    assert first["root_cause"] == {"description": "No shared form agreed", "category": "process"}
    # the asset and each lesson are queued for the indexer (plus the project)
    assert api.client.get("/healthz", headers=api.admin_headers).json()["outbox_pending"] == 5


def test_one_bad_lesson_creates_nothing(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    bad = lesson(root_cause=None)
    body = retrospect(lessons=[lesson(), bad])
    response = api.client.post("/v1/assets", json=body, headers=author.headers)
    assert response.status_code == 422
    assert field_of(response) == "body.lessons.1.root_cause"
    assert api.client.get("/v1/assets", headers=author.headers).json()["total"] == 0
    assert api.client.get("/v1/lessons", headers=author.headers).json()["total"] == 0
    assert api.client.get("/healthz", headers=api.admin_headers).json()["outbox_pending"] == 0


def test_bad_lesson_link_rolls_back_the_whole_create(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    body = retrospect(
        kind="before_action_review",
        details={"intended_results": "x", "lessons_considered": [12345]},
        lessons=[lesson()],
    )
    response = api.client.post("/v1/assets", json=body, headers=author.headers)
    assert response.status_code == 422
    assert field_of(response) == "body.details.lessons_considered"
    assert api.client.get("/v1/lessons", headers=author.headers).json()["total"] == 0


def test_missing_detail_part_is_422_naming_it(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    body = retrospect(
        kind="research_summary",
        details={"question": "q", "findings": "f", "population": "p"},
    )
    response = api.client.post("/v1/assets", json=body, headers=author.headers)
    assert response.status_code == 422
    assert field_of(response) == "body.details.research_summary.limitations"


def test_unknown_project_or_team_is_422(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    for extra, field in (
        ({"project_id": 999}, "body.project_id"),
        ({"team_ids": [999]}, "body.team_ids"),
        ({"owning_team_id": 999}, "body.owning_team_id"),
    ):
        response = api.client.post("/v1/assets", json=retrospect(**extra), headers=author.headers)
        assert response.status_code == 422, extra
        assert field_of(response) == field


def test_hidden_project_is_422_like_a_missing_one(api: Api) -> None:
    mine, other = api.make_team(), api.make_team()
    stranger = api.make_user("contributor", [other["id"]])
    owner = api.make_user("contributor", [mine["id"]])
    secret = make_project(api, owner, visibility="restricted")
    response = api.client.post(
        "/v1/assets", json=retrospect(project_id=secret["id"]), headers=stranger.headers
    )
    assert response.status_code == 422
    assert field_of(response) == "body.project_id"


def test_contributor_cannot_create_for_another_team(api: Api) -> None:
    mine, other = api.make_team(), api.make_team()
    author = api.make_user("contributor", [mine["id"]])
    body = retrospect(owning_team_id=other["id"])
    assert api.client.post("/v1/assets", json=body, headers=author.headers).status_code == 403


def test_only_reviewers_create_published_assets(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    reviewer = api.make_user("reviewer", [team["id"]])
    body = retrospect(status="published")
    response = api.client.post("/v1/assets", json=body, headers=author.headers)
    assert response.status_code == 403
    assert "reviewer" in response.json()["error"]["message"]
    published = make_asset(api, reviewer, status="published")
    assert published["status"] == "published" and published["published_at"] is not None


def test_hostile_body_is_sanitised(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    hostile = "<script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1))"
    asset = make_asset(api, author, body=hostile)
    assert asset["body"] == hostile
    for bad in ("<script", "onerror", "javascript:"):
        assert bad not in asset["body_html"]


def test_create_is_idempotent(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    headers = {**author.headers, "Idempotency-Key": "retro-1"}
    body = retrospect(lessons=[lesson()])
    first = api.client.post("/v1/assets", json=body, headers=headers)
    again = api.client.post("/v1/assets", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert api.client.get("/v1/lessons", headers=author.headers).json()["total"] == 1


def test_patch_details_revalidated_against_kind(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    asset = make_asset(api, author)
    url = f"/v1/assets/{asset['id']}"
    response = api.client.patch(
        url, json={"details": {"what_went_well": ["x"]}}, headers=if_match(author, 1)
    )
    assert response.status_code == 422
    assert field_of(response) == "body.details.retrospect.objectives"
    response = api.client.patch(
        url,
        json={"details": {"objectives": "New aim"}, "body": "*new*", "tags": ["B", "b"]},
        headers=if_match(author, 1),
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["details"]["objectives"] == "New aim"
    assert changed["body_html"] == "<p><em>new</em></p>"
    assert changed["tags"] == ["b"]
    assert (
        api.client.patch(url, json={"kind": "story"}, headers=if_match(author, 2)).status_code
        == 422
    )
    assert (
        api.client.patch(url, json={"title": None}, headers=if_match(author, 2)).status_code == 422
    )


def test_patch_needs_if_match_and_refuses_stale_versions(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    asset = make_asset(api, author)
    url = f"/v1/assets/{asset['id']}"
    missing = api.client.patch(url, json={"title": "x"}, headers=author.headers)
    assert missing.status_code == 428
    assert missing.json()["error"]["code"] == "precondition_required"
    ok = api.client.patch(url, json={"title": "x"}, headers=if_match(author, 1))
    assert ok.status_code == 200 and ok.headers["ETag"] == '"2"'
    stale = api.client.patch(url, json={"title": "y"}, headers=if_match(author, 1))
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "version_mismatch"
    assert api.client.get(url, headers=author.headers).json()["title"] == "x"


def test_other_team_contributor_cannot_patch_but_reviewer_can(api: Api) -> None:
    mine, other = api.make_team(), api.make_team()
    outsider = api.make_user("contributor", [other["id"]])
    reviewer = api.make_user("reviewer", [other["id"]])
    asset = make_asset(api, api.admin_headers, owning_team_id=mine["id"], status="published")
    url = f"/v1/assets/{asset['id']}"
    assert (
        api.client.patch(url, json={"title": "x"}, headers=if_match(outsider, 1)).status_code == 403
    )
    assert (
        api.client.patch(url, json={"title": "x"}, headers=if_match(reviewer, 1)).status_code == 200
    )


def test_delete_removes_a_draft_and_its_lessons(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    asset = make_asset(api, author, lessons=[lesson()])
    url = f"/v1/assets/{asset['id']}"
    assert api.client.delete(url, headers=author.headers).status_code == 428
    assert api.client.delete(url, headers=if_match(author, 9)).status_code == 412
    assert api.client.delete(url, headers=if_match(author, 1)).status_code == 204
    assert api.client.get(url, headers=author.headers).status_code == 404
    lesson_url = f"/v1/lessons/{asset['lesson_ids'][0]}"
    assert api.client.get(lesson_url, headers=author.headers).status_code == 404


def test_published_asset_must_be_archived_not_deleted(api: Api) -> None:
    team = api.make_team()
    reviewer = api.make_user("reviewer", [team["id"]])
    asset = make_asset(api, reviewer, status="published")
    response = api.client.delete(f"/v1/assets/{asset['id']}", headers=if_match(reviewer, 1))
    assert response.status_code == 409
    assert "archive it instead" in response.json()["error"]["message"]


def test_list_filters(api: Api) -> None:
    a, b = api.make_team(), api.make_team()
    admin = api.admin_headers
    project = make_project(api, api.make_user("contributor", [a["id"]]))
    make_asset(api, admin, owning_team_id=a["id"], project_id=project["id"], tags=["Flow"])
    make_asset(
        api,
        admin,
        owning_team_id=b["id"],
        kind="story",
        details={"narrative": "n", "moral": "m"},
        topics=["Winter"],
        status="published",
    )

    def total(query: str) -> int:
        return api.client.get(f"/v1/assets?{query}", headers=admin).json()["total"]

    assert total("") == 2
    assert total("kind=story") == 1
    assert total("status=draft") == 1
    assert total(f"project_id={project['id']}") == 1
    assert total(f"team_id={b['id']}") == 1
    assert total("tag=FLOW") == 1
    assert total("topic=winter") == 1
    assert total("tag=nothing") == 0
    assert api.client.get("/v1/assets?limit=101", headers=admin).status_code == 422
    assert api.client.get("/v1/assets?kind=memo", headers=admin).status_code == 422
