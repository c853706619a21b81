"""Applications: a later project's decision on a lesson and its outcome; visible only when
both the lesson and the project are."""

from typing import Any

import pytest

from tests.factories import Api, Caller, if_match, lesson, make_asset, make_project


@pytest.fixture
def people(api: Api) -> dict[str, Caller]:
    team, other = api.make_team(), api.make_team()
    return {
        "author": api.make_user("contributor", [team["id"]]),
        "planner": api.make_user("contributor", [other["id"]]),
        "reader": api.make_user("reader", [other["id"]]),
    }


def published_lesson(api: Api, owner: Caller, **asset_fields: Any) -> int:
    asset = make_asset(
        api,
        api.admin_headers,
        lessons=[lesson()],
        status="published",
        owning_team_id=owner.team_ids[0],
        **asset_fields,
    )
    return asset["lesson_ids"][0]


def apply(api: Api, caller: Caller, **fields: Any) -> Any:
    body = {"decision": "apply", "note": "Use the shared form from day one", **fields}
    return api.client.post("/v1/applications", json=body, headers=caller.headers)


def test_application_is_recorded_and_its_outcome_added_later(
    api: Api, people: dict[str, Caller]
) -> None:
    author, planner = people["author"], people["planner"]
    lesson_id = published_lesson(api, author)
    project = make_project(api, planner)
    created = apply(api, planner, lesson_id=lesson_id, project_id=project["id"])
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["outcome"] == "pending" and body["due_diligence_id"] is None
    assert created.headers["ETag"] == '"1"'
    url = f"/v1/applications/{body['id']}"
    assert (
        api.client.patch(url, json={"outcome": "helped"}, headers=planner.headers).status_code
        == 428
    )
    helped = api.client.patch(
        url,
        json={"outcome": "helped", "outcome_note": "No referral re-keyed in six months"},
        headers=if_match(planner, 1),
    )
    assert helped.status_code == 200, helped.text
    assert helped.json()["outcome"] == "helped" and helped.json()["version"] == 2
    stale = api.client.patch(url, json={"outcome": "hindered"}, headers=if_match(planner, 1))
    assert stale.status_code == 412
    read = api.client.get(url, headers=author.headers)
    assert read.status_code == 200 and read.json()["outcome_note"].startswith("No referral")


def test_not_applicable_has_no_outcome(api: Api, people: dict[str, Caller]) -> None:
    author, planner = people["author"], people["planner"]
    lesson_id = published_lesson(api, author)
    project = make_project(api, planner)
    refused = apply(
        api,
        planner,
        lesson_id=lesson_id,
        project_id=project["id"],
        decision="not_applicable",
        outcome="helped",
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["field"] == "body.outcome"
    created = apply(
        api, planner, lesson_id=lesson_id, project_id=project["id"], decision="not_applicable"
    ).json()
    patched = api.client.patch(
        f"/v1/applications/{created['id']}",
        json={"outcome": "no_effect"},
        headers=if_match(planner, 1),
    )
    assert patched.status_code == 422


def test_list_by_lesson_and_project(api: Api, people: dict[str, Caller]) -> None:
    author, planner = people["author"], people["planner"]
    first, second = published_lesson(api, author), published_lesson(api, author)
    one, two = make_project(api, planner), make_project(api, planner)
    for lesson_id, project in ((first, one), (first, two), (second, two)):
        assert apply(api, planner, lesson_id=lesson_id, project_id=project["id"]).status_code == 201

    def total(query: str) -> int:
        response = api.client.get(f"/v1/applications?{query}", headers=planner.headers)
        assert response.status_code == 200, response.text
        return response.json()["total"]

    assert total("") == 3
    assert total(f"lesson_id={first}") == 2
    assert total(f"project_id={two['id']}") == 2
    assert total(f"lesson_id={second}&project_id={one['id']}") == 0
    assert total("decision=apply&outcome=pending") == 3
    assert (
        api.client.get("/v1/applications?outcome=great", headers=planner.headers).status_code == 422
    )


def test_visible_only_when_lesson_and_project_are(api: Api, people: dict[str, Caller]) -> None:
    author, planner, reader = people["author"], people["planner"], people["reader"]
    open_lesson = published_lesson(api, author)
    hidden_lesson = published_lesson(api, author, visibility="restricted")
    open_project = make_project(api, planner)
    hidden_project = make_project(api, planner, visibility="restricted")
    # The admin records both, so that each pairs one hidden side with one open side.
    ids = []
    for lesson_id, project in ((hidden_lesson, open_project), (open_lesson, hidden_project)):
        response = api.client.post(
            "/v1/applications",
            json={"lesson_id": lesson_id, "project_id": project["id"], "decision": "apply"},
            headers=api.admin_headers,
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    # The planner's team owns the hidden project but cannot see the hidden lesson; the author
    # sees the hidden lesson but not the planner's restricted project.
    for caller, visible in ((planner, ids[1]), (author, ids[0]), (reader, ids[1])):
        page = api.client.get("/v1/applications", headers=caller.headers).json()
        assert [item["id"] for item in page["items"]] == [visible] and page["total"] == 1
        hidden = ids[0] if visible == ids[1] else ids[1]
        assert (
            api.client.get(f"/v1/applications/{hidden}", headers=caller.headers).status_code == 404
        )
    outsider = api.make_user("reader", [api.make_team()["id"]])
    assert api.client.get("/v1/applications", headers=outsider.headers).json()["total"] == 0


def test_links_must_be_visible_and_the_project_editable(
    api: Api, people: dict[str, Caller]
) -> None:
    author, planner, reader = people["author"], people["planner"], people["reader"]
    lesson_id = published_lesson(api, author)
    hidden_lesson = published_lesson(api, author, visibility="restricted")
    project = make_project(api, planner)
    cases = [
        ({"lesson_id": 999_999, "project_id": project["id"]}, "body.lesson_id"),
        ({"lesson_id": hidden_lesson, "project_id": project["id"]}, "body.lesson_id"),
        ({"lesson_id": lesson_id, "project_id": 999_999}, "body.project_id"),
        (
            {"lesson_id": lesson_id, "project_id": project["id"], "due_diligence_id": 999_999},
            "body.due_diligence_id",
        ),
        (
            {"lesson_id": lesson_id, "project_id": project["id"], "decision": "maybe"},
            "body.decision",
        ),
    ]
    for fields, field in cases:
        response = apply(api, planner, **fields)
        assert response.status_code == 422, (fields, response.text)
        assert response.json()["error"]["details"][0]["field"] == field
    # Recording a decision is the project's business.
    assert apply(api, author, lesson_id=lesson_id, project_id=project["id"]).status_code == 403
    assert apply(api, reader, lesson_id=lesson_id, project_id=project["id"]).status_code == 403
