"""Helpers the benchmarks share: opening each backend, a throwaway PostgreSQL database."""

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from hindsight.search.base import SearchBackend
from hindsight.search.factory import open_backend
from hindsight.service import migrations


def _conninfo(url: str, database: str | None = None) -> str:
    u = make_url(url)
    if database:
        u = u.set(database=database)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def backend(name: str, folder: Path, postgres_url: str | None) -> Iterator[SearchBackend]:
    """`name`'s backend over an empty index; postgres gets its own migrated database in the
    server behind `postgres_url`, dropped afterwards."""
    if name != "postgres":
        opened = open_backend(name, index_dir=folder / name)
        try:
            yield opened
        finally:
            opened.close()
        return
    assert postgres_url, "--postgres-url is needed for the postgres backend"
    db = f"hs_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_conninfo(postgres_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')  # type: ignore[arg-type]
    url = make_url(postgres_url).set(database=db).render_as_string(hide_password=False)
    try:
        migrations.upgrade(url)
        engine = create_engine(url)
        try:
            yield open_backend("postgres", engine=engine)
        finally:
            engine.dispose()
    finally:
        with psycopg.connect(_conninfo(postgres_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')  # type: ignore[arg-type]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Timer:
    def __enter__(self) -> "Timer":
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start
