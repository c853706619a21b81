"""A real uvicorn process on a free port, on a real database."""

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.e2e.server import Server
from tests.factories import ADMIN_TOKEN, bearer

ADMIN = bearer(ADMIN_TOKEN)


def test_fresh_server_is_healthy(server: Server) -> None:
    response = httpx.get(f"{server.url}/healthz", headers=ADMIN)
    assert response.json() == {"status": "ok", "database": "ok", "index": "ok", "outbox_pending": 0}
    anyone = httpx.get(f"{server.url}/healthz")
    assert anyone.json()["outbox_pending"] == 0  # a count, no reason or path
    # Nothing names the server software or its version.
    assert "server" not in anyone.headers
    assert anyone.headers["x-content-type-options"] == "nosniff"


def test_concurrent_writes_all_succeed(server: Server) -> None:
    def create(n: int) -> int:
        with httpx.Client(base_url=server.url, headers=ADMIN, timeout=60) as http:
            created = http.post("/v1/teams", json={"name": f"Team {n}"})
            http.get("/v1/teams")
            return created.status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(create, range(80)))
    assert statuses == [201] * 80, server.log()[-2000:]
    assert "database is locked" not in server.log()
    total = httpx.get(f"{server.url}/v1/teams", headers=ADMIN).json()["total"]
    assert total == 80


def test_concurrent_retries_with_one_key_create_once(server: Server) -> None:
    def create(_: int) -> dict:
        headers = {**ADMIN, "Idempotency-Key": "same-key"}
        response = httpx.post(
            f"{server.url}/v1/teams", json={"name": "Once"}, headers=headers, timeout=60
        )
        assert response.status_code == 201, response.text
        return response.json()

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(create, range(8)))
    assert all(answer == answers[0] for answer in answers)
    assert httpx.get(f"{server.url}/v1/teams", headers=ADMIN).json()["total"] == 1


def test_acknowledged_writes_survive_kill_9(server: Server) -> None:
    ids = [
        httpx.post(f"{server.url}/v1/teams", json={"name": f"T{n}"}, headers=ADMIN).json()["id"]
        for n in range(10)
    ]
    server.kill()
    server.start()
    for team_id in ids:
        assert httpx.get(f"{server.url}/v1/teams/{team_id}", headers=ADMIN).status_code == 200


def test_errors_from_a_real_server_use_the_error_shape(server: Server) -> None:
    response = httpx.post(
        f"{server.url}/v1/teams",
        content=b"{not json",
        headers={**ADMIN, "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_request"
    assert "Traceback" not in server.log()
