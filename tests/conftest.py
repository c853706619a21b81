"""Fixtures: every test runs once on SQLite and once on PostgreSQL, each time with its own
database, index folder and app from `create_app(Settings(...))`.

With CI=true an unreachable PostgreSQL fails the run; elsewhere those tests skip with why.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from hindsight.service.app import create_app
from hindsight.service.settings import Settings
from hindsight.service.users import passwords
from tests import databases
from tests.factories import ADMIN_TOKEN, Api

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    """Argon2id still, at its smallest cost: the product's parameters take 0.14 s a hash and
    the page tests hash hundreds of passwords. Servers the e2e tests start keep the real cost."""
    cheap = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", lambda: cheap)
        passwords._dummy_hash.cache_clear()
        yield
    passwords._dummy_hash.cache_clear()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return databases.sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def _postgres_template() -> Iterator[str]:
    reason = databases.postgres_unreachable_reason()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"CI=true and {reason}", pytrace=False)
        pytest.skip(reason)
    with databases.postgres_template() as name:
        yield name


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield databases.sqlite_database(request.getfixturevalue("_sqlite_template"), tmp_path)
        return
    template = request.getfixturevalue("_postgres_template")
    with databases.postgres_database(template) as url:
        yield url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        data_dir=tmp_path,
        index_dir=tmp_path / "index",
        admin_token=ADMIN_TOKEN,
        # API tests index explicitly (`index_now`), so the outbox holds still while they look.
        index_poll_seconds=3600,
        # And run background jobs explicitly (`run_jobs`), for the same reason.
        run_worker=False,
    )


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)
