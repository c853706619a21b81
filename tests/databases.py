"""Throwaway databases for tests: each test gets its own SQLite file or PostgreSQL database,
copied from a template migrated once per session (migrating per test would be slow)."""

import os
import queue
import shutil
import threading
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
        with _copies_lock:
            copies = _copies.pop(name, None)
        if copies is not None:
            copies.close()
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class _Copies:
    """Copies of one template, made ahead by a thread and dropped behind by another, so a
    test waits for neither (each costs about 0.1 s, and most tests run on PostgreSQL)."""

    AHEAD = 2

    def __init__(self, template: str) -> None:
        self.template = template
        self.ready: queue.Queue[str | BaseException] = queue.Queue(maxsize=self.AHEAD)
        self.used: queue.Queue[str | None] = queue.Queue()
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._make, name="test-db-maker", daemon=True),
            threading.Thread(target=self._drop, name="test-db-dropper", daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    def _make(self) -> None:
        while not self.stopping.is_set():
            name = f"hs_t_{uuid.uuid4().hex[:12]}"
            try:
                _admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
            except BaseException as exc:  # handed to the test that waits for it
                self.ready.put(exc)
                return
            while True:
                try:
                    self.ready.put(name, timeout=0.2)
                    break
                except queue.Full:
                    if self.stopping.is_set():
                        self.used.put(name)
                        return

    def _drop(self) -> None:
        while (name := self.used.get()) is not None:
            _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def take(self) -> str:
        made = self.ready.get(timeout=120)
        if isinstance(made, BaseException):
            raise made
        return made

    def give_back(self, name: str) -> None:
        self.used.put(name)

    def close(self) -> None:
        self.stopping.set()
        self.threads[0].join(timeout=60)
        while not self.ready.empty():
            left = self.ready.get_nowait()
            if isinstance(left, str):
                self.used.put(left)
        self.used.put(None)
        self.threads[1].join(timeout=120)


_copies: dict[str, _Copies] = {}
_copies_lock = threading.Lock()


@contextmanager
def postgres_database(template: str) -> Iterator[str]:
    with _copies_lock:
        copies = _copies.get(template) or _copies.setdefault(template, _Copies(template))
    name = copies.take()
    try:
        yield pg_url(name)
    finally:
        copies.give_back(name)


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
