"""Throwaway databases for tests: each test gets its own SQLite file or PostgreSQL database,
copied from a template migrated once per session (migrating per test would be slow)."""

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from hindsight.service import migrations

PG_ADMIN_URL = os.environ.get(
    "HINDSIGHT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _pg_conninfo(database: str | None = None) -> str:
    url = make_url(PG_ADMIN_URL)
    if database:
        url = url.set(database=database)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def postgres_unreachable_reason() -> str | None:
    try:
        with psycopg.connect(_pg_conninfo(), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL at {make_url(PG_ADMIN_URL).render_as_string()} unreachable: {exc}"


def _admin_execute(sql: str) -> None:
    with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def pg_url(database: str) -> str:
    return make_url(PG_ADMIN_URL).set(database=database).render_as_string(hide_password=False)


@contextmanager
def postgres_template() -> Iterator[str]:
    name = f"hs_tpl_{uuid.uuid4().hex[:10]}"
    _admin_execute(f'CREATE DATABASE "{name}"')
    try:
        migrations.upgrade(pg_url(name))
        yield name
    finally:
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def postgres_database(template: str) -> Iterator[str]:
    name = f"hs_t_{uuid.uuid4().hex[:12]}"
    _admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield pg_url(name)
    finally:
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlite_template(folder: Path) -> Path:
    path = folder / "template.db"
    migrations.upgrade(f"sqlite:///{path}")
    return path


def sqlite_database(template: Path, folder: Path) -> str:
    path = folder / "hindsight.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@contextmanager
def empty_postgres_database() -> Iterator[str]:
    """A PostgreSQL database with no tables at all, as a new deployment starts."""
    name = f"hs_e_{uuid.uuid4().hex[:12]}"
    _admin_execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_url(name)
    finally:
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
