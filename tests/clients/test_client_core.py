"""The client's core without a server: errors, paging arithmetic, exports and coverage of
the OpenAPI operations."""

import inspect
import re

import httpx
import pytest

from hindsight import clients
from hindsight.clients import errors
from hindsight.clients._core import Call
from hindsight.clients.operations import Operations
from hindsight.clients.paging import next_offset
from hindsight.schemas.common import Page
from hindsight.service.app import create_app
from hindsight.service.settings import Settings


def test_all_matches_the_public_names():
    public = {
        name
        for name, value in vars(clients).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert set(clients.__all__) == public


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (409, errors.ConflictError),
        (412, errors.PreconditionError),
        (413, errors.PayloadTooLargeError),
        (415, errors.UnsupportedMediaTypeError),
        (422, errors.ValidationError),
        (428, errors.PreconditionError),
        (503, errors.ServerError),
        (418, errors.APIError),
    ],
)
def test_each_status_raises_its_documented_error(status, expected):
    body = {"error": {"code": "some_code", "message": "what to change", "details": [{"a": 1}]}}
    response = httpx.Response(status, json=body, headers={"x-request-id": "req-1"})
    with pytest.raises(expected) as raised:
        Operations("t").get_lesson(1).decode(response)
    assert type(raised.value) is expected
    assert isinstance(raised.value, errors.HindsightError)
    assert (raised.value.code, raised.value.message) == ("some_code", "what to change")
    assert raised.value.details == [{"a": 1}] and raised.value.request_id == "req-1"


def test_an_error_body_that_is_not_ours_still_raises_an_api_error():
    response = httpx.Response(502, text="<html>Bad gateway</html>")
    with pytest.raises(errors.ServerError) as raised:
        Operations(None).health().decode(response)
    assert "Bad gateway" in raised.value.message


def test_creates_carry_a_fresh_idempotency_key_and_updates_if_match():
    ops = Operations("secret")
    first, second = ops.create_team({"name": "A"}), ops.create_team({"name": "A"})
    assert first.headers["Idempotency-Key"] != second.headers["Idempotency-Key"]
    assert first.retry_safe
    update = ops.update_lesson(3, {"title": "x"}, version=7)
    assert update.headers["If-Match"] == '"7"' and not update.retry_safe
    assert update.headers["Authorization"] == "Bearer secret"
    assert ops.search("pumps", type=None, limit=5).params == {"q": "pumps", "limit": 5}


def test_paging_stops_after_the_last_page_or_an_empty_one():
    assert next_offset(Page[int](items=[1, 2], total=5, limit=2, offset=0)) == 2
    assert next_offset(Page[int](items=[5], total=5, limit=2, offset=4)) is None
    assert next_offset(Page[int](items=[], total=9, limit=2, offset=4)) is None


def _template(path: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/{}", path)


def _client_operations() -> set[tuple[str, str]]:
    ops = Operations("t")
    covered = set()
    for name, method in inspect.getmembers(ops, inspect.ismethod):
        if name.startswith("_") or name in vars(Operations.__mro__[1]):
            continue
        args = []
        for parameter in inspect.signature(method).parameters.values():
            if parameter.kind is parameter.VAR_KEYWORD or parameter.default is not parameter.empty:
                continue
            args.append({} if parameter.name in {"body", "decisions"} else 1)
        call = method(*args)
        assert isinstance(call, Call)
        covered.add((call.method, _template(call.path)))
    return covered


def test_the_client_covers_every_operation_of_the_api():
    spec = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]
    api = {
        (method.upper(), re.sub(r"\{[^}]+\}", "{}", path))
        for path, operations in spec["paths"].items()
        for method in operations
    }
    missing = api - _client_operations()
    assert not missing, f"operations the client lacks: {sorted(missing)}"


def test_an_import_waits_for_the_servers_answer_longer_than_a_call(tmp_path):
    seen = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(
            200,
            json={"created": 1, "updated": 0, "unchanged": 0, "rejected": [], "rejected_count": 0},
        )

    lines = tmp_path / "assets.jsonl"
    lines.write_text('{"external_id": "x"}\n')
    http = httpx.Client(base_url="http://hindsight.test", transport=httpx.MockTransport(answer))
    with clients.HindsightClient("http://hindsight.test", "token", http=http) as client:
        report = client.import_file("assets", lines)
    assert report.created == 1
    assert seen[0]["read"] >= 600
