"""Small builders that go through the HTTP API, as a real caller would."""

import itertools
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

ADMIN_TOKEN = "test-admin-bootstrap-key-0123456789"
_counter = itertools.count(1)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Caller:
    """A user with a token: what a test acts as."""

    id: int
    token: str
    team_ids: list[int]

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


class Api:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.admin_headers = bearer(ADMIN_TOKEN)

    def make_team(self, name: str | None = None, **fields: Any) -> dict[str, Any]:
        body = {"name": name or f"Team {next(_counter)}", **fields}
        response = self.client.post("/v1/teams", json=body, headers=self.admin_headers)
        assert response.status_code == 201, response.text
        return response.json()

    def make_user(
        self, role: str = "reader", team_ids: list[int] | None = None, **fields: Any
    ) -> Caller:
        n = next(_counter)
        body = {
            "name": f"User {n}",
            "email": f"user{n}@example.org",
            "role": role,
            "team_ids": team_ids or [],
            **fields,
        }
        response = self.client.post("/v1/users", json=body, headers=self.admin_headers)
        assert response.status_code == 201, response.text
        user = response.json()
        token = self.client.post(
            "/v1/tokens",
            json={"name": "test", "user_id": user["id"]},
            headers=self.admin_headers,
        )
        assert token.status_code == 201, token.text
        return Caller(id=user["id"], token=token.json()["token"], team_ids=user["team_ids"])
