"""Periodic chores of a running app, on one small daemon thread: for now, dropping
idempotency records older than their replay window (`idempotency.prune`), which would
otherwise pile up for ever (every create with an Idempotency-Key leaves one)."""

import logging
import threading

from sqlalchemy import Engine

from hindsight.service import idempotency
from hindsight.service.db import session_scope

log = logging.getLogger("hindsight.housekeeping")


class Housekeeper:
    def __init__(self, engine: Engine, *, ttl_hours: int, every_seconds: float) -> None:
        self._engine = engine
        self._ttl_hours = ttl_hours
        self._every = every_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name="hindsight-housekeeping", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def run_once(self) -> int:
        with session_scope(self._engine) as db:
            return idempotency.prune(db, ttl_hours=self._ttl_hours)

    def _run(self) -> None:
        # At start too: a server restarted daily would otherwise never reach its first hour.
        while not self._stop.is_set():
            try:
                gone = self.run_once()
                if gone:
                    log.info("pruned %d expired idempotency records", gone)
            except Exception:  # (a busy or unreachable database: try again next time)
                log.exception("pruning idempotency records failed; retrying later")
            self._stop.wait(self._every)
