import csv
import io
import xml.etree.ElementTree as ET

import pytest

from tests.factories import maturity_scores, starter_framework

NS = {"svg": "http://www.w3.org/2000/svg"}


@pytest.fixture
def team_with_two_assessments(api):
    team = api.make_team()
    member = api.make_user("contributor", [team["id"]])
    framework = starter_framework(api)

    def create(day: str, scores: list[dict]) -> dict:
        response = api.client.post(
            "/v1/maturity/assessments",
            json={
                "framework_id": framework["id"],
                "team_id": team["id"],
                "assessed_at": day,
                "scores": scores,
            },
            headers=member.headers,
        )
        assert response.status_code == 201, response.text
        return response.json()

    first = create("2025-03-01", maturity_scores(framework, current=1, target=2))
    second = create(
        "2026-03-01",
        maturity_scores(
            framework,
            current=2,
            target=3,
            overrides={
                "leadership.champion": {
                    "current": 3,
                    "target": 3,
                    "priority": True,
                    "evidence": '=HYPERLINK("x")',
                    "actions": ["brief the board", "name deputies"],
                }
            },
        ),
    )
    return {"team": team, "member": member, "first": first, "second": second}


def test_progress_shows_means_by_date_and_the_change(api, team_with_two_assessments):
    data = team_with_two_assessments
    response = api.client.get(
        f"/v1/maturity/teams/{data['team']['id']}/progress", headers=data["member"].headers
    )
    assert response.status_code == 200
    body = response.json()
    assert body["framework_key"] == "hindsight-starter"
    assert [p["assessment_id"] for p in body["overall"]] == [
        data["first"]["id"],
        data["second"]["id"],
    ]
    assert body["overall"][0]["change_current"] is None
    leadership = body["outcomes"][0]
    assert leadership["outcome_key"] == "leadership"
    first, second = leadership["points"]
    assert (first["mean_current"], first["mean_target"]) == (1, 2)
    assert second["mean_current"] == pytest.approx((3 + 2 + 2) / 3, abs=1e-3)
    assert second["change_current"] == pytest.approx(7 / 3 - 1, abs=1e-3)
    assert body["outcomes"][1]["points"][1]["change_current"] == 1


def test_progress_is_404_for_callers_outside_the_team(api, team_with_two_assessments):
    path = f"/v1/maturity/teams/{team_with_two_assessments['team']['id']}/progress"
    outsider = api.make_user("contributor", [api.make_team()["id"]])
    assert api.client.get(path, headers=outsider.headers).status_code == 404
    assert api.client.get(path, headers=api.make_user("reviewer").headers).status_code == 200
    assert (
        api.client.get("/v1/maturity/teams/9999/progress", headers=api.admin_headers).status_code
        == 404
    )


def test_progress_of_a_team_without_assessments_is_empty(api):
    team = api.make_team()
    body = api.client.get(
        f"/v1/maturity/teams/{team['id']}/progress", headers=api.admin_headers
    ).json()
    assert body == {"team_id": team["id"], "framework_key": None, "overall": [], "outcomes": []}


def test_chart_is_svg_with_the_assessment_means(api, team_with_two_assessments):
    data = team_with_two_assessments
    response = api.client.get(
        f"/v1/maturity/assessments/{data['second']['id']}/chart.svg",
        headers=data["member"].headers,
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(response.text)
    plot_height = float(root.get("data-plot-height"))
    means = {o["outcome_key"]: o for o in data["second"]["outcomes"]}
    groups = root.findall("svg:g[@class='outcome']", NS)
    assert [g.get("data-outcome") for g in groups] == list(means)
    for group in groups:
        mean = means[group.get("data-outcome")]
        for rect in group.findall("svg:rect", NS):
            expected = mean[f"mean_{rect.get('data-series')}"]
            assert float(rect.get("data-value")) == pytest.approx(expected, abs=1e-3)
            assert float(rect.get("height")) == pytest.approx(expected / 3 * plot_height, abs=0.01)
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any(t and t.startswith("\u2605 Leaders") for t in labels)  # the priority outcome


def test_one_assessment_exports_as_csv(api, team_with_two_assessments):
    data = team_with_two_assessments
    response = api.client.get(
        f"/v1/maturity/assessments/{data['second']['id']}",
        params={"format": "csv"},
        headers=data["member"].headers,
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 18
    champion = rows[0]
    assert (champion["sub_outcome_key"], champion["current"], champion["priority"]) == (
        "leadership.champion",
        "3",
        "yes",
    )
    assert champion["actions"] == "brief the board | name deputies"
    assert champion["evidence"] == '\'=HYPERLINK("x")'  # not run as a formula


def test_a_team_exports_every_assessment_oldest_first(api, team_with_two_assessments):
    data = team_with_two_assessments
    path = f"/v1/maturity/teams/{data['team']['id']}/assessments.csv"
    response = api.client.get(path, headers=data["member"].headers)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 36
    assert rows[0]["assessed_at"] == "2025-03-01T00:00:00Z"
    assert rows[-1]["assessment_id"] == str(data["second"]["id"])
    outsider = api.make_user("contributor", [api.make_team()["id"]])
    assert api.client.get(path, headers=outsider.headers).status_code == 404


def test_unknown_format_is_422(api, team_with_two_assessments):
    data = team_with_two_assessments
    response = api.client.get(
        f"/v1/maturity/assessments/{data['first']['id']}",
        params={"format": "xlsx"},
        headers=data["member"].headers,
    )
    assert response.status_code == 422
