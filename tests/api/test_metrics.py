"""Learning metrics: each figure on a known scenario, counted only over what the caller may
see, narrowed by team and by window."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.factories import Api, Caller, if_match, lesson, make_asset, make_project
from tests.search_helpers import index_now


def _day(offset: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


def _lesson(category: str, title: str) -> dict[str, Any]:
    return lesson(
        title=title, root_cause={"description": f"{category} cause", "category": category}
    )


def _action(api: Api, caller: Caller, lesson_id: int, **fields: Any) -> dict[str, Any]:
    body = {"lesson_id": lesson_id, "title": "Fix it", "owner_name": "Sam", "due_date": _day(5)}
    response = api.client.post("/v1/actions", json={**body, **fields}, headers=caller.headers)
    assert response.status_code == 201, response.text
    return response.json()


def _move(api: Api, caller: Caller, lesson_id: int, version: int, **body: Any) -> None:
    response = api.client.post(
        f"/v1/lessons/{lesson_id}/transitions", json=body, headers=if_match(caller, version)
    )
    assert response.status_code == 200, response.text


def _apply(api: Api, caller: Caller | dict[str, str], **body: Any) -> None:
    headers = caller.headers if isinstance(caller, Caller) else caller
    response = api.client.post("/v1/applications", json=body, headers=headers)
    assert response.status_code == 201, response.text


@pytest.fixture
def scenario(api: Api) -> dict[str, Any]:
    wards, estates = api.make_team("Wards"), api.make_team("Estates")
    nurse = api.make_user("contributor", [wards["id"]])
    engineer = api.make_user("contributor", [estates["id"]])
    p1, p2 = make_project(api, nurse), make_project(api, nurse)
    p3 = make_project(api, engineer, visibility="restricted")

    def published(team: dict[str, Any], project: dict[str, Any], *lessons: Any, **kw: Any):
        return make_asset(
            api,
            api.admin_headers,
            status="published",
            owning_team_id=team["id"],
            project_id=project["id"],
            lessons=list(lessons),
            **kw,
        )["lesson_ids"]

    l1, l2 = published(wards, p1, _lesson("process", "L1"), _lesson("process", "L2"))
    l3, _l4 = published(wards, p2, _lesson("process", "L3"), _lesson("people", "L4"))
    published(
        estates,
        p3,
        _lesson("process", "L5"),
        _lesson("people", "L6"),
        visibility="restricted",
    )
    # L1 learned; L2 set aside; L3 planned with an overdue action; L4 identified.
    done = _action(api, nurse, l1)
    _move(api, nurse, l1, 1, to="action_planned")
    api.client.patch(
        f"/v1/actions/{done['id']}",
        json={"status": "done", "evidence": "Form in use"},
        headers=if_match(nurse, 1),
    )
    _move(api, nurse, l1, 2, to="actioned")
    _move(api, nurse, l1, 3, to="learned", evidence_of_change="Policy section 4 changed")
    _move(api, nurse, l2, 1, to="not_actioned", reason="Service closed")
    _action(api, nurse, l3, due_date=_day(-2))
    _move(api, nurse, l3, 1, to="action_planned")
    _apply(api, nurse, lesson_id=l1, project_id=p2["id"], decision="apply", outcome="helped")
    _apply(api, engineer, lesson_id=l1, project_id=p3["id"], decision="adapt", outcome="hindered")
    index_now(api)
    for caller, q in ((nurse, "zzz nothing"), (nurse, "ZZZ nothing "), (nurse, "referral")):
        assert (
            api.client.get("/v1/search", params={"q": q}, headers=caller.headers).status_code == 200
        )
    api.client.get("/v1/search", params={"q": "secret gap"}, headers=engineer.headers)
    dd = api.client.post(
        "/v1/due-diligence",
        json={
            "title": "Referral forms",
            "description": "A shared referral form",
            "project_id": p1["id"],
        },
        headers=nurse.headers,
    )
    assert dd.status_code == 201, dd.text
    index_now(api)
    return {"nurse": nurse, "engineer": engineer, "wards": wards, "estates": estates}


def metrics(api: Api, caller: Caller | dict[str, str], **params: Any) -> dict[str, Any]:
    headers = caller.headers if isinstance(caller, Caller) else caller
    response = api.client.get("/v1/metrics/learning", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_team_member_sees_figures_of_what_they_may_see(
    api: Api, scenario: dict[str, Any]
) -> None:
    body = metrics(api, scenario["nurse"])
    lessons = body["lessons"]
    assert lessons["total"] == 4
    assert lessons["by_status"] == {
        "identified": 1,
        "action_planned": 1,
        "actioned": 0,
        "learned": 1,
        "not_actioned": 1,
    }
    assert lessons["actioned_share"] == 0.25 and lessons["learned_share"] == 0.25
    assert lessons["median_days_to_learned"] == 0.0
    assert body["actions"] == {"open": 1, "overdue": 1}
    # The adaptation by the engineers' restricted project is not theirs to see.
    assert body["applications"]["total"] == 1
    assert body["applications"]["by_decision"]["apply"] == 1
    assert body["applications"]["by_outcome"] == {
        "pending": 0,
        "helped": 1,
        "no_effect": 0,
        "hindered": 0,
    }
    assert body["reuse_rate"] == 0.25
    assert body["recurring_root_causes"] == [{"category": "process", "lessons": 3, "projects": 2}]
    searches = body["searches"]
    assert searches["total"] == 3 and searches["zero_results"] == 2
    assert searches["top_zero_result_queries"] == [{"query": "zzz nothing", "count": 2}]
    assert searches["due_diligence_checks"] == 1
    assert body["projects"] == {"total": 2, "with_due_diligence": 1, "without_due_diligence": 1}
    assert body["from"] is None and body["to"] is None and body["team_id"] is None


def test_an_admin_sees_everything(api: Api, scenario: dict[str, Any]) -> None:
    body = metrics(api, api.admin_headers)
    assert body["lessons"]["total"] == 6
    assert body["applications"]["total"] == 2
    assert body["applications"]["by_outcome"]["hindered"] == 1
    assert body["recurring_root_causes"] == [
        {"category": "process", "lessons": 4, "projects": 3},
        {"category": "people", "lessons": 2, "projects": 2},
    ]
    assert body["searches"]["total"] == 4
    assert body["searches"]["top_zero_result_queries"] == [
        {"query": "zzz nothing", "count": 2},
        {"query": "secret gap", "count": 1},
    ]
    assert body["projects"]["total"] == 3


def test_team_and_window_narrow_the_counts(api: Api, scenario: dict[str, Any]) -> None:
    estates = scenario["estates"]["id"]
    team = metrics(api, api.admin_headers, team_id=estates)
    assert team["team_id"] == estates and team["lessons"]["total"] == 2
    assert team["lessons"]["by_status"]["identified"] == 2
    assert team["actions"] == {"open": 0, "overdue": 0}
    assert team["applications"]["total"] == 1  # the engineers' project's adaptation
    assert team["searches"]["total"] == 1
    assert team["projects"] == {"total": 1, "with_due_diligence": 0, "without_due_diligence": 1}
    # The nurse asking about the engineers' team sees none of their restricted lessons.
    assert metrics(api, scenario["nurse"], team_id=estates)["lessons"]["total"] == 0

    later = metrics(api, api.admin_headers, **{"from": _day(1)})
    assert later["lessons"]["total"] == 0 and later["lessons"]["actioned_share"] is None
    assert later["reuse_rate"] is None and later["searches"]["total"] == 0
    today = metrics(api, api.admin_headers, **{"from": _day(0), "to": _day(0)})
    assert today["lessons"]["total"] == 6 and today["from"] == _day(0)


def test_asking_for_another_team_shows_none_of_its_searches(
    api: Api, scenario: dict[str, Any]
) -> None:
    """L1: the team asked for narrows the caller's own teams; it never replaces them."""
    asked = metrics(api, scenario["nurse"], team_id=scenario["estates"]["id"])
    assert asked["searches"] == {
        "total": 0,
        "zero_results": 0,
        "due_diligence_checks": 0,
        "top_zero_result_queries": [],
    }
    own = metrics(api, scenario["nurse"], team_id=scenario["wards"]["id"])
    assert own["searches"]["total"] == 3 and own["searches"]["due_diligence_checks"] == 1


def test_bad_parameters_are_422(api: Api, scenario: dict[str, Any]) -> None:
    nurse = scenario["nurse"]
    for params, field in (
        ({"team_id": 999_999}, "team_id"),
        ({"from": "yesterday"}, "from"),
        ({"from": _day(1), "to": _day(0)}, "to"),
    ):
        response = api.client.get("/v1/metrics/learning", params=params, headers=nurse.headers)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["error"]["details"][0]["field"].endswith(field)
    assert api.client.get("/v1/metrics/learning").status_code == 401
