"""The job runner: claims due jobs, runs their handlers, records the outcome.

Claiming is one short transaction that marks the rows `running` under a lease. On
PostgreSQL it selects with `FOR UPDATE SKIP LOCKED`, so any number of runners (replicas,
`hindsight worker` processes) share the queue and no row is claimed twice. On SQLite only
the process holding a file lock in the data folder runs jobs; the kernel drops the lock when
that process dies (even on kill -9), and the next holder puts back every job left `running`,
since no other runner can be behind them.

A handler runs outside any transaction of the runner's. If the process dies in the middle,
the job stays `running` until its lease ends and is then claimed again: every job runs at
least once, and handlers are written to be safe to repeat (a webhook delivery keeps its
`webhook-id`, a notification has a unique key).

The runner is a thread pool started by the app (or by `hindsight worker`), not an asyncio
task: the handlers are blocking code (SQLAlchemy sessions, an HTTP POST with a 15 s timeout,
SMTP), and in threads they never hold up the event loop that answers requests.
"""

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, or_, select, update
from sqlmodel import Session

from hindsight.service.columns import utcnow
from hindsight.service.db import session_scope
from hindsight.service.jobs.models import Job
from hindsight.service.search.writer_lock import FileLock

log = logging.getLogger("hindsight.jobs")

# A job that keeps failing is retried after 5 s, 10 s, 20 s, ... up to an hour, then given
# up (marked failed, with its last error kept) after this many attempts.
MAX_ATTEMPTS = 10
MAX_BACKOFF = timedelta(hours=1)


