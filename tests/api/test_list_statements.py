"""Lists read a page in a constant number of statements, however many rows it holds: a
page of 20 costs what a page of 2 costs (no query per row)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from fastapi import FastAPI
from sqlalchemy import event

from tests.factories import Api, Caller, lesson, make_asset, make_project
from tests.search_helpers import index_now


@contextmanager
def counted(api: Api) -> Iterator[list[str]]:
    app = api.client.app
    assert isinstance(app, FastAPI)
    engine = app.state.engine
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _statements(api: Api, path: str, caller: Caller | None) -> int:
    """The fewest of three reads: a read that opens a new pooled connection also runs that
    connection's set-up statements on top of the page's own."""
    headers = caller.headers if caller else api.admin_headers
    counts = []
    for _ in range(3):
        with counted(api) as seen:
            response = api.client.get(path, params={"limit": 50}, headers=headers)
        assert response.status_code == 200, response.text
        counts.append(len(seen))
    return min(counts)


def _grow(api: Api, add: Callable[[int], None], path: str, caller: Caller | None) -> None:
    """The cost of the page with 2 rows and with 20 rows must be the same."""
    for n in range(2):
        add(n)
    small = _statements(api, path, caller)
    for n in range(2, 20):
        add(n)
    assert (
        len(api.client.get(path, params={"limit": 50}, headers=api.admin_headers).json()["items"])
        >= 20
    )
    assert _statements(api, path, caller) == small


@pytest.fixture
def member(api: Api) -> Caller:
    team = api.make_team()
    return api.make_user("contributor", [team["id"]])


def test_a_page_of_projects_costs_a_constant_number_of_statements(api: Api, member: Caller):
    shared = api.make_team()

    def add(n: int) -> None:
        make_project(api, member, team_ids=[shared["id"]], visibility="restricted")

    _grow(api, add, "/v1/projects", member)


def test_a_page_of_users_costs_a_constant_number_of_statements(api: Api):
    team = api.make_team()
    _grow(api, lambda n: api.make_user("reader", [team["id"]]), "/v1/users", None)


def test_a_page_of_due_diligence_checks_costs_a_constant_number_of_statements(
    api: Api, member: Caller
):
    made = api.client.post(
        "/v1/lessons",
        json=lesson(title="Referral forms re-keyed between systems"),
        headers=member.headers,
    )
    assert made.status_code == 201, made.text
    index_now(api)
    brief = {"title": "Shared referrals", "description": "Referral forms re-keyed by hand."}

    def add(n: int) -> None:
        check = api.client.post("/v1/due-diligence", json=brief, headers=member.headers)
        assert check.status_code == 201, check.text
        assert check.json()["results"]["lessons"], "each check links a lesson to look up"

    _grow(api, add, "/v1/due-diligence", member)


def test_a_page_of_lessons_costs_a_constant_number_of_statements(api: Api, member: Caller):
    def add(n: int) -> None:
        body = lesson(title=f"Lesson {n} on referral forms")
        made = api.client.post("/v1/lessons", json=body, headers=member.headers)
        assert made.status_code == 201, made.text

    _grow(api, add, "/v1/lessons", member)


def test_a_page_of_assets_costs_a_constant_number_of_statements(api: Api, member: Caller):
    def add(n: int) -> None:
        make_asset(api, member, lessons=[lesson(title=f"Asset lesson {n}")])

    _grow(api, add, "/v1/assets", member)
