"""Points of the amended contract (API.md "Conventions", "Due diligence", "Maturity")."""

from tests.factories import Api, lesson, make_project


def test_weak_etag_never_matches_if_match(api: Api) -> None:
    team = api.make_team()
    owner = api.make_user("contributor", [team["id"]])
    project = make_project(api, owner)
    url = f"/v1/projects/{project['id']}"
    weak = {**owner.headers, "If-Match": f'W/"{project["version"]}"'}
    response = api.client.patch(url, json={"name": "renamed"}, headers=weak)
    assert response.status_code == 412, response.text
    assert response.json()["error"]["code"] == "version_mismatch"
    assert "weak" in response.json()["error"]["message"]
    unchanged = api.client.get(url, headers=owner.headers).json()
    assert unchanged["name"] == project["name"] and unchanged["version"] == project["version"]


def test_a_reader_runs_a_due_diligence_check_but_cannot_record_decisions(api: Api) -> None:
    team = api.make_team()
    author = api.make_user("contributor", [team["id"]])
    made = api.client.post(
        "/v1/lessons",
        json=lesson(title="Referral forms re-keyed between systems"),
        headers=author.headers,
    )
    assert made.status_code == 201, made.text
    reader = api.make_user("reader", [team["id"]])
    brief = {"title": "Shared referrals", "description": "Referral forms re-keyed by hand."}
    check = api.client.post("/v1/due-diligence", json=brief, headers=reader.headers)
    assert check.status_code == 201, check.text
    decisions = [{"lesson_id": made.json()["id"], "decision": "apply", "note": "yes"}]
    refused = api.client.post(
        f"/v1/due-diligence/{check.json()['id']}/decisions", json=decisions, headers=reader.headers
    )
    assert refused.status_code == 403
    assert "contributor" in refused.json()["error"]["message"]


def test_a_check_on_a_project_the_caller_cannot_see_is_404(api: Api) -> None:
    a, b = api.make_team(), api.make_team()
    owner = api.make_user("contributor", [a["id"]])
    hidden = make_project(api, owner, visibility="restricted")
    outsider = api.make_user("reader", [b["id"]])
    brief = {"title": "Pilot", "description": "A pilot.", "project_id": hidden["id"]}
    response = api.client.post("/v1/due-diligence", json=brief, headers=outsider.headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert (
        api.client.post("/v1/due-diligence", json=brief, headers=owner.headers).status_code == 201
    )


BAD_IDS = ("0", "-1", str(2**63), "abc")


def _id_like(name: str) -> bool:
    return name == "id" or name.endswith("_id")


def _sweep_requests(api: Api) -> list[tuple[str, str, dict[str, str]]]:
    """Every (method, path, query) of the OpenAPI with one id-like parameter made bad."""
    spec = api.client.get("/openapi.json").json()
    found = []
    for template, item in spec["paths"].items():
        for method, operation in item.items():
            params = [p for p in operation.get("parameters", []) if p["in"] in {"path", "query"}]
            path_params = [p["name"] for p in params if p["in"] == "path"]
            for param in params:
                if not _id_like(param["name"]) and param["in"] != "path":
                    continue
                for bad in BAD_IDS:
                    path = template
                    for name in path_params:
                        path = path.replace("{" + name + "}", bad if name == param["name"] else "1")
                    query = {param["name"]: bad} if param["in"] == "query" else {}
                    found.append((method.upper(), path, query))
    return found


def test_ids_out_of_range_are_404_or_422_on_every_path_and_query(api: Api) -> None:
    headers = {**api.admin_headers, "If-Match": '"1"'}
    requests = _sweep_requests(api)
    assert len(requests) > 100  # the sweep really covers the API
    wrong = []
    for method, path, query in requests:
        response = api.client.request(method, path, params=query, json={}, headers=headers)
        if response.status_code not in (404, 422):
            wrong.append((method, path, query, response.status_code, response.text[:120]))
    assert wrong == [], "\n".join(map(str, wrong))
