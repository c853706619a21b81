"""Index faults heal by themselves: a missing, corrupt or empty index is rebuilt from the
database in the background while search paths answer 503 `index_unavailable`."""

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hindsight.service.app import create_app
from hindsight.service.settings import Settings
from tests.factories import Api, Caller, lesson, make_asset
from tests.search_helpers import index_now

BACKENDS = ["tantivy", "whoosh"]
SEARCH_PATHS = ("/v1/search?q=okapi", "/v1/search/suggest?q=oka")


@contextmanager
def _running(settings: Settings, backend: str) -> Iterator[Api]:
    update = {"search_backend": backend, "index_poll_seconds": 0.05}
    with TestClient(create_app(settings.model_copy(update=update))) as client:
        yield Api(client)


def _seed(api: Api) -> tuple[Caller, dict[str, Any]]:
    owner = api.make_user("contributor", [api.make_team()["id"]])
    asset = make_asset(api, owner, title="Okapi enclosure retrospect", lessons=[lesson()])
    index_now(api)
    return owner, asset


def _found(api: Api, caller: Caller, timeout: float = 30) -> set[int]:
    """The asset ids a search finds, once search answers again."""
    deadline = time.monotonic() + timeout
    while True:
        response = api.client.get("/v1/search", params={"q": "okapi"}, headers=caller.headers)
        if response.status_code == 200:
            return {i["id"] for i in response.json()["items"] if i["type"] == "asset"}
        assert response.status_code == 503, response.text
        assert time.monotonic() < deadline, "the index was not rebuilt"
        time.sleep(0.05)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_deleted_index_answers_503_then_heals(settings: Settings, backend: str) -> None:
    with _running(settings, backend) as api:
        owner, asset = _seed(api)
        assert _found(api, owner) == {asset["id"]}
        shutil.rmtree(settings.index_dir)
        refused = api.client.get("/v1/search", params={"q": "okapi"}, headers=owner.headers)
        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "index_unavailable"
        assert int(refused.headers["retry-after"]) > 0
        assert _found(api, owner) == {asset["id"]}
        for path in SEARCH_PATHS:
            assert api.client.get(path, headers=owner.headers).status_code == 200, path
        health = api.client.get("/healthz", headers=api.admin_headers)
        assert health.status_code == 200 and health.json()["index"] == "ok"
        # Writes after the rebuild are indexed as before: the writer took the new folder.
        later = make_asset(api, owner, title="Okapi feeding plan")
        index_now(api)
        assert _found(api, owner) == {asset["id"], later["id"]}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_corrupt_or_empty_index_is_rebuilt_at_start(settings: Settings, backend: str) -> None:
    with _running(settings, backend) as api:
        owner, asset = _seed(api)
    # Garbage in every file of the index, as a torn disk write would leave.
    for path in settings.index_dir.iterdir():
        if path.is_file() and path.name != "writer.lock":
            path.write_bytes(b"\x00garbage")
    with _running(settings, backend) as api:
        assert _found(api, owner) == {asset["id"]}
    shutil.rmtree(settings.index_dir)
    settings.index_dir.mkdir()  # present but empty: a new, empty index would open fine
    with _running(settings, backend) as api:
        assert _found(api, owner) == {asset["id"]}


def test_healthz_says_the_index_is_rebuilding(settings: Settings) -> None:
    with _running(settings, "tantivy") as api:
        # The indexer checks the index once it starts; past that it leaves the state alone.
        deadline = time.monotonic() + 30
        while api.client.get("/healthz", headers=api.admin_headers).json()["index"] != "ok":
            assert time.monotonic() < deadline, "the index never became ok"
            time.sleep(0.05)
        state = api.client.app.state.search.state  # type: ignore[attr-defined]
        state.rebuilding(5000)
        state.advance(1200)
        admin = api.client.get("/healthz", headers=api.admin_headers)
        anyone = api.client.get("/healthz")
        state.broken("the index folder lost its files")  # let the indexer heal it for real
        assert admin.status_code == 503
        assert admin.json()["index"] == "rebuilding 1,200/5,000"
        assert anyone.json()["index"] == "rebuilding"
        due = api.client.post("/v1/due-diligence", json={"title": "t", "description": "d"},
                              headers=api.admin_headers)  # fmt: skip
        assert due.status_code in (201, 503)
        if due.status_code == 503:
            assert due.json()["error"]["code"] == "index_unavailable"


def test_a_search_that_finds_the_index_gone_wakes_the_indexer(api: Api, settings: Settings):
    """The indexer polls rarely in these tests (an hour): healing must not wait for it."""
    owner, asset = _seed(api)
    shutil.rmtree(settings.index_dir)
    assert _found(api, owner, timeout=20) == {asset["id"]}
