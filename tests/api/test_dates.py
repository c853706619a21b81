"""Dates at the edges of years 1..9999: a 422 naming the field, never a 500.

The sweep reads the OpenAPI document, so a date field added later is covered without
touching this file.
"""

import re
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.dialects import postgresql

from hindsight.service.columns import OutOfRangeTimestamp, UTCDateTime
from tests.factories import Api, make_project, maturity_scores, starter_framework

# Each is in year 9999 or 1 as written, and in year 10000 or 0 once in UTC.
OUTSIDE_UTC = ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00")
# Within range, however the service computes with them (a window's next day, a year back).
EDGES = {
    "date-time": ("9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"),
    "date": ("9999-12-31", "0001-01-01"),
}


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _date_fields(
    document: dict[str, Any], schema: dict[str, Any], path: tuple[Any, ...], seen: frozenset
) -> list[tuple[tuple[Any, ...], str]]:
    """(path into a body, format) for every date or date-time a body may carry."""
    ref = schema.get("$ref")
    if ref in seen:
        return []
    seen = seen | {ref} if ref else seen
    schema = _resolve(document, schema)
    if schema.get("format") in EDGES:
        return [(path, schema["format"])]
    found = []
    for option in schema.get("anyOf", []) + schema.get("allOf", []) + schema.get("oneOf", []):
        found += _date_fields(document, option, path, seen)
    for name, sub in schema.get("properties", {}).items():
        found += _date_fields(document, sub, (*path, name), seen)
    if "items" in schema and isinstance(schema["items"], dict):
        found += _date_fields(document, schema["items"], (*path, 0), seen)
    return found


def _nest(path: tuple[Any, ...], value: str) -> Any:
    for part in reversed(path):
        value = [value] if isinstance(part, int) else {part: value}  # type: ignore[assignment]
    return value


def _targets(document: dict[str, Any]) -> list[tuple[str, str, str, tuple[Any, ...], str]]:
    """(method, url, where, field path, format) for each date field of each operation."""
    found = []
    for template, operations in document["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", template)
        for method, operation in operations.items():
            for param in operation.get("parameters", []):
                schema = _resolve(document, param.get("schema", {}))
                for path, fmt in _date_fields(document, schema, (), frozenset()):
                    found.append((method, url, "query", (param["name"], *path), fmt))
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = content["application/json"]["schema"]
                for path, fmt in _date_fields(document, body, (), frozenset()):
                    found.append((method, url, "body", path, fmt))
    return found


def _send(api: Api, method: str, url: str, where: str, path: tuple[Any, ...], value: str):
    headers = {**api.admin_headers, "If-Match": '"1"'}
    if where == "query":
        return api.client.request(method, url, params={path[0]: value}, headers=headers)
    return api.client.request(method, url, json=_nest(path, value), headers=headers)


def test_every_date_field_of_the_api_refuses_moments_outside_utc_years(api: Api) -> None:
    targets = _targets(api.client.get("/openapi.json").json())
    named = {(method, url, ".".join(map(str, path))) for method, url, _w, path, _f in targets}
    # The fields the review found, so a change in the document cannot empty the sweep.
    for expected in (
        ("post", "/v1/projects", "started_at"),
        ("patch", "/v1/projects/1", "ended_at"),
        ("post", "/v1/tokens", "expires_at"),
        ("post", "/v1/maturity/assessments", "assessed_at"),
        ("get", "/v1/search", "created_from"),
        ("get", "/v1/metrics/learning", "to"),
        ("post", "/v1/actions", "due_date"),
    ):
        assert expected in named, expected
    for method, url, where, path, fmt in targets:
        field = ".".join(map(str, (where, *path)))
        for value in OUTSIDE_UTC if fmt == "date-time" else ():
            response = _send(api, method, url, where, path, value)
            assert response.status_code == 422, (method, url, field, value, response.text)
            fields = {d["field"] for d in response.json()["error"]["details"]}
            assert field in fields, (method, url, field, value, fields)
        for value in EDGES[fmt]:
            response = _send(api, method, url, where, path, value)
            assert response.status_code < 500, (method, url, field, value, response.text)


@pytest.mark.parametrize("value", OUTSIDE_UTC)
def test_whole_bodies_with_one_date_outside_utc_years_are_422(api: Api, value: str) -> None:
    team = api.make_team()
    member = api.make_user("contributor", [team["id"]])
    project = {"name": "Edge", "organisation_type": "nhs_trust", "owning_team_id": team["id"]}
    framework = starter_framework(api)
    assessment = {
        "framework_id": framework["id"],
        "team_id": team["id"],
        "scores": maturity_scores(framework),
    }
    for url, body, field in (
        ("/v1/projects", {**project, "started_at": value}, "body.started_at"),
        ("/v1/projects", {**project, "ended_at": value}, "body.ended_at"),
        ("/v1/tokens", {"name": "edge", "expires_at": value}, "body.expires_at"),
        ("/v1/maturity/assessments", {**assessment, "assessed_at": value}, "body.assessed_at"),
    ):
        response = api.client.post(url, json=body, headers=member.headers)
        assert response.status_code == 422, (url, response.text)
        details = response.json()["error"]["details"]
        assert [d["field"] for d in details] == [field], details
        assert "outside years 1 to 9999" in details[0]["message"]
    created = make_project(api, member)
    patched = api.client.patch(
        f"/v1/projects/{created['id']}",
        json={"ended_at": value},
        headers={**member.headers, "If-Match": '"1"'},
    )
    assert patched.status_code == 422, patched.text


def test_the_last_day_there_is_ends_a_metrics_window(api: Api) -> None:
    response = api.client.get(
        "/v1/metrics/learning", params={"to": "9999-12-31"}, headers=api.admin_headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["to"] == "9999-12-31"


def test_the_column_refuses_what_a_schema_let_through() -> None:
    """A way in without a schema (CLI, import code) still gets a clear error, not a crash."""
    moment = datetime.fromisoformat(OUTSIDE_UTC[0])
    with pytest.raises(OutOfRangeTimestamp, match="outside years 1 to 9999"):
        UTCDateTime().process_bind_param(moment, postgresql.dialect())
