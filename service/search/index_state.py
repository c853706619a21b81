"""Whether search can answer now: the backend the routes use, shared with the indexer that
heals it. While the index is missing or being rebuilt, search paths answer 503
`index_unavailable` with `Retry-After` instead of failing, or worse, answering from half an
index as if it were whole."""

import threading
from collections.abc import Callable
from typing import Literal

from hindsight.search.base import SearchBackend
from hindsight.service.errors import IndexUnavailable

Status = Literal["ok", "rebuilding", "unavailable"]


class IndexState:
    def __init__(self, backend: SearchBackend | None, reason: str = "") -> None:
        self._lock = threading.Lock()
        self._backend = backend
        self.status: Status = "ok" if backend is not None and not reason else "unavailable"
        self.reason = reason
        self.done = 0
        self.total = 0
        self.on_broken: Callable[[], None] | None = None  # wakes the indexer to heal it

    @property
    def backend(self) -> SearchBackend | None:
        return self._backend

    def usable(self) -> SearchBackend:
        """The backend, for a search; IndexUnavailable while the index cannot answer. The
        files are checked on each call (a stat): a folder deleted under a running server is
        found by the first search after, which then asks the indexer to heal it."""
        backend = self._backend
        if self.status == "ok" and backend is not None and not backend.intact():
            self.broken("the index folder lost its files")
        if self.status != "ok" or backend is None:
            raise IndexUnavailable(
                "the search index is being rebuilt from the database; try again in a few "
                "seconds (writes are kept and will be found once it is back)"
            )
        return backend

    def broken(self, reason: str) -> None:
        with self._lock:
            if self.status == "ok":
                self.status, self.reason = "unavailable", reason
        if self.on_broken is not None:
            self.on_broken()

    def rebuilding(self, total: int) -> None:
        with self._lock:
            self.status, self.done, self.total = "rebuilding", 0, total

    def advance(self, n: int) -> None:
        self.done += n

    def replace(self, backend: SearchBackend) -> SearchBackend | None:
        """Serve `backend` from now on; returns the one it replaces (for closing)."""
        with self._lock:
            old, self._backend = self._backend, backend
            self.status, self.reason, self.done, self.total = "ok", "", 0, 0
            return old

    def take(self) -> SearchBackend | None:
        """Stop serving the current backend (it is about to be closed and replaced)."""
        with self._lock:
            old, self._backend = self._backend, None
            return old

    def report(self) -> str:
        """For /healthz (admins): "ok", "rebuilding 1,200/5,000", "unavailable: why"."""
        if self.status == "rebuilding":
            return f"rebuilding {self.done:,}/{self.total:,}"
        if self.status == "unavailable":
            return f"unavailable: {self.reason}"
        return "ok"
