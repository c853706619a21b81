"""The indexer: drains the outbox into the search backend, at start and continuously.

Outbox rows are deleted only after the backend has committed the documents they name, and
only by id, so a crash at any point leaves them to be drained again (re-indexing a document
is harmless) and a change committed while a batch is in flight is never dropped. One process
drains at a time (see `writer_lock`); the others only read the index.
"""

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, delete, func, select
from sqlmodel import Session

from hindsight.search.base import IndexDoc, SearchBackend
from hindsight.service.db import session_scope
from hindsight.service.outbox.models import OutboxEntry
from hindsight.service.search import documents
from hindsight.service.search.index_state import IndexState
from hindsight.service.search.writer_lock import WriterLock

log = logging.getLogger("hindsight.indexer")

# Each batch is one index commit; commits dominate a large backlog, so batches are big
# (10,000 lessons drain at 2,842/s with 2,000, 2,214/s with 500; bench/search_http.py).
BATCH = 5000
# After this many changes the indexer, once idle, lets the backend settle (search.base).
SETTLE_AFTER = 5000
Progress = Callable[[int], None]


class IndexBusy(RuntimeError):
    """Another process (a running server) is the index writer."""


def _index_rows(engine: Engine, backend: SearchBackend, after: int, batch: int) -> list[int]:
    """Index up to `batch` outbox rows with ids above `after`; their ids (rows not deleted)."""
    with session_scope(engine, write=False) as db:
        rows = db.execute(
            select(OutboxEntry.id, OutboxEntry.entity_type, OutboxEntry.entity_id)
            .where(OutboxEntry.id > after)  # type: ignore[arg-type,operator]
            .order_by(OutboxEntry.id)  # type: ignore[arg-type]
            .limit(batch)
        ).all()
        if not rows:
            return []
        docs, gone = documents.load(db, [(r.entity_type, r.entity_id) for r in rows])
    if docs:
        backend.upsert(docs)
    if gone:
        backend.delete(gone)
    return [r.id for r in rows]


def _forget(engine: Engine, ids: list[int]) -> None:
    """Delete handled outbox rows, by id: a change enqueued meanwhile is never dropped."""
    with session_scope(engine) as db:
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            db.execute(delete(OutboxEntry).where(OutboxEntry.id.in_(chunk)))  # type: ignore[union-attr]
        db.commit()


def drain_batch(engine: Engine, backend: SearchBackend, batch: int | None = None) -> int:
    """Index up to `batch` (BATCH) outbox rows; returns how many were handled (0: none left)."""
    ids = _index_rows(engine, backend, 0, batch or BATCH)
    if ids:
        _forget(engine, ids)
    return len(ids)


class BulkDrain:
    """Indexes the outbox while a long write (an import) keeps adding to it, for one index
    commit at the end; see `bulk_drain`."""

    def __init__(self, engine: Engine, backend: SearchBackend, progress: Progress | None) -> None:
        self._engine, self._backend, self._progress = engine, backend, progress
        self._last = 0
        self.ids: list[int] = []

    def step(self) -> int:
        """Index every outbox row committed since the last step."""
        done = 0
        while ids := _index_rows(self._engine, self._backend, self._last, BATCH):
            self.ids += ids
            self._last = ids[-1]
            done += len(ids)
            if self._progress:
                self._progress(len(ids))
        return done


@contextmanager
def bulk_drain(
    engine: Engine, backend: SearchBackend, lock: WriterLock, progress: Progress | None = None
) -> Iterator[BulkDrain]:
    """Be the index writer for a long write: call `step()` after each of its commits; on
    leaving, the rest is indexed, the index commits once, and only then are the outbox rows
    deleted (an interruption leaves them for the next drain). Raises IndexBusy at once when a
    running server is the writer."""
    if not lock.try_acquire():
        raise IndexBusy("a running Hindsight server is indexing; it picks up these changes")
    try:
        drain = BulkDrain(engine, backend, progress)
        with backend.bulk():
            yield drain
            drain.step()
        if drain.ids:
            _forget(engine, drain.ids)
    finally:
        lock.release()


def pending(engine: Engine) -> int:
    with Session(engine) as db:
        return int(db.execute(select(func.count()).select_from(OutboxEntry)).scalar_one())


