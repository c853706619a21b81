"""How `hindsight serve` starts on a database whose schema is not the code's: PostgreSQL
refuses in one line naming the remedy unless told `--migrate`; SQLite upgrades itself."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hindsight.service import migrations
from tests import databases
from tests.e2e.server import Server, free_port

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    reason = databases.postgres_unreachable_reason()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"CI=true and {reason}", pytrace=False)
        pytest.skip(reason)
    with databases.empty_postgres_database() as url:
        yield url


def _serve_and_exit(database_url: str, folder: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HINDSIGHT_DATABASE_URL": database_url,
        "HINDSIGHT_DATA_DIR": str(folder),
        "HINDSIGHT_INDEX_DIR": str(folder / "index"),
        "COLUMNS": "60",  # a narrow terminal must not fold the message
    }
    command = [sys.executable, "-m", "hindsight.service.cli", "serve", "--port", str(free_port())]
    return subprocess.run(
        command, env=env, cwd=folder, capture_output=True, text=True, timeout=120, check=False
    )


def test_serve_refuses_an_empty_postgres_in_one_line(empty_postgres: str, tmp_path: Path) -> None:
    ran = _serve_and_exit(empty_postgres, tmp_path)
    assert ran.returncode == 1
    lines = ran.stderr.strip().splitlines()
    needs = ", ".join(migrations.code_heads())
    assert lines == [
        f"error: database schema is empty, code needs {needs}: run `hindsight migrate` "
        "(or start with `hindsight serve --migrate`)"
    ]


def test_serve_refuses_a_postgres_schema_behind_the_code(
    empty_postgres: str, tmp_path: Path
) -> None:
    migrations.upgrade(empty_postgres, "0008")
    ran = _serve_and_exit(empty_postgres, tmp_path)
    assert ran.returncode == 1
    [line] = ran.stderr.strip().splitlines()
    assert line.startswith("error: database schema at 0008, code needs ")
    assert "run `hindsight migrate`" in line


def test_serve_with_migrate_upgrades_postgres_first(empty_postgres: str, tmp_path: Path) -> None:
    server = Server(empty_postgres, tmp_path).start("--migrate")
    try:
        assert httpx.get(f"{server.url}/healthz").json()["database"] == "ok"
    finally:
        server.kill()
    # Once migrated, a plain start is accepted.
    server.start()
    try:
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    finally:
        server.kill()


def test_sqlite_upgrades_itself_on_start(tmp_path: Path) -> None:
    server = Server(f"sqlite:///{tmp_path}/new.db", tmp_path).start()
    try:
        assert httpx.get(f"{server.url}/healthz").json()["database"] == "ok"
    finally:
        server.kill()
