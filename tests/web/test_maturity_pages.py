"""The maturity self-assessment as pages: each sub-outcome with its level descriptors, the
score now and in a year, evidence, priority and actions; the assessment's chart with the
live evidence figures beside the self-scores; progress over time."""

import re

from fastapi.testclient import TestClient

from hindsight.service.maturity import framework_service
from tests.factories import Api
from tests.pages import csrf_of, make_person, signed_in


def _scored(doc: dict, current: int, *, priority: str | None = None) -> dict[str, str]:
    data = {}
    for outcome in doc["outcomes"]:
        for sub in outcome["sub_outcomes"]:
            p = f"score-{sub['key']}-"
            data[p + "current"] = str(current)
            data[p + "target"] = str(min(current + 1, 3))
    if priority:
        data[f"score-{priority}-priority"] = "yes"
        data[f"score-{priority}-evidence"] = "Board papers since May"
        data[f"score-{priority}-actions"] = "Name a champion\nPut KM on the agenda"
    return data


def test_a_team_scores_itself_and_sees_chart_evidence_and_progress(api: Api) -> None:
    team = api.make_team()
    person = signed_in(api.client, make_person(api, "contributor", [team["id"]]))
    home = person.get(f"/maturity?team_id={team['id']}")
    start = re.search(r'href="(/maturity/new\?framework_id=\d+&amp;team_id=\d+)"', home.text)
    form_path = start.group(1).replace("&amp;", "&")
    form = person.get(form_path)
    doc = framework_service.starter_document()
    first = doc["outcomes"][0]["sub_outcomes"][0]
    assert first["level_descriptors"]["3"] in form.text  # the descriptors are on the form
    token = csrf_of(form.text)
    ids = re.search(r"framework_id=(\d+)&team_id=(\d+)", form_path)
    hidden = {"csrf_token": token, "framework_id": ids.group(1), "team_id": ids.group(2)}
    unscored = person.post("/maturity/new", data=hidden | {"assessed_at": "2026-01-15"})
    assert unscored.status_code == 422
    assert f'id="score-{first["key"]}-current-error"' in unscored.text
    saved = person.post(
        "/maturity/new",
        data=hidden | {"assessed_at": "2026-01-15"} | _scored(doc, 1, priority=first["key"]),
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    page = person.get(saved.headers["location"])
    assert "<svg" in page.text and "Board papers since May" in page.text
    assert "Put KM on the agenda" in page.text and "Priority" in page.text
    assert "What Hindsight shows" in page.text  # live figures beside the self-scores
    person.post(
        "/maturity/new",
        data=hidden | {"assessed_at": "2026-11-15"} | _scored(doc, 2),
        follow_redirects=False,
    )
    progress = person.get(f"/maturity?team_id={team['id']}")
    assert "Progress over time" in progress.text and "+1.00" in progress.text
    assert 'id="chart-progress-title"' in progress.text


def test_another_team_can_neither_score_nor_read_a_teams_assessment(api: Api) -> None:
    team, other = api.make_team(), api.make_team()
    member = signed_in(TestClient(api.client.app), make_person(api, "contributor", [team["id"]]))
    form_path = (
        re.search(
            r'href="(/maturity/new\?[^"]+)"', member.get(f"/maturity?team_id={team['id']}").text
        )
        .group(1)
        .replace("&amp;", "&")
    )
    ids = re.search(r"framework_id=(\d+)&team_id=(\d+)", form_path)
    saved = member.post(
        "/maturity/new",
        data={
            "csrf_token": csrf_of(member.get(form_path).text),
            "framework_id": ids.group(1),
            "team_id": ids.group(2),
            "assessed_at": "2026-01-15",
        }
        | _scored(framework_service.starter_document(), 1),
        follow_redirects=False,
    )
    assert saved.status_code == 303
    outsider = signed_in(api.client, make_person(api, "contributor", [other["id"]]))
    assert outsider.get(form_path).status_code == 404
    assert outsider.get(saved.headers["location"]).status_code == 404
