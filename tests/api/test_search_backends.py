"""The search API on the other backends: whoosh on either database, postgres on PostgreSQL,
and two replicas sharing the postgres index; plus the background indexer on its own."""

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from hindsight.search.tantivy_backend import TantivyBackend
from hindsight.service.app import create_app
from hindsight.service.search import indexer as indexer_module
from hindsight.service.settings import Settings
from tests import databases
from tests.factories import Api, if_match, lesson, make_asset
from tests.search_helpers import index_now


@contextmanager
def _api(settings: Settings, backend: str) -> Iterator[Api]:
    # The real poll interval: these tests also rely on the indexer thread.
    update = {"search_backend": backend, "index_poll_seconds": 0.1}
    app = create_app(settings.model_copy(update=update))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client)


def _write_and_find(api: Api) -> None:
    team = api.make_team()
    owner = api.make_user(role="contributor", team_ids=[team["id"]])
    make_asset(
        api,
        owner,
        title="Night shift handover retrospect",
        lessons=[
            lesson(
                title="Handover checklists",
                lesson="A written handover checklist stopped missed doses",
            )
        ],
    )
    index_now(api)
    found = api.client.get("/v1/search", params={"q": "handover checklist"}, headers=owner.headers)
    assert found.status_code == 200, found.text
    assert found.json()["total"] == 2
    assert "<mark>" in found.json()["items"][0]["snippet"]
    outsider = api.make_user()
    hidden = api.client.get("/v1/search", params={"q": "handover"}, headers=outsider.headers)
    assert hidden.json()["total"] == 0


def test_whoosh_backend_serves_the_same_api(settings: Settings):
    with _api(settings, "whoosh") as api:
        _write_and_find(api)


@pytest.fixture
def pg_settings(settings: Settings, _postgres_template: str) -> Iterator[Settings]:
    """A PostgreSQL database for the postgres backend, whichever database `settings` is on."""
    with databases.postgres_database(_postgres_template) as url:
        yield settings.model_copy(update={"database_url": url})


def test_postgres_backend_serves_the_same_api(pg_settings: Settings):
    with _api(pg_settings, "postgres") as api:
        _write_and_find(api)


def test_an_edit_is_searchable_within_a_second_without_help(settings: Settings):
    with _api(settings, "tantivy") as api:
        team = api.make_team()
        owner = api.make_user(role="contributor", team_ids=[team["id"]])
        asset = make_asset(api, owner, title="Ventilator supplier rework retrospect")
        response = api.client.patch(
            f"/v1/assets/{asset['id']}",
            json={"title": "Defibrillator procurement retrospect"},
            headers=if_match(owner, asset["version"]),
        )
        assert response.status_code == 200, response.text
        deadline = time.monotonic() + 5  # generous for a loaded CI machine; the bench measures it
        while True:
            found = api.client.get(
                "/v1/search", params={"q": "defibrillator"}, headers=owner.headers
            )
            if found.json()["total"] == 1:
                break
            assert time.monotonic() < deadline, "the indexer did not pick the edit up"
            time.sleep(0.05)


def test_two_replicas_see_one_postgres_index_and_one_writes(pg_settings: Settings):
    with _api(pg_settings, "postgres") as first, _api(pg_settings, "postgres") as second:
        team = first.make_team()
        owner = first.make_user(role="contributor", team_ids=[team["id"]])
        make_asset(first, owner, title="Supplier weld rework review")
        deadline = time.monotonic() + 10
        while True:  # written through one replica, indexed by whichever is the writer
            found = second.client.get("/v1/search", params={"q": "weld"}, headers=owner.headers)
            if found.json()["total"] == 1:
                break
            assert time.monotonic() < deadline, "the other replica never saw the write"
            time.sleep(0.05)
        writers = [a.client.app.state.search.indexer.is_writer for a in (first, second)]
        assert sorted(writers) == [False, True]


def test_a_backlog_is_caught_up_in_one_index_commit(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
):
    """More than a batch waiting (an import, a restore): the indexer thread commits the first
    batch, then the rest at once, not one commit per batch (each leaves segments every later
    search visits); the outbox is emptied only after that commit."""
    monkeypatch.setattr(indexer_module, "BATCH", 3)
    commits: list[int] = []
    plain_commit = TantivyBackend._commit

    def counted_commit(self: TantivyBackend) -> None:
        commits.append(self._bulk_depth)  # 0: a commit of its own; above: deferred to bulk's
        plain_commit(self)

    monkeypatch.setattr(TantivyBackend, "_commit", counted_commit)
    with _api(settings, "tantivy") as api:
        team = api.make_team()
        owner = api.make_user(role="contributor", team_ids=[team["id"]])
        _wait_for_empty_outbox(api)
        commits.clear()
        lessons = [lesson(title=f"Backlog lesson {n}", lesson=f"backlogword{n}") for n in range(8)]
        make_asset(api, owner, title="Backlog retrospect", lessons=lessons)  # 9 rows at once
        _wait_for_empty_outbox(api)
        assert commits.count(0) == 1, commits  # one per batch would be 3
        assert len(commits) == 3
        found = api.client.get("/v1/search", params={"q": "backlog"}, headers=owner.headers)
        assert found.json()["total"] == 9


def _wait_for_empty_outbox(api: Api) -> None:
    deadline = time.monotonic() + 10
    while api.client.get("/healthz", headers=api.admin_headers).json()["outbox_pending"]:
        assert time.monotonic() < deadline, "the indexer did not drain the outbox"
        time.sleep(0.05)


def test_the_indexer_lets_the_backend_settle_once_a_backlog_is_indexed(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(indexer_module, "SETTLE_AFTER", 5)
    settled: list[int] = []
    monkeypatch.setattr(TantivyBackend, "settle", lambda self: settled.append(1))
    with _api(settings, "tantivy") as api:
        team = api.make_team()
        owner = api.make_user(role="contributor", team_ids=[team["id"]])
        _wait_for_empty_outbox(api)
        assert settled == []  # nothing indexed yet, nothing to settle
        lessons = [lesson(title=f"Settle lesson {n}", lesson=f"settleword{n}") for n in range(5)]
        make_asset(api, owner, title="Settle retrospect", lessons=lessons)
        _wait_for_empty_outbox(api)
        deadline = time.monotonic() + 5
        while not settled:
            assert time.monotonic() < deadline, "the indexer never settled the backend"
            time.sleep(0.05)
        time.sleep(0.3)  # idle polls meanwhile: still once
        assert settled == [1]


def test_a_rebuilt_index_is_settled_too(settings: Settings, monkeypatch: pytest.MonkeyPatch):
    """A rebuild (a lost index, or rows written straight into the database) is a backlog:
    PostgreSQL's planner needs fresh statistics after it as after any other."""
    monkeypatch.setattr(indexer_module, "SETTLE_AFTER", 5)
    settled: list[int] = []
    monkeypatch.setattr(TantivyBackend, "settle", lambda self: settled.append(1))
    with _api(settings, "tantivy") as api:
        owner = api.make_user(role="contributor", team_ids=[api.make_team()["id"]])
        lessons = [lesson(title=f"Rebuilt lesson {n}") for n in range(5)]
        make_asset(api, owner, title="Rebuilt retrospect", lessons=lessons)
        _wait_for_empty_outbox(api)
        settled.clear()
        api.client.app.state.search.indexer._unsettled = 0  # type: ignore[attr-defined]
        shutil.rmtree(settings.index_dir)
        deadline = time.monotonic() + 20
        while not settled:
            assert time.monotonic() < deadline, "the rebuilt index was never settled"
            time.sleep(0.05)
