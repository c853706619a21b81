"""Headers every answer carries, and what a cache may keep."""

from tests.factories import Api, make_asset

PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def test_every_answer_has_nosniff_and_the_page_policy(api: Api) -> None:
    reader = api.make_user("reader")
    for method, path, headers in (
        ("GET", "/healthz", {}),
        ("GET", "/v1/assets", reader.headers),
        ("GET", "/v1/assets", {}),  # 401
        ("GET", "/v1/nowhere", reader.headers),  # 404
        ("POST", "/v1/assets", {**reader.headers, "Content-Type": "application/json"}),
        ("GET", "/openapi.json", {}),
    ):
        response = api.client.request(method, path, headers=headers)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["content-security-policy"] == PAGE_POLICY, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "server" not in response.headers


def test_authenticated_json_is_never_stored(api: Api) -> None:
    reader = api.make_user("reader")
    assert api.client.get("/v1/assets", headers=reader.headers).headers["cache-control"] == (
        "no-store"
    )
    refused = api.client.get("/v1/assets", headers={"Authorization": "Bearer wrong"})
    assert refused.status_code == 401 and refused.headers["cache-control"] == "no-store"
    # Without credentials the answer names nobody's data; it is left to the usual rules.
    assert "cache-control" not in api.client.get("/openapi.json").headers


def test_a_route_keeps_its_own_stricter_headers(api: Api) -> None:
    owner = api.make_user("contributor", [api.make_team()["id"]])
    asset = make_asset(api, owner, owning_team_id=owner.team_ids[0])
    created = api.client.post(
        f"/v1/assets/{asset['id']}/attachments",
        files={"file": ("n.txt", b"plain words", "text/plain")},
        headers=owner.headers,
    )
    assert created.status_code == 201, created.text
    download = api.client.get(f"/v1/attachments/{created.json()['id']}", headers=owner.headers)
    assert download.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert download.headers.get_list("content-security-policy") == ["default-src 'none'; sandbox"]
    assert download.headers["cache-control"] == "private, no-cache"


def test_the_docs_pages_get_their_own_looser_policy(api: Api) -> None:
    for path in ("/docs", "/redoc"):
        response = api.client.get(path)
        assert response.status_code == 200
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"
