"""Actions on lessons: owner, due date, status, evidence; filters; visibility of the lesson."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.factories import Api, Caller, if_match, lesson, make_asset


def _day(offset: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


def make_lesson(api: Api, caller: Caller | dict[str, str], **asset_fields: Any) -> int:
    asset = make_asset(api, caller, lessons=[lesson()], **asset_fields)
    return asset["lesson_ids"][0]


def make_action(api: Api, caller: Caller, lesson_id: int, **fields: Any) -> dict[str, Any]:
    body = {
        "lesson_id": lesson_id,
        "title": "Agree one referral form",
        "owner_name": "Priya Shah",
        "due_date": _day(30),
        **fields,
    }
    response = api.client.post("/v1/actions", json=body, headers=caller.headers)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def team_people(api: Api) -> dict[str, Caller]:
    team, other = api.make_team(), api.make_team()
    return {
        "author": api.make_user("contributor", [team["id"]]),
        "reader": api.make_user("reader", [team["id"]]),
        "outsider": api.make_user("contributor", [other["id"]]),
    }


def test_action_is_created_read_and_done_with_evidence(
    api: Api, team_people: dict[str, Caller]
) -> None:
    author = team_people["author"]
    lesson_id = make_lesson(api, author)
    created = make_action(api, author, lesson_id, owner_user_id=author.id)
    assert created["status"] == "open" and created["completed_at"] is None
    assert created["version"] == 1 and created["is_overdue"] is False
    url = f"/v1/actions/{created['id']}"
    read = api.client.get(url, headers=author.headers)
    assert read.status_code == 200 and read.headers["ETag"] == '"1"'

    no_evidence = api.client.patch(url, json={"status": "done"}, headers=if_match(author, 1))
    assert no_evidence.status_code == 422
    assert no_evidence.json()["error"]["details"][0]["field"] == "body.evidence"
    assert "evidence" in no_evidence.json()["error"]["message"]
    blank = {"status": "done", "evidence": "   "}
    assert api.client.patch(url, json=blank, headers=if_match(author, 1)).status_code == 422

    done = api.client.patch(
        url,
        json={"status": "done", "evidence": "Form agreed; in the shared drive, v2"},
        headers=if_match(author, 1),
    )
    assert done.status_code == 200, done.text
    assert done.json()["completed_at"] is not None and done.headers["ETag"] == '"2"'
    reopened = api.client.patch(url, json={"status": "in_progress"}, headers=if_match(author, 2))
    assert reopened.json()["completed_at"] is None
    assert reopened.json()["evidence"] == "Form agreed; in the shared drive, v2"


def test_create_as_done_needs_evidence(api: Api, team_people: dict[str, Caller]) -> None:
    author = team_people["author"]
    lesson_id = make_lesson(api, author)
    body = {
        "lesson_id": lesson_id,
        "title": "t",
        "owner_name": "o",
        "due_date": _day(1),
        "status": "done",
    }
    refused = api.client.post("/v1/actions", json=body, headers=author.headers)
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["field"] == "body.evidence"
    done = make_action(api, author, lesson_id, status="done", evidence="Rota changed")
    assert done["completed_at"] is not None


def test_patch_needs_if_match_and_refuses_stale_versions(
    api: Api, team_people: dict[str, Caller]
) -> None:
    author = team_people["author"]
    action = make_action(api, author, make_lesson(api, author))
    url = f"/v1/actions/{action['id']}"
    assert api.client.patch(url, json={"title": "x"}, headers=author.headers).status_code == 428
    stale = api.client.patch(url, json={"title": "x"}, headers=if_match(author, 5))
    assert stale.status_code == 412
    nulled = api.client.patch(url, json={"owner_name": None}, headers=if_match(author, 1))
    assert nulled.status_code == 422
    assert api.client.get(url, headers=author.headers).json()["title"] == action["title"]


def test_bad_input_is_a_422_naming_the_field(api: Api, team_people: dict[str, Caller]) -> None:
    author = team_people["author"]
    lesson_id = make_lesson(api, author)
    base = {"lesson_id": lesson_id, "title": "t", "owner_name": "o", "due_date": _day(1)}
    cases = [
        ({**base, "owner_user_id": 999_999}, "body.owner_user_id"),
        ({**base, "lesson_id": 999_999}, "body.lesson_id"),
        ({**base, "due_date": "next week"}, "body.due_date"),
        ({**base, "status": "finished"}, "body.status"),
        ({**base, "colour": "red"}, "body.colour"),
    ]
    for body, field in cases:
        response = api.client.post("/v1/actions", json=body, headers=author.headers)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["details"][0]["field"] == field


def test_list_filters_by_status_owner_lesson_and_overdue(
    api: Api, team_people: dict[str, Caller]
) -> None:
    author, reader = team_people["author"], team_people["reader"]
    first, second = make_lesson(api, author), make_lesson(api, author)
    late = make_action(api, author, first, due_date=_day(-3), owner_user_id=reader.id)
    make_action(api, author, first, due_date=_day(-2), status="in_progress")
    make_action(api, author, first, due_date=_day(-9), status="done", evidence="done it")
    make_action(api, author, second, due_date=_day(10), status="cancelled")
    make_action(api, author, second, due_date=_day(0))

    def page(query: str) -> dict[str, Any]:
        response = api.client.get(f"/v1/actions?{query}", headers=author.headers)
        assert response.status_code == 200, response.text
        return response.json()

    assert page("")["total"] == 5
    overdue = page("overdue=true")
    assert overdue["total"] == 2
    assert [a["due_date"] for a in overdue["items"]] == [_day(-3), _day(-2)]
    assert all(a["is_overdue"] for a in overdue["items"])
    assert page("overdue=false")["total"] == 3
    assert page("status=done")["total"] == 1
    assert page(f"lesson_id={second}")["total"] == 2
    assert page(f"owner_user_id={reader.id}")["items"][0]["id"] == late["id"]
    assert page(f"lesson_id={first}&overdue=true&status=open")["total"] == 1
    paged = page("limit=2&offset=2")
    assert len(paged["items"]) == 2 and paged["total"] == 5
    assert api.client.get("/v1/actions?status=late", headers=author.headers).status_code == 422
    assert api.client.get("/v1/actions?limit=101", headers=author.headers).status_code == 422


def test_actions_of_a_hidden_lesson_are_404_and_absent(
    api: Api, team_people: dict[str, Caller]
) -> None:
    author, outsider = team_people["author"], team_people["outsider"]
    hidden = make_lesson(api, author, visibility="restricted")
    action = make_action(api, author, hidden)
    url = f"/v1/actions/{action['id']}"
    assert api.client.get(url, headers=outsider.headers).status_code == 404
    listed = api.client.get(f"/v1/actions?lesson_id={hidden}", headers=outsider.headers).json()
    assert listed["total"] == 0 and listed["items"] == []
    assert api.client.get("/v1/actions", headers=outsider.headers).json()["total"] == 0
    patched = api.client.patch(url, json={"title": "x"}, headers=if_match(outsider, 1))
    assert patched.status_code == 404
    body = {"lesson_id": hidden, "title": "t", "owner_name": "o", "due_date": _day(1)}
    created = api.client.post("/v1/actions", json=body, headers=outsider.headers)
    assert created.status_code == 422
    assert created.json()["error"]["details"][0]["field"] == "body.lesson_id"
    assert api.client.get(url, headers=api.admin_headers).status_code == 200


def test_who_may_add_and_change_actions(api: Api, team_people: dict[str, Caller]) -> None:
    author, reader, outsider = (team_people[k] for k in ("author", "reader", "outsider"))
    lesson_id = make_lesson(
        api, api.admin_headers, status="published", owning_team_id=author.team_ids[0]
    )
    body = {"lesson_id": lesson_id, "title": "t", "owner_name": "o", "due_date": _day(1)}
    assert api.client.post("/v1/actions", json=body, headers=reader.headers).status_code == 403
    refused = api.client.post("/v1/actions", json=body, headers=outsider.headers)
    assert refused.status_code == 403
    assert "owning team" in refused.json()["error"]["message"]
    reviewer = api.make_user("reviewer", outsider.team_ids)
    assert api.client.post("/v1/actions", json=body, headers=reviewer.headers).status_code == 201
    # The owner reports progress on their own action, even from another team.
    owned = make_action(api, author, lesson_id, owner_user_id=outsider.id)
    progressed = api.client.patch(
        f"/v1/actions/{owned['id']}",
        json={"status": "in_progress"},
        headers=if_match(outsider, 1),
    )
    assert progressed.status_code == 200, progressed.text
    other = make_action(api, author, lesson_id)
    refused_patch = api.client.patch(
        f"/v1/actions/{other['id']}", json={"title": "x"}, headers=if_match(outsider, 1)
    )
    assert refused_patch.status_code == 403


def test_create_is_idempotent(api: Api, team_people: dict[str, Caller]) -> None:
    author = team_people["author"]
    lesson_id = make_lesson(api, author)
    body = {"lesson_id": lesson_id, "title": "t", "owner_name": "o", "due_date": _day(1)}
    headers = {**author.headers, "Idempotency-Key": "action-1"}
    first = api.client.post("/v1/actions", json=body, headers=headers)
    again = api.client.post("/v1/actions", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    listed = api.client.get(f"/v1/actions?lesson_id={lesson_id}", headers=author.headers)
    assert listed.json()["total"] == 1
