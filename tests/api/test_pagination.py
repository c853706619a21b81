from tests.factories import Api


def test_limit_over_100_is_422_not_a_silent_cap(api: Api) -> None:
    response = api.client.get("/v1/teams?limit=101", headers=api.admin_headers)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "query.limit"


def test_negative_offset_and_zero_limit_are_422(api: Api) -> None:
    assert api.client.get("/v1/teams?offset=-1", headers=api.admin_headers).status_code == 422
    assert api.client.get("/v1/teams?limit=0", headers=api.admin_headers).status_code == 422
    assert api.client.get("/v1/teams?limit=abc", headers=api.admin_headers).status_code == 422


def test_pages_are_stable_and_cover_every_item_once(api: Api) -> None:
    for name in ["Beta", "Alpha", "Gamma", "Delta", "Alpha 2"]:
        api.make_team(name)
    seen = []
    for offset in range(0, 6, 2):
        page = api.client.get(f"/v1/teams?limit=2&offset={offset}", headers=api.admin_headers)
        body = page.json()
        assert body["total"] == 5 and body["limit"] == 2 and body["offset"] == offset
        seen += [team["name"] for team in body["items"]]
    assert seen == ["Alpha", "Alpha 2", "Beta", "Delta", "Gamma"]


def test_default_page_is_20(api: Api) -> None:
    body = api.client.get("/v1/teams", headers=api.admin_headers).json()
    assert body == {"items": [], "total": 0, "limit": 20, "offset": 0}