def drain_all(engine: Engine, backend: SearchBackend, progress: Progress | None = None) -> int:
    """Drain until the outbox is empty; the caller must hold the writer lock."""
    total = 0
    while done := drain_batch(engine, backend):
        total += done
        if progress:
            progress(done)
    return total


def drain_pending(
    engine: Engine, backend: SearchBackend, lock: WriterLock, progress: Progress | None = None
) -> int:
    """For the command line: drain everything now, in one index commit, unless a server is
    the writer (it will)."""
    with bulk_drain(engine, backend, lock, progress) as drain:
        pass
    return len(drain.ids)


def reindex(
    engine: Engine, backend: SearchBackend, lock: WriterLock, progress: Progress | None = None
) -> int:
    """Rebuild the index from the database. Outbox rows that existed before the rebuild read
    the database are covered by it and removed; later ones stay for the indexer."""
    if not lock.try_acquire():
        raise IndexBusy("a running Hindsight server is the index writer; stop it to reindex")
    try:
        return rebuild_from_database(engine, backend, progress)
    finally:
        lock.release()


def rebuild_from_database(
    engine: Engine, backend: SearchBackend, progress: Progress | None = None
) -> int:
    """`reindex` for a caller that already is the writer (the indexer healing an index)."""
    with session_scope(engine, write=False) as db:
        covered = db.execute(select(func.max(OutboxEntry.id))).scalar()
    indexed = 0

    def batches() -> Iterator[IndexDoc]:
        nonlocal indexed
        with session_scope(engine, write=False) as db:
            for docs in documents.iter_all(db):
                yield from docs
                indexed += len(docs)
                if progress:
                    progress(len(docs))

    backend.rebuild(batches())
    if covered is not None:
        with session_scope(engine) as db:
            db.execute(delete(OutboxEntry).where(OutboxEntry.id <= covered))  # type: ignore[arg-type,operator]
            db.commit()
    return indexed


Opener = Callable[[], SearchBackend]


def emptied(engine: Engine, backend: SearchBackend) -> str | None:
    """An index with nothing in it while the database has items lost its files (a folder
    emptied, restored from nothing): the reason to rebuild it, or None."""
    if backend.count() > 0:
        return None
    with session_scope(engine, write=False) as db:
        if documents.count_all(db) > 0:
            return "the index is empty while the database is not"
    return None


