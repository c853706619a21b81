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
LONG_KEY = "s3cret-key-long-enough-to-be-accepted"


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
    monkeypatch.setenv("HINDSIGHT_ADMIN_TOKEN", LONG_KEY)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.search_backend == "whoosh"
    assert settings.admin_secret() == LONG_KEY
    assert LONG_KEY not in repr(settings)


def test_the_database_password_stays_out_of_repr_and_str() -> None:
    url = "postgresql+psycopg://hindsight:pa55word-xyz@db.example.org/hindsight"
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    for shown in (repr(settings), str(settings)):
        assert "pa55word-xyz" not in shown
        assert "hindsight:***@db.example.org" in shown
    assert settings.database_url == url  # still usable


def test_a_short_bootstrap_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(_env_file=None, admin_token="change-me-admin-key")  # type: ignore[call-arg]


def test_serve_refuses_a_short_key_in_one_line(tmp_path: Path) -> None:
    env = {
        "PATH": "",
        "PYTHONPATH": str(ROOT),
        "HINDSIGHT_ADMIN_TOKEN": "short",
        "HINDSIGHT_DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}",
        "COLUMNS": "200",
    }
    done = subprocess.run(
        [sys.executable, "-m", "hindsight.service.cli", "serve", "--port", "1"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "HINDSIGHT_ADMIN_TOKEN" in lines[0] and "at least 32 characters" in lines[0]
    assert "short" not in lines[0].replace("HINDSIGHT", "")


def test_sql_errors_carry_no_bound_values(tmp_path: Path) -> None:
    engine = make_engine(Settings(_env_file=None, database_url=f"sqlite:///{tmp_path}/p.db"))  # type: ignore[call-arg]
    with pytest.raises(Exception) as caught, engine.connect() as conn:
        conn.execute(text("SELECT * FROM no_such_table WHERE x = :v"), {"v": "hash-abc123"})
    assert "hash-abc123" not in str(caught.value)
    engine.dispose()


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
