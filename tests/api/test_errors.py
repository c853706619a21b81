"""The error conventions of API.md, on real endpoints."""

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import Api


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert isinstance(body["error"]["details"], list)
    return body["error"]


def test_unknown_path_is_404_in_error_shape(api: Api) -> None:
    assert_error(api.client.get("/v1/nothing-here", headers=api.admin_headers), 404, "not_found")


def test_wrong_method_is_405_naming_allowed_methods(api: Api) -> None:
    response = api.client.put("/v1/teams", headers=api.admin_headers)
    error = assert_error(response, 405, "method_not_allowed")
    assert "GET" in error["message"] and "POST" in error["message"]


def test_missing_field_is_422_with_one_detail_per_field(api: Api) -> None:
    response = api.client.post(
        "/v1/users", json={"email": "not-an-email"}, headers=api.admin_headers
    )
    error = assert_error(response, 422, "validation_error")
    fields = {detail["field"] for detail in error["details"]}
    assert fields == {"body.name", "body.email"}


def test_unknown_field_is_422(api: Api) -> None:
    response = api.client.post(
        "/v1/teams", json={"name": "Ops", "colour": "red"}, headers=api.admin_headers
    )
    error = assert_error(response, 422, "validation_error")
    assert error["details"][0]["field"] == "body.colour"


def test_malformed_json_is_400(api: Api) -> None:
    response = api.client.post(
        "/v1/teams",
        content=b'{"name": "Ops",',
        headers={**api.admin_headers, "Content-Type": "application/json"},
    )
    error = assert_error(response, 400, "bad_request")
    assert "JSON" in error["message"]


def test_body_over_limit_is_413_by_declared_length(api: Api) -> None:
    big = b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = api.client.post(
        "/v1/teams", content=big, headers={**api.admin_headers, "Content-Type": "application/json"}
    )
    assert_error(response, 413, "payload_too_large")


def test_body_over_limit_is_413_when_streamed_without_length(api: Api) -> None:
    def chunks():
        yield b'{"name": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    response = api.client.post(
        "/v1/teams",
        content=chunks(),
        headers={**api.admin_headers, "Content-Type": "application/json"},
    )
    assert_error(response, 413, "payload_too_large")
    assert api.client.get("/v1/teams", headers=api.admin_headers).json()["total"] == 0


def test_unhandled_exception_is_500_with_request_id_and_no_traceback(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    def explode() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/boom", explode)
    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR):
        response = client.get("/boom")
    error = assert_error(response, 500, "internal_error")
    request_id = response.headers["x-request-id"]
    assert request_id in error["message"]
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert any(request_id in record.getMessage() and record.exc_info for record in caplog.records)


def test_missing_token_is_401(api: Api) -> None:
    response = api.client.get("/v1/teams")
    assert_error(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"] == "Bearer"


def test_unknown_token_is_401(api: Api) -> None:
    response = api.client.get("/v1/teams", headers={"Authorization": "Bearer hs_nope"})
    assert_error(response, 401, "unauthenticated")


def test_role_below_gate_is_403_naming_the_role(api: Api) -> None:
    reader = api.make_user("reader")
    error = assert_error(
        api.client.post("/v1/teams", json={"name": "X"}, headers=reader.headers), 403, "forbidden"
    )
    assert "admin" in error["message"]


def test_request_id_is_echoed_when_safe(api: Api) -> None:
    response = api.client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    response = api.client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert response.headers["x-request-id"] != "bad id\nwith newline"
