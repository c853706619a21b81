"""The search side of a running app: one shared backend (in an `IndexState`, so it can be
healed), its indexer and the search log, opened in the lifespan and closed with it."""

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from hindsight.search.base import SearchBackend
from hindsight.search.factory import open_backend
from hindsight.service.search.index_state import IndexState
from hindsight.service.search.indexer import Indexer, emptied
from hindsight.service.search.search_log import SearchLog
from hindsight.service.search.writer_lock import LOCK_NAME, WriterLock, lock_for
from hindsight.service.settings import Settings

log = logging.getLogger("hindsight.indexer")


def open_for(settings: Settings, engine: Engine) -> SearchBackend:
    if settings.search_backend != "postgres":
        settings.index_dir.mkdir(parents=True, exist_ok=True)
    return open_backend(settings.search_backend, index_dir=settings.index_dir, engine=engine)


def writer_lock(settings: Settings, engine: Engine) -> WriterLock:
    return lock_for(settings.search_backend, settings.index_dir, engine)


def _holds_other_data(settings: Settings) -> bool:
    """Is the index folder also home to data that is not derived (the database file, the
    attachments)? Then its files are never wiped, whatever state the index is in."""
    index_dir = settings.index_dir.resolve()
    data_dir = settings.data_dir.resolve()
    if index_dir == data_dir or index_dir in data_dir.parents:
        return True
    database = make_url(settings.database_url).database
    return bool(settings.is_sqlite and database) and index_dir in Path(database).resolve().parents


def wipe_index_files(settings: Settings) -> None:
    """Remove what an index left in its folder (all of it is derived from the database),
    except the writer lock another process may be holding."""
    if _holds_other_data(settings):
        raise RuntimeError(
            f"HINDSIGHT_INDEX_DIR ({settings.index_dir}) also holds the data: refusing to "
            "wipe it; give the index a folder of its own and run `hindsight reindex`"
        )
    folder = settings.index_dir
    folder.mkdir(parents=True, exist_ok=True)
    for entry in folder.iterdir():
        if entry.name == LOCK_NAME:
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            os.unlink(entry)


@dataclass
class SearchRuntime:
    state: IndexState
    indexer: Indexer
    log: SearchLog

    @property
    def backend(self) -> SearchBackend:
        """For search paths: IndexUnavailable (503) while the index cannot answer."""
        return self.state.usable()

    @classmethod
    def start(cls, settings: Settings, engine: Engine) -> "SearchRuntime":
        try:
            backend = open_for(settings, engine)
            # Checked before the first search, which must not answer from an emptied index.
            state = IndexState(backend, reason=emptied(engine, backend) or "")
        except Exception as exc:  # an unreadable index: the indexer rebuilds it
            log.warning("the search index cannot be opened (%s); it will be rebuilt", exc)
            state = IndexState(None, reason=f"the index could not be opened ({type(exc).__name__})")
        embedded = settings.search_backend != "postgres"

        def open_fresh() -> SearchBackend:
            wipe_index_files(settings)
            return open_for(settings, engine)

        indexer = Indexer(
            engine,
            state,
            writer_lock(settings, engine),
            open_fresh=open_fresh if embedded else None,
            open_existing=(lambda: open_for(settings, engine)) if embedded else None,
            interval=settings.index_poll_seconds,
        )
        state.on_broken = indexer.wake
        search_log = SearchLog(engine)
        indexer.start()
        search_log.start()
        return cls(state=state, indexer=indexer, log=search_log)

    def stop(self) -> None:
        self.indexer.stop()
        self.log.stop()
        backend = self.state.take()
        if backend is not None:
            backend.close()


# `async def`: no I/O here, and a plain `def` dependency would cost a thread-pool hop.
async def get_runtime(request: Request) -> SearchRuntime:
    runtime: SearchRuntime = request.app.state.search
    return runtime


SearchRuntimeDep = Annotated[SearchRuntime, Depends(get_runtime)]
