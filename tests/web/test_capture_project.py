"""A project recorded from the browser with its team context, a person at a time."""

import re

from tests.factories import Api
from tests.pages import csrf_of, make_person, signed_in

PATH = "/capture/project"


def test_a_project_with_its_team_context(api: Api) -> None:
    team = api.make_team()
    client = signed_in(api.client, make_person(api, "contributor", [team["id"]]))
    token = csrf_of(client.get(PATH).text)
    first = {
        "team_context-0-role": "discharge coordinator",
        "team_context-0-years_experience": "8",
        "team_context-0-specialisms": "social care, frailty",
        "team_context-0-note": "Supportive leadership meant clearing blocked referrals daily",
    }
    grown = client.post(
        PATH, data={"csrf_token": token, "name": "Discharge", "intent": "add_person", **first}
    )
    assert 'id="team_context-1-role"' in grown.text and "autofocus" in grown.text
    assert 'value="discharge coordinator"' in grown.text
    bad = client.post(
        PATH,
        data={
            "csrf_token": token,
            "name": "",
            "person_count": "2",
            **first,
            "team_context-1-role": "ward manager",
            "team_context-1-years_experience": "lots",
        },
    )
    assert bad.status_code == 422
    assert (
        'id="name-error"' in bad.text and 'id="team_context-1-years_experience-error"' in bad.text
    )
    assert "Person 2: Enter their years of experience as a whole number" in bad.text
    saved = client.post(
        PATH,
        data={
            "csrf_token": token,
            "name": "Discharge to assess",
            "person_count": "2",
            "topics": "hospital discharge",
            **first,
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    project_id = re.search(r"/projects/(\d+)", saved.headers["location"]).group(1)
    read = api.client.get(f"/v1/projects/{project_id}", headers=api.admin_headers).json()
    assert read["owning_team_id"] == team["id"]
    assert read["team_context"] == [
        {
            "role": "discharge coordinator",
            "years_experience": 8,
            "specialisms": ["social care", "frailty"],
            "training": [],
            "note": "Supportive leadership meant clearing blocked referrals daily",
        }
    ]
