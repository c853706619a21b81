"""The knowledge manager's dashboard: the learning metrics for a team and a period, charts
drawn on the server as SVG with a text alternative, and the same figures as CSV."""

import csv
import io

from fastapi.testclient import TestClient

from tests.factories import Api, lesson, retrospect
from tests.pages import make_person, signed_in
from tests.search_helpers import index_now

RESTRICTED = "Kept within the ward team"


def _site(api: Api) -> tuple[TestClient, dict, dict]:
    team = api.make_team()
    other = api.make_team()
    for body in (
        retrospect(owning_team_id=team["id"], lessons=[lesson(), lesson(title="Second")]),
        retrospect(
            owning_team_id=other["id"],
            visibility="restricted",
            lessons=[lesson(title=RESTRICTED)],
        ),
    ):
        created = api.client.post("/v1/assets", json=body, headers=api.admin_headers)
        assert created.status_code == 201, created.text
    person = make_person(api, "reader", [team["id"]])
    for query in ("zebra crossings", "=HYPERLINK(1)"):
        api.client.get("/v1/search", params={"q": query}, headers=person.caller.headers)
    # The search log is written in batches; write it now rather than race its writer.
    index_now(api)
    return signed_in(api.client, person), team, other


def test_dashboard_shows_the_metrics_with_svg_charts_and_their_text(api: Api) -> None:
    client, team, _ = _site(api)
    page = client.get(f"/dashboard?team_id={team['id']}")
    assert page.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page.text
    assert 'role="img"' in page.text and "<desc" in page.text
    assert "Identified: 2" in page.text  # the chart's text alternative
    assert '<span class="figure__value">2</span><span class="figure__label">lessons' in page.text
    assert "<td>zebra crossings</td>" in page.text  # a search that found nothing


def test_the_restricted_lesson_of_another_team_is_not_counted(api: Api) -> None:
    client, _, other = _site(api)
    page = client.get(f"/dashboard?team_id={other['id']}")
    assert '<span class="figure__value">0</span><span class="figure__label">lessons' in page.text


def test_bad_dates_get_messages_beside_their_fields(api: Api) -> None:
    client, _, _ = _site(api)
    page = client.get("/dashboard?start=2026-13-01&end=")
    assert page.status_code == 422 and 'id="start-error"' in page.text
    backwards = client.get("/dashboard?start=2026-03-01&end=2026-01-01")
    assert backwards.status_code == 422 and 'id="end-error"' in backwards.text


def test_csv_download_has_the_same_figures(api: Api) -> None:
    client, team, _ = _site(api)
    response = client.get(f"/dashboard.csv?team_id={team['id']}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["section", "measure", "value"]
    assert ["Lessons", "total", "2"] in rows and ["Lessons", "identified", "2"] in rows
    # What anyone typed into search stays text in a spreadsheet, never a formula.
    assert ["Searches that found nothing", "'=hyperlink(1)", "1"] in rows
