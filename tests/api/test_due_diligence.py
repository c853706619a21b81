"""Due diligence: a page of prose finds the relevant lessons and assets, ranked and explained,
inside the caller's visibility; open actions and people behind them; the stored check; the
team's decisions as applications."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hindsight.service.app import create_app
from hindsight.service.settings import Settings
from tests import databases
from tests.factories import Api, Caller, lesson, make_asset, make_project
from tests.search_helpers import index_now

BRIEF = """Background. The trust runs two acute hospitals eleven miles apart. Ward nurses hand
over patients three times a day using paper sheets that each ward designs for itself. The
incident review found eight serious incidents in which a task started on one shift (an
infusion being changed, a drain being removed, a bed rail left down) was not known to the
next shift. In two of them the temporary change was only written in a private notebook.
Staff moving between the sites say the handover sheets look different on every ward.
Objectives. Replace paper handover with a structured electronic handover in the patient
record by March; make unfinished and temporary work visible to the incoming shift; give ward
managers one consistent place for written instructions; cut handover incidents by half
within a year. Scope. All adult inpatient wards on both sites, the night site manager role
and weekend cover, when supervision is often delegated to a senior nurse from another
specialty. Constraints. Handover time cannot grow beyond thirty minutes per shift. Agency and
bank staff must be able to use it on their first shift. Network access on two older wards is
unreliable, so the handover must print when the network is down."""


def _day(offset: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


def _published(api: Api, team_id: int, **fields: Any) -> dict[str, Any]:
    return make_asset(api, api.admin_headers, status="published", owning_team_id=team_id, **fields)


@pytest.fixture
def world(api: Api) -> dict[str, Any]:
    wards, estates, secret = api.make_team("Wards"), api.make_team("Estates"), api.make_team()
    nurse = api.make_user("contributor", [wards["id"]])
    planner = api.make_user("contributor", [estates["id"]])
    pilot = make_project(
        api,
        nurse,
        name="Night handover pilot",
        phase="delivery",
        contacts=[{"name": "Tom Reed", "role": "matron", "expertise": ["handover"]}],
        team_context=[
            {
                "role": "charge nurse",
                "years_experience": 12,
                "specialisms": ["acute medicine"],
                "note": "ran the handover pilot on nights",
            }
        ],
    )
    handover = _published(
        api,
        wards["id"],
        title="Night shift handover retrospect",
        project_id=pilot["id"],
        authors=[{"name": "Priya Shah", "role": "ward manager"}],
        lessons=[
            lesson(
                title="Unfinished tasks lost at shift handover",
                observation="An infusion change started on nights was unknown to the day shift",
                lesson="Write unfinished and temporary changes into a structured handover "
                "so that the incoming shift sees them",
                recommendation="Use one electronic handover in the patient record",
                applicability={
                    "phases": ["planning"],
                    "topics": ["shift handover"],
                    "organisation_types": ["nhs_trust"],
                },
            ),
            lesson(
                title="Handover sheets differed on every ward",
                lesson="Staff moving between wards missed items because each handover sheet "
                "was laid out differently",
                applicability={"topics": ["patient safety"]},
            ),
        ],
    )
    boiler = _published(
        api,
        estates["id"],
        title="Boiler replacement post-project review",
        kind="post_project_review",
        lessons=[
            lesson(
                title="Steam pressure tests by contractors",
                observation="The contractor's pressure test skipped two valves",
                lesson="Witness steam pressure tests of contractors' work",
                applicability={"topics": ["estates"]},
            )
        ],
    )
    hidden = _published(
        api,
        secret["id"],
        title="Restricted handover review",
        visibility="restricted",
        lessons=[
            lesson(
                title="Infusion changes lost at shift handover",
                lesson="Temporary infusion changes must be in the handover for the next shift",
            )
        ],
    )
    index_now(api)
    return {
        "nurse": nurse,
        "planner": planner,
        "pilot": pilot,
        "handover": handover,
        "boiler": boiler,
        "hidden": hidden,
        "wards": wards,
    }


def check(api: Api, caller: Caller | dict[str, str], **fields: Any) -> Any:
    body = {"title": "Electronic nursing handover across two sites", "description": BRIEF}
    headers = caller.headers if isinstance(caller, Caller) else caller
    return api.client.post("/v1/due-diligence", json={**body, **fields}, headers=headers)


def test_a_brief_finds_the_relevant_lessons_with_reasons(api: Api, world: dict[str, Any]) -> None:
    response = check(api, world["planner"], phase="planning", organisation_type="nhs_trust")
    assert response.status_code == 201, response.text
    body = response.json()
    lessons = body["results"]["lessons"]
    titles = [r["lesson"]["title"] for r in lessons]
    assert set(titles[:2]) == {
        "Unfinished tasks lost at shift handover",
        "Handover sheets differed on every ward",
    }
    # Restricted to another team: never shown, not even further down.
    assert "Infusion changes lost at shift handover" not in titles
    top = next(r for r in lessons if r["lesson"]["title"].startswith("Unfinished"))
    assert "handover" in top["matched"]
    assert "phase:planning" in top["matched"] and "organisation_type:nhs_trust" in top["matched"]
    assert top["reason"].startswith("matches '") and "phase planning" in top["reason"]
    # Without the phase and organisation type, the same lesson scores less.
    plain = check(api, world["planner"]).json()["results"]["lessons"]
    unboosted = next(r for r in plain if r["lesson"]["id"] == top["lesson"]["id"])
    assert unboosted["score"] < top["score"]
    assert "phase:planning" not in unboosted["matched"]
    assets = {r["asset"]["title"]: r for r in body["results"]["assets"]}
    assert {"shift", "handover"} <= set(assets["Night shift handover retrospect"]["matched"])
    assert "Restricted handover review" not in assets
    terms = [t["term"] for t in body["terms"]]
    assert "handover" in terms and len(terms) <= 20
    assert not {"the", "and", "objectives", "scope"} & set(terms)
    assert body["description"] == BRIEF and body["phase"] == "planning"


def test_people_behind_the_top_results_say_why(api: Api, world: dict[str, Any]) -> None:
    people = check(api, world["planner"]).json()["results"]["people"]
    by_name = {(p["name"], p["role"]): p for p in people}
    author = by_name["Priya Shah", "ward manager"]
    assert author["team"] == "Wards"
    assert "wrote the retrospect 'Night shift handover retrospect'" in author["reason"]
    # The retrospect also names her as a contact in another role: listed apart, with why.
    assert "named as a contact" in by_name["Priya Shah", "discharge lead"]["reason"]
    contact = by_name["Tom Reed", "matron"]
    assert "contact on project 'Night handover pilot'" in contact["reason"]
    assert "knows handover" in contact["reason"]
    member = by_name["charge nurse, 12 years' experience", "charge nurse"]
    assert "ran the handover pilot on nights" in member["reason"]
    assert {"type": "lesson", "id": world["handover"]["lesson_ids"][0]} in author["sources"]


def test_open_actions_on_the_shown_lessons(api: Api, world: dict[str, Any]) -> None:
    nurse, lesson_id = world["nurse"], world["handover"]["lesson_ids"][0]
    for status in ("open", "done"):
        body = {
            "lesson_id": lesson_id,
            "title": f"Action {status}",
            "owner_name": "Tom Reed",
            "due_date": _day(10),
            "status": status,
            "evidence": "done" if status == "done" else None,
        }
        assert api.client.post("/v1/actions", json=body, headers=nurse.headers).status_code == 201
    actions = check(api, world["planner"]).json()["results"]["open_actions"]
    assert [(a["title"], a["lesson_id"]) for a in actions] == [("Action open", lesson_id)]


def test_proven_lessons_rank_above_equal_ones_and_hindered_below(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    same = {
        "lesson": "Print the electronic handover when the ward network is down",
        "applicability": {"topics": []},
    }
    asset = _published(
        api,
        team["id"],
        title="Ward network outages",
        lessons=[lesson(title=f"Printing the handover {n}", **same) for n in ("A", "B", "C")],
    )
    plain, proven, hindered = asset["lesson_ids"]
    project = make_project(api, author)
    for lesson_id, outcome in ((proven, "helped"), (hindered, "hindered")):
        response = api.client.post(
            "/v1/applications",
            json={
                "lesson_id": lesson_id,
                "project_id": project["id"],
                "decision": "apply",
                "outcome": outcome,
            },
            headers=author.headers,
        )
        assert response.status_code == 201, response.text
    index_now(api)
    lessons = check(api, author).json()["results"]["lessons"]
    order = [r["lesson"]["id"] for r in lessons]
    assert order.index(proven) < order.index(plain) < order.index(hindered)
    reason = next(r["reason"] for r in lessons if r["lesson"]["id"] == proven)
    assert "applied once, helped" in reason


def test_the_check_is_stored_and_listed_per_project(api: Api, world: dict[str, Any]) -> None:
    nurse = world["nurse"]
    project = make_project(api, nurse, name="E-handover", topics=["shift handover"])
    made = check(api, nurse, project_id=project["id"])
    assert made.status_code == 201, made.text
    created = made.json()
    assert created["topics"] == ["shift handover"] and created["team_id"] == world["wards"]["id"]
    stored = api.client.get(f"/v1/due-diligence/{created['id']}", headers=nurse.headers)
    assert stored.status_code == 200
    assert stored.json() == created
    listed = api.client.get(
        f"/v1/due-diligence?project_id={project['id']}", headers=nurse.headers
    ).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == created["id"]
    other = api.client.get(
        f"/v1/due-diligence?project_id={world['pilot']['id']}", headers=nurse.headers
    )
    assert other.json()["total"] == 0


def test_a_stored_check_hides_what_the_reader_may_not_see(api: Api, world: dict[str, Any]) -> None:
    secret_member = api.make_user("contributor", world["hidden"]["team_ids"] or [])
    # The hidden asset's own team sees its lesson; a project everyone can see links the check.
    owner_team = world["hidden"]["owning_team_id"]
    insider = api.make_user("contributor", [owner_team])
    project = make_project(api, insider, name="Shared handover project")
    made = check(api, insider, project_id=project["id"]).json()
    titles = [r["lesson"]["title"] for r in made["results"]["lessons"]]
    assert "Infusion changes lost at shift handover" in titles
    outsider = world["planner"]
    seen = api.client.get(f"/v1/due-diligence/{made['id']}", headers=outsider.headers).json()
    assert "Infusion changes lost at shift handover" not in [
        r["lesson"]["title"] for r in seen["results"]["lessons"]
    ]
    assert len(seen["results"]["lessons"]) == len(titles) - 1
    del secret_member


def test_checks_of_others_are_404_unless_the_project_is_visible(
    api: Api, world: dict[str, Any]
) -> None:
    nurse, planner = world["nurse"], world["planner"]
    mine = check(api, nurse).json()
    assert (
        api.client.get(f"/v1/due-diligence/{mine['id']}", headers=planner.headers).status_code
        == 404
    )
    restricted = make_project(api, nurse, visibility="restricted")
    private = check(api, nurse, project_id=restricted["id"]).json()
    assert (
        api.client.get(f"/v1/due-diligence/{private['id']}", headers=planner.headers).status_code
        == 404
    )
    assert api.client.get("/v1/due-diligence", headers=planner.headers).json()["total"] == 0
    assert api.client.get("/v1/due-diligence", headers=nurse.headers).json()["total"] == 2


def test_decisions_become_applications_and_reposting_updates(
    api: Api, world: dict[str, Any]
) -> None:
    nurse = world["nurse"]
    project = make_project(api, nurse, name="E-handover")
    made = check(api, nurse, project_id=project["id"]).json()
    first, second = (r["lesson"]["id"] for r in made["results"]["lessons"][:2])
    url = f"/v1/due-diligence/{made['id']}/decisions"
    decisions = [
        {"lesson_id": first, "decision": "apply", "note": "Structured handover from day one"},
        {"lesson_id": second, "decision": "not_applicable", "note": "One site only"},
    ]
    recorded = api.client.post(url, json=decisions, headers=nurse.headers)
    assert recorded.status_code == 200, recorded.text
    items = recorded.json()["items"]
    assert [(a["lesson_id"], a["decision"]) for a in items] == [
        (first, "apply"),
        (second, "not_applicable"),
    ]
    assert all(a["due_diligence_id"] == made["id"] for a in items)
    assert all(a["project_id"] == project["id"] for a in items)
    again = api.client.post(url, json=decisions, headers=nurse.headers).json()["items"]
    assert [a["id"] for a in again] == [a["id"] for a in items]
    assert [a["version"] for a in again] == [1, 1]
    changed = api.client.post(
        url,
        json=[{"lesson_id": second, "decision": "adapt", "note": "Adapt it"}],
        headers=nurse.headers,
    ).json()["items"][0]
    assert changed["id"] == items[1]["id"] and changed["version"] == 2
    listed = api.client.get(f"/v1/applications?project_id={project['id']}", headers=nurse.headers)
    assert listed.json()["total"] == 2
    duplicate = api.client.post(
        "/v1/applications",
        json={
            "lesson_id": first,
            "project_id": project["id"],
            "due_diligence_id": made["id"],
            "decision": "apply",
        },
        headers=nurse.headers,
    )
    assert duplicate.status_code == 409


def test_decisions_refused_with_what_to_change(api: Api, world: dict[str, Any]) -> None:
    nurse, planner = world["nurse"], world["planner"]
    loose = check(api, nurse).json()
    first = loose["results"]["lessons"][0]["lesson"]["id"]
    no_project = api.client.post(
        f"/v1/due-diligence/{loose['id']}/decisions",
        json=[{"lesson_id": first, "decision": "apply"}],
        headers=nurse.headers,
    )
    assert no_project.status_code == 409 and "project_id" in no_project.json()["error"]["message"]
    project = make_project(api, nurse)
    made = check(api, nurse, project_id=project["id"]).json()
    url = f"/v1/due-diligence/{made['id']}/decisions"
    twice = [{"lesson_id": first, "decision": "apply"}, {"lesson_id": first, "decision": "adapt"}]
    response = api.client.post(url, json=twice, headers=nurse.headers)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body[1].lesson_id"
    hidden = world["hidden"]["lesson_ids"][0]
    response = api.client.post(
        url, json=[{"lesson_id": hidden, "decision": "apply"}], headers=nurse.headers
    )
    assert response.status_code == 422
    assert api.client.post(url, json=[], headers=nurse.headers).status_code == 422
    # The planner may see the project (internal) but it is not theirs to decide for.
    assert api.client.post(
        url, json=[{"lesson_id": first, "decision": "apply"}], headers=planner.headers
    ).status_code in (403, 404)


def test_bad_input_is_a_clear_422(api: Api, world: dict[str, Any]) -> None:
    planner = world["planner"]
    cases = [
        ({"title": "x"}, "body.description"),
        ({"title": "x", "description": "y", "phase": "someday"}, "body.phase"),
        ({"title": "x", "description": "y", "colour": "red"}, "body.colour"),
        ({"title": "", "description": "y"}, "body.title"),
    ]
    for body, field in cases:
        response = api.client.post("/v1/due-diligence", json=body, headers=planner.headers)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["details"][0]["field"] == field
    unknown = {"title": "x", "description": "y", "project_id": 999_999}
    response = api.client.post("/v1/due-diligence", json=unknown, headers=planner.headers)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    # Nothing but stop words: nothing to look for, an empty (stored) check rather than a 500.
    empty = check(api, planner, title="The", description="and the of to it is was")
    assert empty.status_code == 201 and empty.json()["results"]["lessons"] == []


def test_retried_with_the_same_key_runs_once(api: Api, world: dict[str, Any]) -> None:
    headers = {**world["nurse"].headers, "Idempotency-Key": "dd-1"}
    first = check(api, headers)
    again = check(api, headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert api.client.get("/v1/due-diligence", headers=world["nurse"].headers).json()["total"] == 1


@contextmanager
def _api_on(settings: Settings, backend: str) -> Iterator[Api]:
    app = create_app(settings.model_copy(update={"search_backend": backend}))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client)


def _find_the_handover_lesson(api: Api) -> None:
    team = api.make_team()
    planner = api.make_user("contributor", [team["id"]])
    _published(
        api,
        team["id"],
        title="Night shift handover retrospect",
        lessons=[
            lesson(
                title="Unfinished tasks lost at shift handover",
                lesson="Write unfinished and temporary changes into a structured handover",
            ),
            lesson(title="Steam pressure tests", lesson="Witness the contractor's steam tests"),
        ],
    )
    _published(
        api,
        api.make_team()["id"],
        title="Restricted handover review",
        visibility="restricted",
        lessons=[lesson(title="Infusion changes lost at shift handover")],
    )
    index_now(api)
    body = check(api, planner).json()
    titles = [r["lesson"]["title"] for r in body["results"]["lessons"]]
    assert titles[0] == "Unfinished tasks lost at shift handover"
    assert "Infusion changes lost at shift handover" not in titles
    assert "handover" in body["results"]["lessons"][0]["matched"]


def test_due_diligence_on_whoosh(settings: Settings) -> None:
    with _api_on(settings, "whoosh") as api:
        _find_the_handover_lesson(api)


def test_due_diligence_on_the_postgres_backend(settings: Settings, _postgres_template: str) -> None:
    with databases.postgres_database(_postgres_template) as url:
        pg = settings.model_copy(update={"database_url": url})
        with _api_on(pg, "postgres") as api:
            _find_the_handover_lesson(api)
