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


def maturity_scores(
    framework: dict[str, Any],
    *,
    current: int = 1,
    target: int | None = 2,
    overrides: dict[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """One score per sub-outcome of `framework` (a FrameworkRead body), with per-key changes."""
    overrides = overrides or {}
    return [
        {"sub_outcome_key": sub["key"], "current": current, "target": target}
        | overrides.get(sub["key"], {})
        for outcome in framework["outcomes"]
        for sub in outcome["sub_outcomes"]
    ]


def starter_framework(api: Api) -> dict[str, Any]:
    """The starter framework the migration installs, as GET /v1/maturity/frameworks/{id}."""
    page = api.client.get(
        "/v1/maturity/frameworks",
        params={"key": "hindsight-starter", "latest": "true"},
        headers=api.admin_headers,
    )
    assert page.status_code == 200, page.text
    framework_id = page.json()["items"][0]["id"]
    return api.client.get(
        f"/v1/maturity/frameworks/{framework_id}", headers=api.admin_headers
    ).json()


def retrospect(**overrides: Any) -> dict[str, Any]:
    """A realistic retrospect body; `overrides` replace top-level fields."""
    body: dict[str, Any] = {
        "kind": "retrospect",
        "title": "Discharge-to-assess pilot: stage 1 retrospect",
        "summary": "What helped and what slowed the first ten weeks.",
        "body": "## Context\n\nTwo wards, **ten weeks**, one shared referral form.",
        "tags": ["Discharge", "discharge ", "Pilot"],
        "topics": ["Hospital discharge"],
        "details": {
            "objectives": "Cut delayed discharges on two wards by a third",
            "what_went_well": ["Daily huddles with social care"],
            "what_went_wrong": ["Referral forms lost between systems"],
            "what_to_improve": ["One shared referral form"],
            "useful_contacts": [
                {"name": "Priya Shah", "role": "discharge lead", "expertise": ["D2A"]}
            ],
        },
        "lessons": [],
    }
    body.update(overrides)
    return body


def lesson(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Shared referral form",
        "observation": "Referrals waited two days for re-keying",
        "lesson": "Agree one referral form across organisations before go-live",
        "polarity": "barrier",
        "impact": "high",
        "five_whys": [
            {"question": "Why were referrals late?", "answer": "They were re-keyed"},
            {"question": "Why re-keyed?", "answer": "Two systems, two forms"},
        ],
        "root_cause": {"description": "No shared form agreed", "category": "process"},
        "applicability": {"phases": ["planning"], "topics": ["Referrals"]},
    }
    body.update(overrides)
    return body


def if_match(caller: "Caller | dict[str, str]", version: int) -> dict[str, str]:
    headers = caller.headers if isinstance(caller, Caller) else caller
    return {**headers, "If-Match": f'"{version}"'}


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return response.json()


def make_project(api: Api, caller: Caller, **fields: Any) -> dict[str, Any]:
    body = {"name": f"Project {next(_counter)}", "organisation_type": "nhs_trust", **fields}
    return _created(api.client.post("/v1/projects", json=body, headers=caller.headers))


def make_asset(api: Api, caller: "Caller | dict[str, str]", **fields: Any) -> dict[str, Any]:
    headers = caller.headers if isinstance(caller, Caller) else caller
    return _created(api.client.post("/v1/assets", json=retrospect(**fields), headers=headers))
