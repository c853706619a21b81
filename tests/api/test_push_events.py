"""Every event of API.md comes from the service that makes the change, in its transaction,
and the daily sweep sends `action.overdue` once per action and day."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook as Verifier

from hindsight.schemas.enums import WebhookEvent
from hindsight.service import sweeps
from hindsight.service.app import create_app
from hindsight.service.events.service import day_key
from hindsight.service.settings import Settings
from tests.factories import Api, if_match, lesson, make_asset, make_project
from tests.push_helpers import Receiver, receiver, run_jobs

ALL = [
    "asset.published",
    "asset.archived",
    "lesson.created",
    "lesson.status_changed",
    "action.created",
    "action.overdue",
    "action.done",
    "due_diligence.created",
    "application.outcome_recorded",
]


@pytest.fixture
def hooks_api(settings: Settings) -> Iterator[Api]:
    app = create_app(settings.model_copy(update={"webhooks_allow_private": True}))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client)


@pytest.fixture
def inbox() -> Iterator[Receiver]:
    with receiver() as got:
        yield got


def _events(api: Api, inbox: Receiver, secret: str) -> list[tuple[str, int]]:
    run_jobs(api.client)
    return [
        (body["type"], body["data"]["id"])
        for body in (Verifier(secret).verify(r.body, r.headers) for r in inbox.requests)
    ]


def test_each_event_is_sent_by_the_change_that_makes_it(hooks_api: Api, inbox: Receiver) -> None:
    api = hooks_api
    team = api.make_team()
    hook = api.client.post(
        "/v1/webhooks",
        json={"url": inbox.url, "events": ALL, "team_id": team["id"]},
        headers=api.admin_headers,
    ).json()
    reviewer = api.make_user("reviewer", [team["id"]])
    asset = make_asset(api, reviewer, lessons=[lesson()])
    lesson_id = asset["lesson_ids"][0]
    api.client.post(
        f"/v1/assets/{asset['id']}/transitions",
        json={"to": "in_review"},
        headers=if_match(reviewer, 1),
    )
    api.client.post(
        f"/v1/assets/{asset['id']}/transitions",
        json={"to": "published"},
        headers=if_match(reviewer, 2),
    )
    due = (datetime.now(UTC).date() - timedelta(days=3)).isoformat()
    action = api.client.post(
        "/v1/actions",
        json={
            "lesson_id": lesson_id,
            "title": "Agree the form",
            "owner_name": "Priya",
            "due_date": due,
        },
        headers=reviewer.headers,
    ).json()
    moved = api.client.post(
        f"/v1/lessons/{lesson_id}/transitions",
        json={"to": "action_planned"},
        headers=if_match(reviewer, 1),
    )
    assert moved.status_code == 200, moved.text
    assert _events(api, inbox, hook["secret"]) == _events(api, inbox, hook["secret"])
    sent = set(_events(api, inbox, hook["secret"]))
    assert sent == {
        ("lesson.created", lesson_id),
        ("asset.published", asset["id"]),
        ("action.created", action["id"]),
        ("lesson.status_changed", lesson_id),
    }
    status = next(r for r in inbox.requests if r.json["type"] == "lesson.status_changed").json
    assert status["data"]["from"] == "identified" and status["data"]["to"] == "action_planned"

    engine = api.client.app.state.engine
    today = datetime.now(UTC).date()
    sweeps.daily(engine, today)
    sweeps.daily(engine, today)  # a second replica, or a restart: nothing twice
    sweeps.daily(engine, today + timedelta(days=1))  # the next day, once more
    run_jobs(api.client)
    overdue = [e for e in _events(api, inbox, hook["secret"]) if e[0] == "action.overdue"]
    assert overdue == [("action.overdue", action["id"])] * 2

    done = api.client.patch(
        f"/v1/actions/{action['id']}",
        json={"status": "done", "evidence": "Form live on both wards"},
        headers=if_match(reviewer, 1),
    )
    assert done.status_code == 200, done.text
    project = make_project(api, reviewer)
    check = api.client.post(
        "/v1/due-diligence",
        headers=reviewer.headers,
        json={
            "title": "Referral pilot",
            "description": "shared referral form",
            "project_id": project["id"],
        },
    )
    assert check.status_code == 201, check.text
    application = api.client.post(
        "/v1/applications",
        json={
            "lesson_id": lesson_id,
            "project_id": project["id"],
            "decision": "apply",
            "note": "use it",
            "outcome": "helped",
            "outcome_note": "no re-keying",
        },
        headers=reviewer.headers,
    )
    assert application.status_code == 201, application.text
    api.client.post(
        f"/v1/assets/{asset['id']}/transitions",
        json={"to": "archived"},
        headers=if_match(reviewer, 3),
    )
    later = set(_events(api, inbox, hook["secret"])) - sent
    assert later == {
        ("action.overdue", action["id"]),
        ("action.done", action["id"]),
        ("due_diligence.created", check.json()["id"]),
        ("application.outcome_recorded", application.json()["id"]),
        ("asset.archived", asset["id"]),
    }


def test_a_rolled_back_change_sends_nothing(hooks_api: Api, inbox: Receiver) -> None:
    api = hooks_api
    api.client.post(
        "/v1/webhooks", json={"url": inbox.url, "events": ALL}, headers=api.admin_headers
    )
    reviewer = api.make_user("reviewer", [api.make_team()["id"]])
    bad = api.client.post(
        "/v1/assets",
        headers=reviewer.headers,
        json={"kind": "retrospect", "title": "x", "status": "published", "details": {}},
    )
    assert bad.status_code == 422
    run_jobs(api.client)
    assert inbox.requests == []


def test_daily_keys_are_per_day() -> None:

    assert day_key(WebhookEvent.action_overdue, 7, date(2026, 12, 3)) == (
        "action.overdue:7:2026-12-03"
    )
