"""Exactly one index writer at a time, across worker processes and replicas.

Tantivy and Whoosh allow one writer per index folder, so the embedded backends take an
exclusive `flock` on a file beside the index: the kernel drops it when the holding process
dies, even on kill -9, and another worker takes over on its next try. The postgres backend
shares one index between replicas, so its writer holds a session-level advisory lock (scoped
to the database, released when the connection closes)."""

import fcntl
import os
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, text

# Any fixed 64-bit number; it names "the Hindsight indexer" among advisory locks.
_ADVISORY_KEY = 0x48_49_4E_44_53_49_47
LOCK_NAME = "writer.lock"  # beside the index's own files, in its folder


class WriterLock(Protocol):
    def try_acquire(self) -> bool: ...

    def release(self) -> None: ...


class FileLock:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None


class AdvisoryLock:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Any = None

    def try_acquire(self) -> bool:
        if self._conn is not None:
            return True
        conn = self._engine.connect()
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _ADVISORY_KEY}).scalar()
        conn.commit()
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _ADVISORY_KEY})
                self._conn.commit()
            finally:
                self._conn.close()
                self._conn = None


def lock_for(backend_name: str, index_dir: Path, engine: Engine) -> WriterLock:
    if backend_name == "postgres":
        return AdvisoryLock(engine)
    return FileLock(index_dir / LOCK_NAME)
