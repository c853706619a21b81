"""The outbox keeps every acknowledged write: kill -9 the server, start it again, all found."""

import shutil
import time
from pathlib import Path

import httpx

from tests.e2e.server import Server
from tests.factories import ADMIN_TOKEN, bearer

ADMIN = bearer(ADMIN_TOKEN)
WORDS = ["amber", "basalt", "cobalt", "damask", "ember", "fennel", "garnet", "hazel"]


def _contributor(http: httpx.Client) -> dict[str, str]:
    team = http.post("/v1/teams", json={"name": "Durability"}).json()
    user = http.post(
        "/v1/users",
        json={
            "name": "Dee",
            "email": "dee@example.org",
            "role": "contributor",
            "team_ids": [team["id"]],
        },
    ).json()
    token = http.post("/v1/tokens", json={"name": "t", "user_id": user["id"]}).json()
    return bearer(token["token"])


def _retrospect(n: int, word: str) -> dict[str, object]:
    return {
        "kind": "retrospect",
        "title": f"Retrospect {n} about {word}",
        "details": {
            "objectives": "o",
            "what_went_well": [],
            "what_went_wrong": [],
            "what_to_improve": [],
        },
        "lessons": [
            {
                "title": f"Lesson {n}",
                "lesson": f"The {word} lesson",
                "polarity": "barrier",
                "impact": "low",
            }
        ],
    }


def _found(url: str, headers: dict[str, str], word: str) -> int:
    response = httpx.get(f"{url}/v1/search", params={"q": word}, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


def _wait_for_all(server: Server, headers: dict[str, str], expected: dict[str, int]) -> None:
    deadline = time.monotonic() + 20
    while True:
        found = {w: _found(server.url, headers, w) for w in expected}
        if found == expected:
            return
        assert time.monotonic() < deadline, (found, server.log()[-3000:])
        time.sleep(0.2)


def test_acknowledged_writes_survive_kill_9_and_are_all_found(database_url: str, tmp_path: Path):
    if database_url.startswith("sqlite"):
        database_url = f"sqlite:///{tmp_path}/durable.db"
    server = Server(database_url, tmp_path).start("--migrate")
    try:
        with httpx.Client(base_url=server.url, headers=ADMIN, timeout=30) as http:
            headers = _contributor(http)
            for n, word in enumerate(WORDS * 4):
                response = http.post("/v1/assets", json=_retrospect(n, word), headers=headers)
                assert response.status_code == 201, response.text
        server.kill()  # SIGKILL: no shutdown, whatever was not yet indexed is only in the outbox
        server.start("--migrate")
        # Each word: four assets and their four lessons, all drafts the team itself sees.
        _wait_for_all(server, headers, dict.fromkeys(WORDS, 8))
        health = httpx.get(f"{server.url}/healthz", headers=ADMIN).json()
        assert health["outbox_pending"] == 0
    finally:
        server.kill()


def test_several_workers_share_one_index_and_one_writer(database_url: str, tmp_path: Path):
    if database_url.startswith("sqlite"):
        database_url = f"sqlite:///{tmp_path}/workers.db"
    server = Server(database_url, tmp_path).start("--migrate", "--workers", "2")
    try:
        with httpx.Client(base_url=server.url, headers=ADMIN, timeout=30) as http:
            headers = _contributor(http)
            for n, word in enumerate(WORDS):
                response = http.post("/v1/assets", json=_retrospect(n, word), headers=headers)
                assert response.status_code == 201, response.text
        # Both workers answer searches; every request lands on one of them at random.
        for _ in range(3):
            _wait_for_all(server, headers, dict.fromkeys(WORDS, 2))
        assert server.log().count("this process is the index writer") == 1, server.log()[-3000:]
    finally:
        server.kill()


def test_an_index_deleted_under_a_running_server_is_rebuilt(database_url: str, tmp_path: Path):
    """Delete the index folder while the server runs: search answers 503 with Retry-After,
    then finds the old items again, without a restart or a reindex by hand."""
    if database_url.startswith("sqlite"):
        database_url = f"sqlite:///{tmp_path}/healing.db"
    server = Server(database_url, tmp_path).start("--migrate")
    try:
        with httpx.Client(base_url=server.url, headers=ADMIN, timeout=30) as http:
            headers = _contributor(http)
            for n, word in enumerate(WORDS[:3]):
                response = http.post("/v1/assets", json=_retrospect(n, word), headers=headers)
                assert response.status_code == 201, response.text
        expected = dict.fromkeys(WORDS[:3], 2)
        _wait_for_all(server, headers, expected)
        shutil.rmtree(tmp_path / "index")
        refused = httpx.get(f"{server.url}/v1/search", params={"q": "amber"}, headers=headers)
        assert refused.status_code == 503, refused.text
        assert refused.json()["error"]["code"] == "index_unavailable"
        assert refused.headers["retry-after"].isdigit()
        deadline = time.monotonic() + 30
        while True:
            response = httpx.get(f"{server.url}/v1/search", params={"q": "amber"}, headers=headers)
            if response.status_code == 200:
                break
            assert response.status_code == 503, response.text
            assert time.monotonic() < deadline, server.log()[-3000:]
            time.sleep(0.1)
        _wait_for_all(server, headers, expected)
        assert httpx.get(f"{server.url}/healthz").json()["index"] == "ok"
        assert "rebuilding the search index" in server.log()
    finally:
        server.kill()
