"""Lessons on their own: add to an asset, read, filter, change with If-Match, history."""

from tests.factories import Api, if_match, lesson, make_asset, make_project


def test_lesson_is_added_to_an_existing_asset(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    asset = make_asset(api, author)
    response = api.client.post(
        "/v1/lessons", json=lesson(asset_id=asset["id"]), headers=author.headers
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["asset_id"] == asset["id"] and response.headers["ETag"] == '"1"'
    assert created["applicability"]["topics"] == ["referrals"]
    again = api.client.get(f"/v1/assets/{asset['id']}", headers=author.headers).json()
    assert again["lesson_ids"] == [created["id"]]


def test_lesson_needs_a_visible_asset(api: Api) -> None:
    mine, other = api.make_team(), api.make_team()
    author = api.make_user("contributor", [mine["id"]])
    stranger = api.make_user("contributor", [other["id"]])
    asset = make_asset(api, author)
    missing = api.client.post(
        "/v1/lessons", json=lesson(asset_id=2**31 - 1), headers=author.headers
    )
    assert missing.status_code == 422
    assert missing.json()["error"]["details"][0]["field"] == "body.asset_id"
    hidden = api.client.post(
        "/v1/lessons", json=lesson(asset_id=asset["id"]), headers=stranger.headers
    )
    assert hidden.status_code == 422
    assert hidden.json()["error"]["details"][0]["field"] == "body.asset_id"


def test_contributor_of_another_team_cannot_add_to_a_public_asset(api: Api) -> None:
    mine, other = api.make_team(), api.make_team()
    stranger = api.make_user("contributor", [other["id"]])
    asset = make_asset(api, api.admin_headers, owning_team_id=mine["id"], status="published")
    response = api.client.post(
        "/v1/lessons", json=lesson(asset_id=asset["id"]), headers=stranger.headers
    )
    assert response.status_code == 403


def test_patch_lesson_with_if_match_keeps_history(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    asset = make_asset(api, author, lessons=[lesson()])
    url = f"/v1/lessons/{asset['lesson_ids'][0]}"
    assert api.client.patch(url, json={"impact": "low"}, headers=author.headers).status_code == 428
    assert (
        api.client.patch(url, json={"impact": "low"}, headers=if_match(author, 3)).status_code
        == 412
    )
    changed = api.client.patch(
        url,
        json={
            "impact": "low",
            "root_cause": {"description": "Two forms", "category": "technology"},
        },
        headers=if_match(author, 1),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["root_cause"]["category"] == "technology"
    versions = api.client.get(f"{url}/versions", headers=author.headers).json()
    assert versions["items"][0]["changed_fields"] == ["root_cause", "impact"]
    assert versions["items"][0]["snapshot"]["impact"] == "high"


def test_patch_cannot_drop_the_root_cause_of_a_chain_of_whys(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    asset = make_asset(api, author, lessons=[lesson()])
    url = f"/v1/lessons/{asset['lesson_ids'][0]}"
    response = api.client.patch(url, json={"root_cause": None}, headers=if_match(author, 1))
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body.root_cause"
    cleared = api.client.patch(
        url, json={"root_cause": None, "five_whys": []}, headers=if_match(author, 1)
    )
    assert cleared.status_code == 200 and cleared.json()["root_cause"] is None
    too_many = [{"question": "q", "answer": "a"}] * 8
    assert (
        api.client.patch(url, json={"five_whys": too_many}, headers=if_match(author, 2)).status_code
        == 422
    )


def test_list_filters(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    project = make_project(api, author)
    make_asset(
        api,
        author,
        project_id=project["id"],
        lessons=[
            lesson(tags=["Forms"]),
            lesson(
                title="Huddles",
                polarity="success_factor",
                impact="medium",
                five_whys=[],
                root_cause=None,
                applicability={"topics": ["Teamwork"]},
            ),
        ],
    )
    make_asset(api, author, lessons=[lesson(root_cause={"description": "d", "category": "people"})])

    def total(query: str) -> int:
        response = api.client.get(f"/v1/lessons?{query}", headers=author.headers)
        assert response.status_code == 200, response.text
        return response.json()["total"]

    assert total("") == 3
    assert total("polarity=success_factor") == 1
    assert total("impact=high") == 2
    assert total("root_cause_category=process") == 1
    assert total("root_cause_category=people") == 1
    assert total("status=identified") == 3
    assert total(f"project_id={project['id']}") == 2
    assert total("tag=forms") == 1
    assert total("topic=TEAMWORK") == 1
    assert api.client.get("/v1/lessons?polarity=maybe", headers=author.headers).status_code == 422
