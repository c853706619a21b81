from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import lesson, make_asset, make_project, maturity_scores, starter_framework

URL = "/v1/maturity/assessments"


@pytest.fixture
def setup(api):
    team = api.make_team()
    other = api.make_team()
    return {
        "framework": starter_framework(api),
        "team": team,
        "other": other,
        "member": api.make_user("contributor", [team["id"]], specialisms=["evaluation"]),
        "reader_member": api.make_user("reader", [team["id"]]),
        "outsider": api.make_user("contributor", [other["id"]]),
        "reviewer": api.make_user("reviewer", [other["id"]]),
    }


def _body(setup, **fields) -> dict:
    return {
        "framework_id": setup["framework"]["id"],
        "team_id": setup["team"]["id"],
        "assessed_at": "2026-03-01",
        "scores": maturity_scores(setup["framework"]),
    } | fields


def _create(api, setup, caller=None, **fields) -> dict:
    headers = (caller or setup["member"]).headers
    response = api.client.post(URL, json=_body(setup, **fields), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_team_contributor_records_an_assessment_with_targets_and_actions(api, setup):
    scores = maturity_scores(
        setup["framework"],
        overrides={
            "capture_and_share.learning_before": {
                "current": 1,
                "target": 3,
                "priority": True,
                "evidence": "two of five projects",
                "actions": ["run a pre-project review for every new project"],
            }
        },
    )
    response = api.client.post(
        URL, json=_body(setup, scores=scores), headers=setup["member"].headers
    )
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == '"1"'
    body = response.json()
    assert body["assessed_at"] == "2026-03-01T00:00:00.000000Z"
    assert body["framework_key"] == "hindsight-starter"
    assert body["framework_version"] == 1
    assert body["priorities"] == ["capture_and_share.learning_before"]
    score = next(s for s in body["scores"] if s["sub_outcome_key"].endswith("learning_before"))
    assert (score["current"], score["target"], score["outcome_key"]) == (1, 3, "capture_and_share")
    assert score["actions"] == ["run a pre-project review for every new project"]
    assert len(body["outcomes"]) == 6


def test_a_score_without_target_keeps_the_current_level(api, setup):
    body = _create(api, setup, scores=maturity_scores(setup["framework"], current=2, target=None))
    assert {s["target"] for s in body["scores"]} == {2}


def test_the_assessment_keeps_its_framework_version_after_a_new_one(api, setup):
    first = _create(api, setup)
    new = api.client.post(
        "/v1/maturity/frameworks",
        json={
            k: v
            for k, v in setup["framework"].items()
            if k in {"key", "name", "source", "description", "levels", "outcomes"}
        },
        headers=api.admin_headers,
    )
    assert new.json()["version"] == 2
    again = api.client.get(f"{URL}/{first['id']}", headers=setup["member"].headers).json()
    assert (again["framework_id"], again["framework_version"]) == (setup["framework"]["id"], 1)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sub_outcome_key": "no.such.key"}, "body.scores[0].sub_outcome_key"),
        ({"current": 4}, "body.scores[0].current"),
        ({"target": 9}, "body.scores[0].target"),
        ({"current": -1}, "body.scores.0.current"),
        ({"colour": "red"}, "body.scores.0.colour"),
    ],
)
def test_bad_scores_are_422s_naming_the_field(api, setup, change, field):
    scores = maturity_scores(setup["framework"])
    scores[0] |= change
    response = api.client.post(
        URL, json=_body(setup, scores=scores), headers=setup["member"].headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert field in [d["field"] for d in response.json()["error"]["details"]]


def test_priorities_over_more_than_two_outcomes_are_stored_with_a_warning(api, setup):
    flags = {"priority": True}
    scores = maturity_scores(
        setup["framework"],
        overrides={
            k: flags for k in ("leadership.champion", "people.training", "communities.practice")
        },
    )
    response = api.client.post(
        URL, json=_body(setup, scores=scores), headers=setup["member"].headers
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert len(body["priorities"]) == 3
    (warning,) = body["warnings"]
    assert "leadership, people, communities" in warning and "one or two" in warning
    again = api.client.get(f"{URL}/{body['id']}", headers=setup["member"].headers).json()
    assert again["warnings"] == body["warnings"] and again["priorities"] == body["priorities"]
    two = maturity_scores(
        setup["framework"],
        overrides={k: flags for k in ("leadership.champion", "people.training")},
    )
    calm = api.client.post(URL, json=_body(setup, scores=two), headers=setup["member"].headers)
    assert calm.status_code == 201 and calm.json()["warnings"] == []


def test_unknown_team_or_framework_is_422(api, setup):
    for field, value in (("team_id", 9999), ("framework_id", 9999)):
        response = api.client.post(
            URL, json=_body(setup, **{field: value}), headers=api.admin_headers
        )
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == f"body.{field}"


def test_only_contributors_of_the_team_or_admins_create(api, setup):
    for caller, status in (
        (setup["outsider"], 403),
        (setup["reviewer"], 403),
        (setup["reader_member"], 403),
    ):
        response = api.client.post(URL, json=_body(setup), headers=caller.headers)
        assert response.status_code == status, caller
    response = api.client.post(URL, json=_body(setup), headers=api.admin_headers)
    assert response.status_code == 201


def test_an_assessment_is_seen_by_its_team_reviewers_and_admins_only(api, setup):
    mine = _create(api, setup)
    _create(
        api,
        setup,
        caller=api.make_user("contributor", [setup["other"]["id"]]),
        team_id=setup["other"]["id"],
    )
    get = f"{URL}/{mine['id']}"
    for caller in (setup["member"], setup["reader_member"], setup["reviewer"]):
        assert api.client.get(get, headers=caller.headers).status_code == 200
    assert api.client.get(get, headers=api.admin_headers).status_code == 200
    hidden = api.client.get(get, headers=setup["outsider"].headers)
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "not_found"

    def listed(caller_headers, **params):
        body = api.client.get(URL, params=params, headers=caller_headers).json()
        return body["total"], {item["team_id"] for item in body["items"]}

    assert listed(setup["member"].headers) == (1, {setup["team"]["id"]})
    assert listed(setup["outsider"].headers) == (1, {setup["other"]["id"]})
    assert listed(setup["outsider"].headers, team_id=setup["team"]["id"]) == (0, set())
    assert listed(setup["reviewer"].headers)[0] == 2
    assert listed(api.admin_headers)[0] == 2
    stranger = api.make_user("reader")
    assert listed(stranger.headers) == (0, set())
    for path in ("/chart.svg", "?format=csv"):
        assert api.client.get(get + path, headers=setup["outsider"].headers).status_code == 404


def test_list_is_newest_first_and_paged(api, setup):
    for day in ("2025-03-01", "2026-03-01", "2024-03-01"):
        _create(api, setup, assessed_at=day)
    body = api.client.get(URL, params={"limit": 2}, headers=setup["member"].headers).json()
    assert body["total"] == 3
    assert [i["assessed_at"][:4] for i in body["items"]] == ["2026", "2025"]


def test_patch_replaces_scores_with_if_match(api, setup):
    created = _create(api, setup)
    path = f"{URL}/{created['id']}"
    patch = {"scores": maturity_scores(setup["framework"], current=3, target=3)}
    assert api.client.patch(path, json=patch, headers=setup["member"].headers).status_code == 428
    ok = api.client.patch(path, json=patch, headers=setup["member"].headers | {"If-Match": '"1"'})
    assert ok.status_code == 200, ok.text
    assert ok.json()["mean_current"] == 3
    assert ok.headers["ETag"] == '"2"'
    stale = api.client.patch(
        path, json={"notes": "x"}, headers=setup["member"].headers | {"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    refused = api.client.patch(
        path, json={"notes": "x"}, headers=setup["outsider"].headers | {"If-Match": '"2"'}
    )
    assert refused.status_code == 404


def test_live_evidence_sits_beside_the_scores_with_its_period(api, setup):
    api.make_user("reviewer", [setup["team"]["id"]])
    _create(api, setup, assessed_at="2025-06-01")
    latest = _create(api, setup, assessed_at="2026-03-01")
    body = api.client.get(f"{URL}/{latest['id']}", headers=setup["member"].headers).json()
    by_key = {s["sub_outcome_key"]: s["live_evidence"] for s in body["scores"]}

    reviews = by_key["leadership.plan_and_review"][0]
    assert (reviews["key"], reviews["available"], reviews["value"]) == (
        "maturity_assessments_last_year",
        True,
        2,
    )
    assert reviews["period_from"].startswith("2025-03-01")  # its own period: a year
    assert reviews["period_to"].startswith("2026-03-01")

    curators = by_key["people.facilitators"][0]
    assert (curators["value"], curators["period_from"]) == (1, None)
    assert "1 of 3 active members" in curators["note"]
    specialisms = by_key["communities.finding_people"][0]
    assert specialisms["value"] == pytest.approx(33.3)

    coverage = by_key["capture_and_share.learning_before"][0]
    assert coverage["key"] == "due_diligence_coverage"
    assert coverage["period_from"].startswith("2025-06-01")  # since the previous assessment
    assert (coverage["available"], coverage["value"]) == (True, 0.0)
    assert coverage["note"] == "the team has no projects yet"
    assert by_key["people.training"] == []


def test_capture_figures_count_the_teams_reviews_case_studies_and_barriers(api, setup):
    member, team_id = setup["member"], setup["team"]["id"]
    curator = api.make_user("reviewer", [team_id])
    project = make_project(api, member)
    lessons = [lesson(), lesson(title="Daily huddle", polarity="success_factor")]
    make_asset(api, member, project_id=project["id"], lessons=lessons)
    make_asset(api, member, project_id=project["id"], lessons=[lesson(title="Late kit")])
    make_asset(
        api,
        curator,
        kind="case_study",
        status="published",
        details={"challenge": "c", "approach": "a", "outcome": "o", "impact": "i"},
    )
    # Another team's work never counts towards this team's figures.
    make_asset(api, setup["outsider"], lessons=[lesson()])

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    created = _create(api, setup, assessed_at=tomorrow)
    body = api.client.get(f"{URL}/{created['id']}", headers=member.headers).json()
    shown = {f["key"]: f for s in body["scores"] for f in s["live_evidence"]}

    assert (shown["reviews_per_project"]["available"], shown["reviews_per_project"]["value"]) == (
        True,
        2.0,
    )
    assert shown["case_studies_published"]["value"] == 1
    assert shown["barrier_lessons_share"]["value"] == pytest.approx(66.7)
    assert "2 of 3 lessons" in shown["barrier_lessons_share"]["note"]


def test_loop_figures_count_checks_lifecycle_actions_and_applications(api, setup):
    member, team_id = setup["member"], setup["team"]["id"]
    outsider = setup["outsider"]
    checked, unchecked = make_project(api, member), make_project(api, member)
    elsewhere = make_project(api, outsider)
    cause = {"description": "No shared form", "category": "process"}
    # Published, so that the other team's project may apply the lesson.
    shown_to_all = {"status": "published", "owning_team_id": team_id}
    first, second = (
        make_asset(
            api,
            api.admin_headers,
            project_id=project["id"],
            lessons=[lesson(root_cause=cause)],
            **shown_to_all,
        )
        for project in (checked, unchecked)
    )
    mine = first["lesson_ids"][0]
    brief = {"title": "Referral forms", "description": "One referral form across sites"}
    response = api.client.post(
        "/v1/due-diligence", json={**brief, "project_id": checked["id"]}, headers=member.headers
    )
    assert response.status_code == 201, response.text
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    action = {"lesson_id": mine, "title": "Agree the form", "owner_name": "Sam"}
    for due, status in ((yesterday, "open"), (yesterday, "done")):
        body = {**action, "due_date": due, "status": status, "evidence": "agreed"}
        assert api.client.post("/v1/actions", json=body, headers=member.headers).status_code == 201
    move = api.client.post(
        f"/v1/lessons/{mine}/transitions",
        json={"to": "not_actioned", "reason": "superseded"},
        headers=member.headers | {"If-Match": '"1"'},
    )
    assert move.status_code == 200, move.text
    for project, caller, outcome in (
        (unchecked, member, "helped"),
        (elsewhere, outsider, "hindered"),
    ):
        body = {
            "lesson_id": mine,
            "project_id": project["id"],
            "decision": "apply",
            "outcome": outcome,
        }
        response = api.client.post("/v1/applications", json=body, headers=caller.headers)
        assert response.status_code == 201, response.text
    assert second["lesson_ids"]

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    created = _create(api, setup, assessed_at=tomorrow)
    body = api.client.get(f"{URL}/{created['id']}", headers=member.headers).json()
    shown = {f["key"]: f for s in body["scores"] for f in s["live_evidence"]}
    assert all(figure["available"] for figure in shown.values())
    assert shown["due_diligence_coverage"]["value"] == 50.0
    assert "1 of 2 projects" in shown["due_diligence_coverage"]["note"]
    assert shown["lessons_applied_by_projects"]["value"] == 1
    assert shown["lessons_reused_elsewhere"]["value"] == 1
    assert shown["lessons_actioned_share"]["value"] == 0.0
    assert shown["lessons_learned_share"]["value"] == 0.0
    assert shown["overdue_actions"]["value"] == 1
    assert shown["overdue_actions"]["period_from"] is None  # today's count
    assert shown["applications_helped_share"]["value"] == 100.0
    assert shown["recurring_root_causes"]["value"] == 1
    assert "process (2 projects)" in shown["recurring_root_causes"]["note"]


def test_evidence_read_by_another_teams_reviewer_counts_only_what_they_may_see(api, setup):
    """L2: the team's restricted projects and assets, and their lessons, stay out of the
    figures another team's reviewer reads; the team itself still counts them."""
    member, team_id = setup["member"], setup["team"]["id"]
    published = {"status": "published", "owning_team_id": team_id}
    for visibility in ("restricted", "internal"):
        project = make_project(api, member, visibility=visibility)
        make_asset(api, api.admin_headers, project_id=project["id"], lessons=[lesson()],
                   visibility=visibility, **published)  # fmt: skip
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    created = _create(api, setup, assessed_at=tomorrow)

    def figures(caller) -> dict:
        body = api.client.get(f"{URL}/{created['id']}", headers=caller.headers).json()
        return {f["key"]: f for s in body["scores"] for f in s["live_evidence"]}

    own, other = figures(member), figures(setup["reviewer"])
    assert own["reviews_per_project"]["value"] == 1.0  # 2 reviews over 2 projects
    assert "2 retrospects" in own["reviews_per_project"]["note"]
    assert "over 2 projects" in own["reviews_per_project"]["note"]
    assert "1 retrospects" in other["reviews_per_project"]["note"]
    assert "over 1 projects" in other["reviews_per_project"]["note"]
    assert "2 lessons" in own["barrier_lessons_share"]["note"]
    assert "1 of 1 lessons" in other["barrier_lessons_share"]["note"]
    assert "of 2 projects" in own["due_diligence_coverage"]["note"]
    assert "of 1 projects" in other["due_diligence_coverage"]["note"]
