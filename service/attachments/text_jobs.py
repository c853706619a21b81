"""Attachment text off the request path: the pending rows are the queue, a thread works it.

An upload stores the file and answers at once with `text_status: pending`. The row is the
job: it survives a restart (on start, claims of a dead process are dropped and the rows
picked up again). A worker claims one row with a lease (a compare-and-set UPDATE, so two
processes or replicas never read one file at once, on SQLite and PostgreSQL alike), reads
the file in a child process under limits (`worker.run`), then stores the text, the status
and an outbox row for the asset in one commit, so search finds the text once the indexer
has drained it. One file at a time per process: extraction must not starve searches.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, or_, select, update

from hindsight.schemas.enums import TextStatus
from hindsight.service.attachments import worker
from hindsight.service.attachments.models import Attachment
from hindsight.service.attachments.store import BlobStore
from hindsight.service.columns import utcnow
from hindsight.service.db import session_scope
from hindsight.service.outbox import service as outbox

log = logging.getLogger("hindsight.attachments")

ASSET_ENTITY = "asset"


@dataclass(frozen=True)
class Job:
    attachment_id: int
    asset_id: int
    sha256: str
    content_type: str


def _claimable(now: object) -> object:
    return (Attachment.text_status == TextStatus.pending) & or_(
        Attachment.text_lease_until.is_(None),  # type: ignore[union-attr]
        Attachment.text_lease_until < now,  # type: ignore[operator]
    )


def claim_next(engine: Engine, lease: timedelta) -> Job | None:
    """The oldest pending attachment nobody holds, now held by us until the lease ends."""
    with session_scope(engine) as db:
        now = utcnow()
        rows = db.execute(
            select(Attachment.id, Attachment.asset_id, Attachment.sha256, Attachment.content_type)
            .where(_claimable(now))  # type: ignore[arg-type]
            .order_by(Attachment.id)
            .limit(8)
        ).all()
        for row in rows:
            claimed = db.execute(
                update(Attachment)
                .where(Attachment.id == row.id, _claimable(now))  # type: ignore[arg-type]
                .values(text_lease_until=now + lease)
            )
            if claimed.rowcount == 1:  # type: ignore[attr-defined]
                db.commit()
                return Job(row.id, row.asset_id, row.sha256, row.content_type)
        db.commit()
    return None


def complete(engine: Engine, job: Job, outcome: worker.Outcome) -> None:
    """Store what the worker found; the asset is re-indexed when text was found. An
    attachment deleted meanwhile is simply gone: nothing to store."""
    with session_scope(engine) as db:
        text = outcome.text or ""
        stored = db.execute(
            update(Attachment)
            .where(Attachment.id == job.attachment_id, Attachment.text_status == "pending")
            .values(
                text=text,
                has_text=bool(text),
                text_status=TextStatus.done if text else TextStatus.skipped,
                text_status_reason=None if text else outcome.reason or "no text was found",
                text_lease_until=None,
            )
        )
        if stored.rowcount == 1 and text:  # type: ignore[attr-defined]
            outbox.enqueue(db, entity_type=ASSET_ENTITY, entity_id=job.asset_id)
        db.commit()


def release_all(engine: Engine) -> int:
    """On start: drop every claim, so rows a killed process held are read again (a live
    replica's claim dropped too costs one duplicate read, of the same result)."""
    with session_scope(engine) as db:
        released = db.execute(
            update(Attachment)
            .where(
                Attachment.text_status == TextStatus.pending,
                Attachment.text_lease_until.is_not(None),  # type: ignore[union-attr]
            )
            .values(text_lease_until=None)
        ).rowcount  # type: ignore[attr-defined]
        db.commit()
    return int(released)


class TextWorker:
    """The thread that works the queue of one process; `wake()` after an upload."""

    def __init__(
        self, engine: Engine, blobs: BlobStore, limits: worker.Limits, *, poll_seconds: float
    ) -> None:
        self._engine = engine
        self._blobs = blobs
        self._limits = limits
        self._poll = poll_seconds
        self._lease = timedelta(seconds=limits.wall_seconds + 60)
        self._wake = threading.Event()
        self._stop = threading.Event()
        # Held around each job, so `run_until_idle` waits for the one in flight.
        self._working = threading.Lock()
        self._thread: threading.Thread | None = None
        self.last: worker.Outcome | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="hindsight-text", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def wake(self) -> None:
        self._wake.set()

    def run_one(self) -> bool:
        """Claim and read one pending file; False when there was none."""
        with self._working:
            job = claim_next(self._engine, self._lease)
            if job is None:
                return False
            path = self._blobs.path_for(job.sha256)
            if not path.is_file():
                outcome = worker.Outcome(None, "the file is no longer stored", 0.0, 0)
            else:
                try:
                    outcome = worker.run(path, job.content_type, self._limits, cancel=self._stop)
                except worker.Cancelled:
                    # Stopping: the row stays pending and is read again at the next start.
                    return False
            complete(self._engine, job, outcome)
            self.last = outcome
            log.info(
                "attachment %d: %s in %.2f s of CPU, peak %d MiB",
                job.attachment_id,
                "text read" if outcome.text else f"no text ({outcome.reason})",
                outcome.cpu_seconds,
                outcome.peak_rss_bytes // worker.MIB,
            )
            return True

    def run_until_idle(self) -> int:
        """Read every pending file before returning (tests and tools in this process)."""
        done = 0
        while self.run_one():
            done += 1
        return done

    def _run(self) -> None:
        released = False
        while not self._stop.is_set():
            try:
                # In the thread: a database that is down at start must not stop the app
                # (its /healthz says so); the claims are dropped once it answers.
                if not released:
                    release_all(self._engine)
                    released = True
                if self.run_one():
                    continue
            except Exception:  # (a database hiccup: the row stays pending, retried later)
                log.exception("reading attachment text failed; retrying")
            self._wake.wait(self._poll)
            self._wake.clear()
