"""Acting on a lesson from its pages: lifecycle moves with the API's rules and messages,
actions created, assigned, given a due date and done with evidence, "My actions", a team's
overdue list, and applications that record whether the lesson helped."""

import re

from fastapi.testclient import TestClient

from tests.factories import Api, lesson, retrospect
from tests.pages import csrf_of, make_person, signed_in


def _setup(api: Api) -> tuple[TestClient, int, int, int]:
    team = api.make_team()
    person = make_person(api, "contributor", [team["id"]])
    created = api.client.post(
        "/v1/assets",
        json=retrospect(owning_team_id=team["id"], lessons=[lesson()]),
        headers=person.caller.headers,
    ).json()
    return signed_in(api.client, person), created["lesson_ids"][0], person.id, team["id"]


def _post(client: TestClient, lesson_id: int, path: str, **data: str):
    token = csrf_of(client.get(f"/lessons/{lesson_id}/act").text)
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def _status(api: Api, lesson_id: int) -> str:
    return api.client.get(f"/v1/lessons/{lesson_id}", headers=api.admin_headers).json()["status"]


def test_the_lifecycle_with_actions_from_the_pages(api: Api) -> None:
    client, lesson_id, user_id, _ = _setup(api)
    page = client.get(f"/lessons/{lesson_id}")
    assert f'href="/lessons/{lesson_id}/act"' in page.text
    early = _post(client, lesson_id, f"/lessons/{lesson_id}/move", to="action_planned")
    assert early.status_code == 409 and "Add an action below first" in early.text
    missing = _post(client, lesson_id, f"/lessons/{lesson_id}/actions", title="Agree the form")
    assert missing.status_code == 422
    assert 'id="owner_name-error"' in missing.text and 'id="due_date-error"' in missing.text
    added = _post(
        client,
        lesson_id,
        f"/lessons/{lesson_id}/actions",
        title="Agree the form",
        owner_user_id=str(user_id),
        due_date="2020-01-31",
    )
    assert added.status_code == 303, added.text
    planned = _post(client, lesson_id, f"/lessons/{lesson_id}/move", to="action_planned")
    assert planned.status_code == 303 and _status(api, lesson_id) == "action_planned"
    mine = client.get("/actions/mine")
    assert "Agree the form" in mine.text and "Overdue" in mine.text
    action_id = int(re.search(r"action-(\d+)-title", mine.text).group(1))
    no_evidence = client.post(
        f"/actions/{action_id}/progress",
        data={
            "csrf_token": csrf_of(mine.text),
            f"action-{action_id}-status": "done",
            "back": "mine",
        },
    )
    assert no_evidence.status_code == 422 and f'id="action-{action_id}-evidence-error"' in (
        no_evidence.text
    )
    done = client.post(
        f"/actions/{action_id}/progress",
        data={
            "csrf_token": csrf_of(mine.text),
            f"action-{action_id}-status": "done",
            f"action-{action_id}-evidence": "Form in use since March",
            "back": "mine",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert _post(client, lesson_id, f"/lessons/{lesson_id}/move", to="actioned").status_code == 303
    unproven = _post(client, lesson_id, f"/lessons/{lesson_id}/move", to="learned")
    assert unproven.status_code == 409 and 'id="evidence_of_change-error"' in unproven.text
    learned = _post(
        client,
        lesson_id,
        f"/lessons/{lesson_id}/move",
        to="learned",
        evidence_of_change="Delays halved on both wards",
    )
    assert learned.status_code == 303 and _status(api, lesson_id) == "learned"
    no_reason = _post(client, lesson_id, f"/lessons/{lesson_id}/move", to="not_actioned")
    assert no_reason.status_code == 409 and 'id="reason-error"' in no_reason.text


def test_overdue_list_shows_a_teams_late_actions_only(api: Api) -> None:
    client, lesson_id, _, team_id = _setup(api)
    for title, due in (("Late one", "2020-01-31"), ("Future one", "2099-01-31")):
        _post(
            client,
            lesson_id,
            f"/lessons/{lesson_id}/actions",
            title=title,
            owner_name="Priya Shah",
            due_date=due,
        )
    page = client.get(f"/actions/overdue?team_id={team_id}")
    assert "Late one" in page.text and "Future one" not in page.text
    other = api.make_team()
    assert "Late one" not in client.get(f"/actions/overdue?team_id={other['id']}").text


def test_applications_record_whether_the_lesson_helped(api: Api) -> None:
    client, lesson_id, _, team_id = _setup(api)
    project = api.client.post(
        "/v1/projects",
        json={"name": "Later project", "owning_team_id": team_id},
        headers=api.admin_headers,
    ).json()
    wrong = _post(
        client,
        lesson_id,
        f"/lessons/{lesson_id}/applications",
        project_id=str(project["id"]),
        decision="not_applicable",
        outcome="helped",
    )
    assert wrong.status_code == 422 and 'id="outcome-error"' in wrong.text
    recorded = _post(
        client,
        lesson_id,
        f"/lessons/{lesson_id}/applications",
        project_id=str(project["id"]),
        decision="apply",
    )
    assert recorded.status_code == 303, recorded.text
    page = client.get(f"/lessons/{lesson_id}/act")
    application_id = int(re.search(r'id="application-(\d+)-title"', page.text).group(1))
    updated = client.post(
        f"/applications/{application_id}/outcome",
        data={
            "csrf_token": csrf_of(page.text),
            f"application-{application_id}-outcome": "hindered",
            f"application-{application_id}-outcome_note": "Too slow",
        },
        follow_redirects=False,
    )
    assert updated.status_code == 303
    read = api.client.get(f"/v1/applications/{application_id}", headers=api.admin_headers)
    assert read.json()["outcome"] == "hindered"


def test_a_move_without_the_csrf_token_is_refused(api: Api) -> None:
    client, lesson_id, _, _ = _setup(api)
    refused = client.post(f"/lessons/{lesson_id}/move", data={"to": "not_actioned", "reason": "x"})
    assert refused.status_code == 403 and _status(api, lesson_id) == "identified"