class Indexer:
    """The background drain of one app: tries to become the writer, then polls the outbox
    every `interval` seconds (a cheap indexed read), so a write is searchable well within a
    second. A failing backend (a full disk, say) is logged and retried with a back-off, its
    writer dropped so the next try starts a fresh one; the outbox keeps every change until
    it is indexed.

    It also heals the index: missing, unreadable, or empty while the database is not (found
    at start, or by `IndexState.usable` on a search), it is rebuilt from the database in this
    thread while searches answer 503. `open_fresh` wipes the index's files and opens an
    empty index; `open_existing` opens what is there (for a process that is not the writer).
    """

    def __init__(
        self,
        engine: Engine,
        state: IndexState,
        lock: WriterLock,
        *,
        open_fresh: Opener | None = None,
        open_existing: Opener | None = None,
        interval: float = 0.1,
        retry_lock_every: float = 2.0,
    ) -> None:
        self._engine = engine
        self._state = state
        self._lock = lock
        self._open_fresh = open_fresh
        self._open_existing = open_existing
        self._interval = interval
        self._retry_lock_every = retry_lock_every
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        # Held around each batch, so an explicit `drain_now` never races the thread's batch.
        self._draining = threading.Lock()
        self.is_writer = False
        self.last_error: str | None = None
        self._unsettled = 0  # changes indexed since the backend last settled
        self._checked = False  # the index was looked at once since this process became writer

    @property
    def _backend(self) -> SearchBackend:
        backend = self._state.backend
        if backend is None:
            raise RuntimeError("the search index is not open")
        return backend

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="hindsight-indexer", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look now rather than after the poll interval (the index was found broken)."""
        self._wake.set()

    def _sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self.is_writer:
            self._lock.release()
            self.is_writer = False

    def drain_now(self) -> int:
        """Index everything pending before returning (for tests and tools in this process);
        waits for a batch the thread has in flight rather than racing it."""
        with self._draining:
            return drain_all(self._engine, self._backend)

    def catch_up(self) -> int:
        """A backlog (an import straight into the database, a restore, a long stop): the
        rest of it in one index commit, as `bulk_drain` does. A commit per batch leaves
        tantivy a segment per batch to merge, and a search visits every segment (at 100,000
        lessons: 9 segments and a short query's p50 6.5 ms, against 3 and 4.4 ms). The outbox
        rows go only after that commit, so a crash in between loses nothing."""
        drain = BulkDrain(self._engine, self._backend, None)
        with self._draining:
            with self._backend.bulk():
                drain.step()
            if drain.ids:
                _forget(self._engine, drain.ids)
            log.info("caught up with a backlog of %d changes", len(drain.ids))
        return len(drain.ids)

    def _settle(self) -> None:
        """A backlog is indexed: let the backend settle, once (a failure is only logged: the
        index is complete, only slower to search)."""
        self._unsettled = 0
        try:
            self._backend.settle()
            log.info("search index settled after a backlog")
        except Exception:  # (searching works without it)
            log.exception("settling the search index failed")

    def _needs_healing(self) -> str | None:
        """Why the index must be rebuilt, or None."""
        backend = self._state.backend
        if self._state.status != "ok" or backend is None:
            return self._state.reason or "the index is not open"
        if not backend.intact():
            return "the index folder lost its files"
        if not self._checked:
            self._checked = True
            return emptied(self._engine, backend)
        return None

    def heal(self, reason: str) -> int:
        """Rebuild the index from the database, searches answering 503 meanwhile."""
        with self._draining:
            with session_scope(self._engine, write=False) as db:
                total = documents.count_all(db)
            log.warning("rebuilding the search index from the database (%d items): %s",
                        total, reason)  # fmt: skip
            self._state.rebuilding(total)
            old = self._state.take()
            if old is not None:
                try:
                    old.close()
                except Exception:  # (a broken index may fail to close; it is replaced)
                    log.warning("closing the broken index failed", exc_info=True)
            if self._open_fresh is None:  # nothing on disk to replace: rebuild in place
                assert old is not None
                fresh = old
            else:
                # The writer lock file may have gone with the folder: take the new one.
                self._lock.release()
                fresh = self._open_fresh()
                self.is_writer = self._lock.try_acquire()
                if not self.is_writer:
                    log.info("another process became the index writer; it rebuilds")
                    self._state.replace(fresh)
                    return 0
            indexed = rebuild_from_database(self._engine, fresh, self._state.advance)
            self._state.replace(fresh)
            log.info("search index rebuilt: %d items", indexed)
            return indexed

    def _follow(self) -> None:
        """Not the writer: reopen the index once the writer has rebuilt it."""
        backend = self._state.backend
        if self._open_existing is None or (
            self._state.status == "ok" and backend is not None and backend.intact()
        ):
            return
        try:
            fresh = self._open_existing()
        except Exception:  # (still being rebuilt: try again later)
            return
        if fresh.intact():
            old = self._state.replace(fresh)
            if old is not None and old is not fresh:
                old.close()

    def _run(self) -> None:
        backoff = self._interval
        while not self._stop.is_set():
            if not self.is_writer:
                self.is_writer = self._lock.try_acquire()
                if not self.is_writer:
                    self._follow()
                    self._sleep(self._retry_lock_every)
                    continue
                self._checked = False
                log.info("this process is the index writer")
            try:
                reason = self._needs_healing()
                if reason is not None:
                    # A rebuild is a backlog too: PostgreSQL needs fresh statistics after it.
                    self._unsettled += self.heal(reason)
                    continue
                with self._draining:
                    done = drain_batch(self._engine, self._backend)
                if done >= BATCH and self._backend.defers_commits:
                    done += self.catch_up()
            except Exception as exc:  # (keep draining after any failure)
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("indexing failed; the outbox keeps the changes, retrying")
                backend = self._state.backend
                if backend is not None:
                    backend.reset_writer()
                backoff = min(backoff * 2, 10.0)
                self._sleep(backoff)
                continue
            self.last_error = None
            backoff = self._interval
            self._unsettled += done
            if done == 0 and self._unsettled >= SETTLE_AFTER:
                self._settle()
            elif done == 0:
                self._sleep(self._interval)
