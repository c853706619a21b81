"""The learning loop on a real server: a lesson gets an action, the action is done, the lesson
is learned; a new project's due diligence finds it, the team decides to apply it, months later
records that it helped; the learning metrics show all of it."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from hindsight.clients import HindsightClient
from tests.e2e.server import Server
from tests.factories import ADMIN_TOKEN, lesson, retrospect

BRIEF = """We are replacing the paper ventilator checklists on our two intensive care units.
Night and day teams hand over ventilated patients at each shift change, and the last
incident review found settings changed at night that the day team did not know about.
The project will put a structured handover for ventilator settings into the electronic
record, train the charge nurses, and audit handovers for the first three months."""


def _ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


def _version(response: httpx.Response) -> dict[str, str]:
    return {"If-Match": response.headers["ETag"]}


def test_lesson_to_learned_to_reused_and_helped_shows_in_the_metrics(server: Server) -> None:
    with HindsightClient(server.url, ADMIN_TOKEN) as admin:
        team = admin.create_team({"name": "Critical care"})
        user = admin.create_user(
            {"name": "Ade", "email": "ade@nhs.example", "role": "reviewer", "team_ids": [team.id]}
        )
        token = admin.create_token({"name": "e2e", "user_id": user.id}).token
    with HindsightClient(server.url, token) as hindsight:
        asset = hindsight.create_asset(
            retrospect(
                status="published",
                lessons=[
                    lesson(
                        title="Ventilator settings lost at shift handover",
                        lesson="Hand over every changed ventilator setting in a structured "
                        "handover, not from memory",
                    )
                ],
            )
        )
    lesson_id = asset.lesson_ids[0]
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.url, headers=auth, timeout=30) as http:
        due = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
        action = http.post(
            "/v1/actions",
            json={
                "lesson_id": lesson_id,
                "title": "Add ventilator settings to the handover form",
                "owner_name": "Ade",
                "due_date": due,
            },
        )
        _ok(action, 201)
        moved = http.post(
            f"/v1/lessons/{lesson_id}/transitions", json={"to": "action_planned"},
            headers={"If-Match": '"1"'},
        )  # fmt: skip
        _ok(moved)
        done = http.patch(
            f"/v1/actions/{action.json()['id']}",
            json={"status": "done", "evidence": "Form v3 live on both units since May"},
            headers=_version(action),
        )
        assert _ok(done)["completed_at"] is not None
        moved = http.post(
            f"/v1/lessons/{lesson_id}/transitions", json={"to": "actioned"}, headers=_version(moved)
        )
        _ok(moved)
        learned = http.post(
            f"/v1/lessons/{lesson_id}/transitions",
            json={"to": "learned", "evidence_of_change": "ICU handover policy s3 names the form"},
            headers=_version(moved),
        )
        assert _ok(learned)["learned_at"] is not None

        project = _ok(
            http.post(
                "/v1/projects", json={"name": "ICU e-handover", "organisation_type": "nhs_trust"}
            ),
            201,
        )
        deadline = time.monotonic() + 15
        while True:  # the indexer picks the lesson's new status up within a second or so
            check = _ok(
                http.post(
                    "/v1/due-diligence",
                    json={
                        "title": "Electronic ventilator handover",
                        "description": BRIEF,
                        "project_id": project["id"],
                    },
                ),
                201,
            )
            found = [r for r in check["results"]["lessons"] if r["lesson"]["id"] == lesson_id]
            if found and found[0]["lesson"]["status"] == "learned":
                break
            assert time.monotonic() < deadline, "due diligence never found the learned lesson"
            time.sleep(0.2)
        assert "learned, with evidence of change" in found[0]["reason"]
        assert "ventilator" in found[0]["matched"]

        decided = _ok(
            http.post(
                f"/v1/due-diligence/{check['id']}/decisions",
                json=[{"lesson_id": lesson_id, "decision": "apply", "note": "Use form v3"}],
            )
        )
        application = decided["items"][0]
        assert application["project_id"] == project["id"]
        _ok(
            http.patch(
                f"/v1/applications/{application['id']}",
                json={"outcome": "helped", "outcome_note": "No settings lost in three months"},
                headers={"If-Match": f'"{application["version"]}"'},
            )
        )

        deadline = time.monotonic() + 5
        while True:  # search-log entries are written every half second
            metrics = _ok(http.get("/v1/metrics/learning", params={"team_id": team.id}))
            if metrics["searches"]["due_diligence_checks"] >= 1:
                break
            assert time.monotonic() < deadline, "the due-diligence checks were never logged"
            time.sleep(0.2)
    assert metrics["lessons"]["by_status"]["learned"] == 1
    assert metrics["lessons"]["learned_share"] == 1.0
    assert metrics["applications"]["by_outcome"]["helped"] == 1
    assert metrics["reuse_rate"] == 1.0
    assert metrics["actions"] == {"open": 0, "overdue": 0}
    assert metrics["projects"] == {"total": 1, "with_due_diligence": 1, "without_due_diligence": 0}
