"""Limits on abuse through the API: wrong tokens are rate limited per address, expensive
queries are refused with the limit named."""

import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from hindsight.search import pg_weighted
from hindsight.search.query import MAX_PREFIXES, MAX_TERMS
from hindsight.service.app import create_app
from hindsight.service.search.service import MAX_QUERY_CHARS
from hindsight.service.settings import Settings
from tests.factories import Api, bearer, make_asset
from tests.search_helpers import index_now


@pytest.fixture
def limited(settings: Settings):
    app = create_app(settings.model_copy(update={"auth_failure_limit": "5/minute"}))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client)


def test_wrong_tokens_past_the_limit_are_429_with_retry_after(limited):
    reader = limited.make_user()
    for n in range(5):
        response = limited.client.get("/v1/teams", headers=bearer(f"hs_wrong{n}"))
        assert response.status_code == 401, response.text
    response = limited.client.get("/v1/teams", headers=bearer("hs_wrong-again"))
    assert response.status_code == 429, response.text
    assert int(response.headers["Retry-After"]) >= 1
    error = response.json()["error"]
    assert error["code"] == "too_many_requests" and "try again in" in error["message"]
    # Refused even with a right token: otherwise a guesser would learn which guess was right.
    assert limited.client.get("/v1/teams", headers=reader.headers).status_code == 429
    # The streaming routes (search, downloads) authenticate another way; limited the same.
    assert limited.client.get("/v1/search", headers=reader.headers).status_code == 429


def test_missing_tokens_are_no_guesses_and_right_tokens_count_nothing(limited):
    reader = limited.make_user()
    for _ in range(8):
        assert limited.client.get("/v1/teams").status_code == 401
        assert limited.client.get("/v1/teams", headers=reader.headers).status_code == 200


def test_the_limit_setting_is_checked_at_start():
    with pytest.raises(
        ValueError, match="HINDSIGHT_AUTH_FAILURE_LIMIT: 'twenty a minute' is not a rate"
    ):
        Settings(_env_file=None, auth_failure_limit="twenty a minute")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("q", "named"),
    [
        (" ".join(f"{chr(97 + i // 26)}{chr(97 + i % 26)}*" for i in range(499)), "prefixes"),
        (" ".join(str(i % 10) for i in range(MAX_TERMS + 1)), "terms"),
        ("x" * (MAX_QUERY_CHARS + 1), str(MAX_QUERY_CHARS)),
    ],
    ids=["prefixes", "terms", "length"],
)
def test_a_query_past_a_limit_is_400_invalid_query_naming_it(api, q, named):
    reader = api.make_user()
    response = api.client.get("/v1/search", params={"q": q}, headers=reader.headers)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_query"
    assert named in error["message"] and "limit" in error["message"]


def test_prefixes_up_to_the_limit_are_searched(api):
    reader = api.make_user()
    q = " ".join(f"v{chr(97 + i)}*" for i in range(MAX_PREFIXES))
    response = api.client.get("/v1/search", params={"q": q}, headers=reader.headers)
    assert response.status_code == 200, response.text


# The time budget is PostgreSQL's statement_timeout (the postgres search backend).
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_query_past_its_time_budget_is_400_naming_it(settings: Settings, monkeypatch):
    app = create_app(settings.model_copy(update={"search_backend": "postgres"}))
    with TestClient(app, raise_server_exceptions=False) as client:
        api = Api(client)
        team = api.make_team()
        owner = api.make_user("contributor", [team["id"]])
        make_asset(api, owner, title="Budgeted handover retrospect")
        index_now(api)
        ok = client.get("/v1/search", params={"q": "handover"}, headers=owner.headers)
        assert ok.status_code == 200 and ok.json()["total"] == 1
        # Another session holds the index table, so the query waits past its budget; a tiny
        # budget alone raced a query that a small table answers within it. The lock is
        # let go after a few seconds, so a budget that is not applied fails, not hangs.
        monkeypatch.setattr(pg_weighted, "QUERY_TIME_BUDGET_SECONDS", 0.3)
        engine = create_engine(settings.database_url)
        with engine.connect() as holder:
            holder.execute(text("LOCK TABLE search_documents IN ACCESS EXCLUSIVE MODE"))
            release = threading.Timer(5.0, holder.rollback)
            release.start()
            slow = client.get("/v1/search", params={"q": "handover"}, headers=owner.headers)
            release.cancel()
        engine.dispose()
        assert slow.status_code == 400, slow.text
        error = slow.json()["error"]
        assert error["code"] == "invalid_query" and "time budget" in error["message"]
