"""Browser tests: Playwright drives Debian's chromium against a real `hindsight serve`.

With CI=true a missing chromium (or Playwright) fails the run; elsewhere these tests skip
and say why. The server runs on SQLite: the pages' SQL is the services', which the API
tests run on both databases.
"""

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.server import Server
from tests.factories import ADMIN_TOKEN, lesson, retrospect

CHROMIUM = Path("/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PASSWORD = "correct horse battery staple"
RESTRICTED_TITLE = "Ward staffing rota kept within the team"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


# Package scope, not session: Playwright's sync API keeps an event loop running in this
# thread while it is open, and every later test that calls asyncio.run() would fail.
@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    reason = _unavailable()
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true and {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@dataclass
class Site:
    """A running server with two teams' worth of data, and who can sign in to it."""

    url: str
    people: dict[str, str]  # name -> email
    ids: dict[str, int]


def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    return response.json()


def _seed(http: httpx.Client) -> tuple[dict[str, str], dict[str, int]]:
    team_a = _created(http.post("/v1/teams", json={"name": "Discharge team"}))
    team_b = _created(http.post("/v1/teams", json={"name": "Digital team"}))
    people = {}
    ids: dict[str, int] = {"team_a": team_a["id"], "team_b": team_b["id"]}
    for name, team, specialisms in (
        ("alice", team_a, ["hospital discharge"]),
        ("bob", team_b, []),
    ):
        email = f"{name}@example.org"
        user = _created(
            http.post(
                "/v1/users",
                json={
                    "name": f"{name.capitalize()} Example",
                    "email": email,
                    "role": "contributor",
                    "team_ids": [team["id"]],
                    "specialisms": specialisms,
                    "password": PASSWORD,
                },
            )
        )
        people[name], ids[name] = email, user["id"]
    project = _created(
        http.post(
            "/v1/projects",
            json={
                "name": "Discharge to assess, two wards",
                "description": "Moving patients home sooner with assessment at home.",
                "organisation": "Riverside Hospitals NHS Trust",
                "organisation_type": "nhs_trust",
                "phase": "delivery",
                "owning_team_id": team_a["id"],
                "topics": ["hospital discharge"],
                "team_context": [
                    {
                        "role": "discharge coordinator",
                        "years_experience": 8,
                        "specialisms": ["social care"],
                        "note": "Ran the daily huddles with social care.",
                    }
                ],
                "contacts": [
                    {"name": "Priya Shah", "role": "discharge lead", "email": "priya@example.org"}
                ],
            },
        )
    )
    ids["project"] = project["id"]
    shared = _created(
        http.post(
            "/v1/assets",
            json=retrospect(
                owning_team_id=team_a["id"],
                project_id=project["id"],
                status="published",
                lessons=[
                    lesson(),
                    lesson(
                        title="Daily huddles with social care",
                        lesson="A fifteen-minute daily huddle cleared most discharge delays",
                        polarity="success_factor",
                        impact="medium",
                        five_whys=[],
                        root_cause=None,
                    ),
                ],
            ),
        )
    )
    ids["asset"] = shared["id"]
    ids["lesson"] = shared["lesson_ids"][0]
    restricted = _created(
        http.post(
            "/v1/assets",
            json=retrospect(
                title=RESTRICTED_TITLE,
                owning_team_id=team_a["id"],
                visibility="restricted",
                status="published",
                lessons=[lesson(title=f"{RESTRICTED_TITLE}: the lesson")],
            ),
        )
    )
    ids["restricted_asset"] = restricted["id"]
    ids["restricted_lesson"] = restricted["lesson_ids"][0]
    _created(
        http.post(
            "/v1/actions",
            json={
                "lesson_id": ids["lesson"],
                "title": "Agree the shared referral form with social care",
                "owner_name": "Alice Example",
                "owner_user_id": ids["alice"],
                "due_date": "2027-01-31",
            },
        )
    )
    return people, ids


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if _unavailable() and not IN_CI:
        pytest.skip(_unavailable() or "")
    folder = tmp_path_factory.mktemp("browser-site")
    server = Server(f"sqlite:///{folder}/site.db", folder).start("--migrate")
    try:
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
            people, ids = _seed(http)
            # The index follows the outbox within a poll or two; wait until search sees it.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                found = http.get("/v1/search", params={"q": "referral"}).json()
                if found["total"] >= 2:
                    break
                time.sleep(0.2)
        yield Site(url=server.url, people=people, ids=ids)
    finally:
        server.kill()
