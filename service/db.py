"""Engines and sessions for SQLite and PostgreSQL.

SQLite runs in WAL mode with foreign keys on and a busy timeout. A session that will write
starts its transaction with `BEGIN IMMEDIATE`: a deferred transaction that reads and then
writes cannot wait for the lock (SQLite answers "database is locked" at once to avoid a
deadlock), while an immediate one queues behind the current writer for the busy timeout.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

from hindsight.service.settings import Settings

_BEGIN_OPTION = "hindsight_sqlite_begin"


def make_engine(settings: Settings) -> Engine:
    """Build the engine for `settings.database_url`; creates the SQLite file's folder."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(
            url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True
        )

    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={
            "check_same_thread": False,
            "timeout": settings.sqlite_busy_timeout_ms / 1000,
        },
        pool_size=10,
        max_overflow=20,
        # Bound values (token hashes, emails, text) stay out of errors and their log lines.
        hide_parameters=True,
    )
    busy_ms = settings.sqlite_busy_timeout_ms

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy's "begin" event below.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def open_session(engine: Engine, *, write: bool = True) -> Session:
    """A session whose first statement opens a write (immediate) or read transaction."""
    session = Session(engine, expire_on_commit=False)
    if engine.dialect.name == "sqlite":
        session.connection(execution_options={_BEGIN_OPTION: "IMMEDIATE" if write else "DEFERRED"})
    return session


@contextmanager
def session_scope(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """For the command line and background jobs: closing discards anything not committed."""
    session = open_session(engine, write=write)
    try:
        yield session
    finally:
        session.close()


P = ParamSpec("P")
R = TypeVar("R")


def call_in_session(
    engine: Engine,
    write: bool,
    action: Callable[Concatenate[Session, P], R],
    *args: P.args,
    **kwargs: P.kwargs,
) -> R:
    """Run one use case in a session of its own (for async routes, through the thread pool,
    when the request's session must not stay open while a body streams)."""
    with open_session(engine, write=write) as db:
        return action(db, *args, **kwargs)
