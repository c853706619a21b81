import subprocess
import sys
import threading
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from hindsight.schemas.enums import Role
from hindsight.service.auth import Principal, hash_secret, new_secret
from hindsight.service.db import make_engine, open_session
from hindsight.service.idempotency import fingerprint
from hindsight.service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_run_the_embedded_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HINDSIGHT_DATABASE_URL", "HINDSIGHT_SEARCH_BACKEND", "HINDSIGHT_ADMIN_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == "sqlite:///./data/hindsight.db"
    assert settings.index_dir == Path("data/index")
    assert settings.search_backend == "tantivy"
    assert settings.admin_token is None


def test_settings_come_from_hindsight_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HINDSIGHT_SEARCH_BACKEND", "whoosh")
    monkeypatch.setenv("HINDSIGHT_ADMIN_TOKEN", "s3cret-key")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.search_backend == "whoosh"
    assert settings.admin_secret() == "s3cret-key"
    assert "s3cret-key" not in repr(settings)


def test_unknown_database_scheme_is_refused() -> None:
    with pytest.raises(ValidationError, match="sqlite:// or postgresql"):
        Settings(_env_file=None, database_url="mysql://x")  # type: ignore[call-arg]


def test_importing_the_app_reads_no_settings_and_creates_nothing(tmp_path: Path) -> None:
    code = "import hindsight.service.app, hindsight.service.cli, hindsight.service.models"
    env = {"PATH": "", "PYTHONPATH": str(ROOT), "HINDSIGHT_DATABASE_URL": "nonsense://"}
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True)
    assert list(tmp_path.iterdir()) == []


def test_sqlite_runs_wal_with_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(Settings(_env_file=None, database_url=f"sqlite:///{tmp_path}/a.db"))  # type: ignore[call-arg]
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
    engine.dispose()


def test_concurrent_read_then_write_sessions_never_see_database_is_locked(tmp_path: Path) -> None:
    engine = make_engine(Settings(_env_file=None, database_url=f"sqlite:///{tmp_path}/c.db"))  # type: ignore[call-arg]
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    errors: list[Exception] = []

    def bump() -> None:
        try:
            for _ in range(20):
                with open_session(engine, write=True) as db:
                    n = db.execute(text("SELECT n FROM counter")).scalar_one()
                    db.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
                    db.commit()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine.connect() as conn:
        # Read-then-write under BEGIN IMMEDIATE also loses no update.
        assert conn.execute(text("SELECT n FROM counter")).scalar() == 160
    engine.dispose()


def test_roles_include_the_ones_before() -> None:
    reviewer = Principal(user_id=1, name="r", role=Role.reviewer)
    assert reviewer.has_role(Role.reader) and reviewer.has_role(Role.contributor)
    assert reviewer.has_role(Role.reviewer) and not reviewer.has_role(Role.admin)


def test_secrets_are_random_and_hashed_one_way() -> None:
    first, second = new_secret(), new_secret()
    assert first != second and first.startswith("hs_") and len(first) > 40
    assert hash_secret(first) != first and len(hash_secret(first)) == 64


def test_fingerprint_ignores_json_spacing_but_not_content_or_path() -> None:
    a = fingerprint("POST", "/v1/teams", b'{"a": 1, "b": 2}')
    assert a == fingerprint("POST", "/v1/teams", b'{"b":2,"a":1}')
    assert a != fingerprint("POST", "/v1/teams", b'{"a": 2, "b": 2}')
    assert a != fingerprint("POST", "/v1/users", b'{"a": 1, "b": 2}')
