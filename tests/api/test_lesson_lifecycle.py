"""The lesson lifecycle: each move's condition, refusals that say what is missing, roles,
If-Match, history, and the status facet in search."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.factories import Api, Caller, if_match, lesson, make_asset
from tests.search_helpers import index_now


def move(api: Api, caller: Caller | dict[str, str], lesson_id: int, version: int, **body: Any):
    headers = if_match(caller, version)
    return api.client.post(f"/v1/lessons/{lesson_id}/transitions", json=body, headers=headers)


def add_action(api: Api, caller: Caller, lesson_id: int, **fields: Any) -> dict[str, Any]:
    body = {
        "lesson_id": lesson_id,
        "title": "Agree one referral form",
        "owner_name": "Priya Shah",
        "due_date": (datetime.now(UTC).date() + timedelta(days=14)).isoformat(),
        **fields,
    }
    response = api.client.post("/v1/actions", json=body, headers=caller.headers)
    assert response.status_code == 201, response.text
    return response.json()


def finish(api: Api, caller: Caller, action: dict[str, Any], status: str = "done") -> None:
    body: dict[str, Any] = {"status": status}
    if status == "done":
        body["evidence"] = "Shared form live on both wards since March"
    response = api.client.patch(
        f"/v1/actions/{action['id']}", json=body, headers=if_match(caller, action["version"])
    )
    assert response.status_code == 200, response.text


@pytest.fixture
def author(api: Api) -> Caller:
    return api.make_user("contributor", [api.make_team()["id"]])


@pytest.fixture
def lesson_id(api: Api, author: Caller) -> int:
    return make_asset(api, author, lessons=[lesson()])["lesson_ids"][0]


def _refusal(response: Any) -> str:
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "invalid_transition"
    return response.json()["error"]["message"]


def test_identified_to_learned_with_each_condition(
    api: Api, author: Caller, lesson_id: int
) -> None:
    assert "open action" in _refusal(move(api, author, lesson_id, 1, to="action_planned"))
    first = add_action(api, author, lesson_id)
    second = add_action(api, author, lesson_id, title="Train ward clerks")
    planned = move(api, author, lesson_id, 1, to="action_planned")
    assert planned.status_code == 200, planned.text
    assert planned.json()["status"] == "action_planned" and planned.headers["ETag"] == '"2"'

    message = _refusal(move(api, author, lesson_id, 2, to="actioned"))
    assert "2 of the lesson's 2 actions are still open" in message
    finish(api, author, first)
    assert "1 of the lesson's 2" in _refusal(move(api, author, lesson_id, 2, to="actioned"))
    finish(api, author, second, "cancelled")
    actioned = move(api, author, lesson_id, 2, to="actioned")
    assert actioned.status_code == 200 and actioned.json()["learned_at"] is None

    assert "evidence_of_change" in _refusal(move(api, author, lesson_id, 3, to="learned"))
    blank = move(api, author, lesson_id, 3, to="learned", evidence_of_change="  ")
    assert "evidence_of_change" in _refusal(blank)
    learned = move(
        api,
        author,
        lesson_id,
        3,
        to="learned",
        evidence_of_change="The trust's discharge policy now names the shared form (s4.2)",
    )
    assert learned.status_code == 200, learned.text
    body = learned.json()
    assert body["status"] == "learned" and body["learned_at"] is not None
    assert body["evidence_of_change"].startswith("The trust's discharge policy")

    versions = api.client.get(f"/v1/lessons/{lesson_id}/versions", headers=author.headers).json()
    assert [v["snapshot"]["status"] for v in versions["items"]] == [
        "actioned",
        "action_planned",
        "identified",
    ]
    assert "learned_at" in versions["items"][0]["changed_fields"]

    index_now(api)
    found = api.client.get(
        "/v1/search", params={"q": "referral", "type": "lesson"}, headers=author.headers
    ).json()
    assert found["facets"]["status"] == {"learned": 1}


def test_actioned_needs_one_action_done(api: Api, author: Caller, lesson_id: int) -> None:
    action = add_action(api, author, lesson_id)
    assert move(api, author, lesson_id, 1, to="action_planned").status_code == 200
    finish(api, author, action, "cancelled")
    assert "none is done" in _refusal(move(api, author, lesson_id, 2, to="actioned"))


def test_not_actioned_needs_a_reason_and_can_reopen(
    api: Api, author: Caller, lesson_id: int
) -> None:
    assert "reason" in _refusal(move(api, author, lesson_id, 1, to="not_actioned"))
    parked = move(api, author, lesson_id, 1, to="not_actioned", reason="Service decommissioned")
    assert parked.status_code == 200, parked.text
    assert parked.json()["status_reason"] == "Service decommissioned"
    again = _refusal(move(api, author, lesson_id, 2, to="not_actioned", reason="still"))
    assert "already" in again and "identified" in again
    reopened = move(api, author, lesson_id, 2, to="identified", reason="Service restarted")
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "identified"
    versions = api.client.get(f"/v1/lessons/{lesson_id}/versions", headers=author.headers).json()
    assert [v["comment"] for v in versions["items"]] == [
        "Service restarted",
        "Service decommissioned",
    ]


def test_a_learned_lesson_set_aside_is_no_longer_learned(
    api: Api, author: Caller, lesson_id: int
) -> None:
    action = add_action(api, author, lesson_id)
    move(api, author, lesson_id, 1, to="action_planned")
    finish(api, author, action)
    move(api, author, lesson_id, 2, to="actioned")
    move(api, author, lesson_id, 3, to="learned", evidence_of_change="Policy changed")
    undone = move(api, author, lesson_id, 4, to="not_actioned", reason="Policy reverted")
    assert undone.status_code == 200
    assert undone.json()["learned_at"] is None and undone.json()["status"] == "not_actioned"


@pytest.mark.parametrize(
    ("to", "allowed"),
    [
        ("learned", "action_planned or not_actioned"),
        ("actioned", "action_planned or not_actioned"),
        ("identified", "action_planned or not_actioned"),
    ],
)
def test_other_moves_say_what_is_allowed(
    api: Api, author: Caller, lesson_id: int, to: str, allowed: str
) -> None:
    message = _refusal(move(api, author, lesson_id, 1, to=to, evidence_of_change="x"))
    assert f"can move to {allowed}" in message
    assert api.client.get(f"/v1/lessons/{lesson_id}", headers=author.headers).json()["version"] == 1


def test_moves_need_if_match_a_role_and_a_visible_lesson(
    api: Api, author: Caller, lesson_id: int
) -> None:
    url = f"/v1/lessons/{lesson_id}/transitions"
    body = {"to": "not_actioned", "reason": "r"}
    assert api.client.post(url, json=body, headers=author.headers).status_code == 428
    assert move(api, author, lesson_id, 7, **body).status_code == 412
    reader = api.make_user("reader", author.team_ids)
    assert move(api, reader, lesson_id, 1, **body).status_code == 403
    stranger = api.make_user("contributor", [api.make_team()["id"]])
    # The asset is a draft of the author's team: hidden from the stranger, so a 404.
    assert move(api, stranger, lesson_id, 1, **body).status_code == 404
    public = make_asset(
        api,
        api.admin_headers,
        lessons=[lesson()],
        status="published",
        owning_team_id=author.team_ids[0],
    )["lesson_ids"][0]
    refused = move(api, stranger, public, 1, **body)
    assert refused.status_code == 403 and "owning team" in refused.json()["error"]["message"]
    reviewer = api.make_user("reviewer", stranger.team_ids)
    assert move(api, reviewer, public, 1, **body).status_code == 200
    unknown = api.client.post(
        url, json={"to": "forgotten"}, headers=if_match(author, 1)
    ).status_code
    assert unknown == 422