class RetryLater(Exception):
    """Raised by a handler that wants to run again at `at` (a webhook's retry schedule, an
    item not indexed yet). `failed=True` ends the job instead: nothing more to try."""

    def __init__(self, reason: str, *, at: datetime | None = None, failed: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.at, self.failed = reason, at, failed


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


Handler = Callable[[Claimed], None]
Periodic = Callable[[Session, datetime], None]


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=5 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _due(now: datetime) -> Any:
    waiting = and_(Job.status == "pending", Job.run_at <= now)  # type: ignore[arg-type,operator]
    abandoned = and_(Job.status == "running", Job.lease_until < now)  # type: ignore[arg-type,operator]
    return or_(waiting, abandoned)


def claim(engine: Engine, worker_id: str, limit: int, lease: timedelta) -> list[Claimed]:
    """Mark up to `limit` due jobs as ours for `lease`; a read first, so an idle poll takes
    no write lock (SQLite has one for the whole database)."""
    now = utcnow()
    with session_scope(engine, write=False) as db:
        if db.execute(select(Job.id).where(_due(now)).limit(1)).first() is None:
            return []
    with session_scope(engine) as db:
        stmt = select(Job).where(_due(now)).order_by(Job.run_at, Job.id).limit(limit)  # type: ignore[arg-type]
        if engine.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        jobs = list(db.execute(stmt).scalars())
        claimed = []
        for job in jobs:
            job.status, job.claimed_by = "running", worker_id
            job.lease_until, job.attempts = now + lease, job.attempts + 1
            assert job.id is not None
            claimed.append(Claimed(job.id, job.kind, dict(job.payload), job.attempts))
        db.commit()
    return claimed


def _settle(engine: Engine, job: Claimed, worker_id: str, **values: Any) -> None:
    """Record the outcome, unless the lease ran out and another runner took the job."""
    with session_scope(engine) as db:
        db.execute(
            update(Job)
            .where(Job.id == job.id, Job.status == "running", Job.claimed_by == worker_id)  # type: ignore[arg-type]
            .values(lease_until=None, **values)
        )
        db.commit()


def run_one(engine: Engine, handlers: Mapping[str, Handler], job: Claimed, worker_id: str) -> None:
    handler = handlers.get(job.kind)
    try:
        if handler is None:
            raise RetryLater(f"no handler for jobs of kind {job.kind!r}", failed=True)
        handler(job)
    except RetryLater as later:
        if later.failed:
            _settle(
                engine,
                job,
                worker_id,
                status="failed",
                last_error=later.reason,
                finished_at=utcnow(),
            )
        else:
            _settle(
                engine,
                job,
                worker_id,
                status="pending",
                last_error=later.reason,
                run_at=later.at or utcnow() + backoff(job.attempts),
            )
        return
    except Exception as exc:  # (a job's failure must never stop the runner)
        log.exception("job %d (%s) failed on attempt %d", job.id, job.kind, job.attempts)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if job.attempts >= MAX_ATTEMPTS:
            _settle(engine, job, worker_id, status="failed", last_error=error, finished_at=utcnow())
        else:
            _settle(
                engine,
                job,
                worker_id,
                status="pending",
                last_error=error,
                run_at=utcnow() + backoff(job.attempts),
            )
        return
    _settle(engine, job, worker_id, status="done", last_error=None, finished_at=utcnow())


def release_abandoned(engine: Engine, worker_id: str | None = None) -> int:
    """Put `running` jobs back to `pending`: every one (only when this runner is the only
    one), or those claimed by `worker_id` (its own, claimed but never started, at a stop)."""
    stmt = update(Job).where(Job.status == "running")  # type: ignore[arg-type]
    if worker_id is not None:
        stmt = stmt.where(Job.claimed_by == worker_id)  # type: ignore[arg-type]
    with session_scope(engine) as db:
        result = db.execute(stmt.values(status="pending", lease_until=None))
        db.commit()
        return int(result.rowcount or 0)


class Runner:
    """The background runner of one process; see the module docstring."""

    def __init__(
        self,
        engine: Engine,
        handlers: Mapping[str, Handler],
        *,
        lock_path: Any,
        threads: int = 4,
        poll_seconds: float = 0.25,
        lease: timedelta = timedelta(seconds=60),
        periodic: list[Periodic] | None = None,
        periodic_every: float = 30.0,
    ) -> None:
        self.engine = engine
        self.handlers = handlers
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._lock = FileLock(lock_path) if engine.dialect.name == "sqlite" else None
        self._threads = threads
        self._poll = poll_seconds
        self._lease = lease
        self._periodic = periodic or []
        self._periodic_every = periodic_every
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self.is_runner = False
        self.last_error: str | None = None

    def start(self) -> None:
        self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="hindsight-job")
        self._thread = threading.Thread(target=self._run, name="hindsight-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self._pool is not None:
            # Jobs in progress finish; those claimed but not started go back to the queue
            # at once, rather than after their lease.
            self._pool.shutdown(wait=True, cancel_futures=True)
            if self.is_runner:
                release_abandoned(self.engine, self.worker_id)
        if self._lock is not None:
            self._lock.release()
        self.is_runner = False

    def wake(self) -> None:
        """Look for due jobs now rather than at the next poll."""
        self._wake.set()

    def run_periodic(self, now: datetime | None = None) -> None:
        """Queue the sweeps that are due (each under a key of its period, so this is safe
        to call from every replica, as often as it likes)."""
        with session_scope(self.engine) as db:
            for schedule in self._periodic:
                schedule(db, now or utcnow())
            db.commit()

    def run_until_idle(self, *, max_jobs: int = 10_000) -> int:
        """Run every due job in this thread until none is due (tests and tools); returns
        how many ran."""
        done = 0
        while done < max_jobs:
            batch = claim(self.engine, self.worker_id, 50, self._lease)
            if not batch:
                return done
            for job in batch:
                run_one(self.engine, self.handlers, job, self.worker_id)
            done += len(batch)
        return done

    def _become_runner(self) -> bool:
        if self._lock is None:
            return True
        if not self._lock.try_acquire():
            return False
        # Only the lock holder runs jobs on SQLite: whatever is `running` was left by a
        # process that died (or this one, before a restart).
        try:
            released = release_abandoned(self.engine)
        except Exception:
            # Let go, so the next try (or another process) starts clean once the database
            # answers again.
            self._lock.release()
            raise
        if released:
            log.info("took back %d jobs left running by a stopped process", released)
        return True

    def _run(self) -> None:
        assert self._pool is not None
        inflight: set[Future[None]] = set()
        next_periodic = 0.0
        clock = threading.Event()  # only for waiting
        while not self._stop.is_set():
            try:
                if not self.is_runner:
                    self.is_runner = self._become_runner()
                    if not self.is_runner:
                        self._stop.wait(2.0)
                        continue
                    log.info("this process runs background jobs (%s)", self.worker_id)
                now = utcnow().timestamp()
                if now >= next_periodic:
                    self.run_periodic()
                    next_periodic = now + self._periodic_every
                inflight = {f for f in inflight if not f.done()}
                # Claim a little ahead of the free threads, so a thread that finishes finds
                # its next job waiting instead of waiting for the next claim.
                free = 2 * self._threads - len(inflight)
                batch = claim(self.engine, self.worker_id, free, self._lease) if free > 0 else []
                for job in batch:
                    future = self._pool.submit(
                        run_one, self.engine, self.handlers, job, self.worker_id
                    )
                    future.add_done_callback(lambda _f: self._wake.set())
                    inflight.add(future)
                self.last_error = None
            except Exception as exc:  # (a database hiccup: log, wait, go on)
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("the job runner could not claim jobs; retrying")
                batch = []
                clock.wait(min(self._poll * 8, 5.0))
            if not batch or len(inflight) >= 2 * self._threads:
                # Woken early by a finished job (there may be more due) or by `wake`.
                self._wake.wait(self._poll)
                self._wake.clear()
