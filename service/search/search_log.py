"""Every search, logged for the learning metrics without slowing the search down.

Entries are buffered in memory and written in one transaction every half second by a small
thread of each process, instead of one write per search (on SQLite a write per search would
queue every search behind the database's single writer). A crash loses at most the last
half second of log entries; it never loses content anyone wrote.
"""

import logging
import threading
from typing import Any

from sqlalchemy import Engine, insert

from hindsight.service.columns import utcnow
from hindsight.service.db import session_scope
from hindsight.service.search.models import SearchLogEntry

log = logging.getLogger("hindsight.search_log")
MAX_QUERY = 2000


class SearchLog:
    def __init__(self, engine: Engine, *, every: float = 0.5) -> None:
        self._engine = engine
        self._every = every
        self._buffer: list[dict[str, Any]] = []
        self._mutex = threading.Lock()
        # One flush at a time: an explicit flush must not return while the thread's flush of
        # the entries it took is still writing them (a reader would miss them).
        self._flushing = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def record(
        self,
        *,
        query: str,
        filters: dict[str, Any],
        result_count: int,
        user_id: int | None,
        team_ids: frozenset[int],
        source: str = "search",
    ) -> None:
        entry = {
            "query": query[:MAX_QUERY],
            "filters": filters,
            "result_count": result_count,
            "user_id": user_id,
            "team_ids": sorted(team_ids),
            "source": source,
            "created_at": utcnow(),
        }
        with self._mutex:
            self._buffer.append(entry)

    def flush(self) -> int:
        with self._flushing:
            with self._mutex:
                entries, self._buffer = self._buffer, []
            if not entries:
                return 0
            try:
                with session_scope(self._engine) as db:
                    db.execute(insert(SearchLogEntry), entries)
                    db.commit()
            except Exception:
                with self._mutex:  # keep them for the next try
                    self._buffer[:0] = entries
                raise
            return len(entries)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="hindsight-search-log", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        try:
            self.flush()
        except Exception:  # (shutting down: report, do not mask the exit)
            log.exception("could not write the last search log entries")

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            try:
                self.flush()
            except Exception:
                log.exception("could not write search log entries; retrying")
