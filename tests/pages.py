"""Helpers for the web pages' tests: people with passwords, and signing in as a browser does
(read the form's CSRF token, post it back with the cookie the form came with)."""

import re
from dataclasses import dataclass

from fastapi.testclient import TestClient

from tests.factories import Api, Caller

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


@dataclass
class Person:
    """A user who signs in to the pages (and has an API token too)."""

    caller: Caller
    email: str
    password: str

    @property
    def id(self) -> int:
        return self.caller.id


def make_person(
    api: Api, role: str = "reader", team_ids: list[int] | None = None, **fields: object
) -> Person:
    password = str(fields.pop("password", PASSWORD))
    caller = api.make_user(role, team_ids, password=password, **fields)
    email = api.client.get("/v1/users/me", headers=caller.headers).json()["email"]
    return Person(caller=caller, email=email, password=password)


def sign_in(client: TestClient, email: str, password: str, *, next_path: str = "/"):
    """Posts the sign-in form as a browser would; answers the POST's response, unfollowed."""
    page = client.get("/sign-in")
    assert page.status_code == 200, page.text
    form = {"csrf_token": csrf_of(page.text), "email": email, "password": password}
    return client.post("/sign-in", data=form | {"next": next_path}, follow_redirects=False)


def signed_in(client: TestClient, person: Person) -> TestClient:
    response = sign_in(client, person.email, person.password)
    assert response.status_code == 303, response.text
    return client


def post_form(client: TestClient, path: str, data: dict[str, str], *, page: str | None = None):
    """Posts a form with the CSRF token of `page` (default: `path` itself), unfollowed."""
    token = csrf_of(client.get(page or path).text)
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)
