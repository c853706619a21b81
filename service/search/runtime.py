"""The search side of a running app: one shared backend, its indexer and the search log,
opened in the lifespan and closed with it."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from hindsight.search.base import SearchBackend
from hindsight.search.factory import open_backend
from hindsight.service.search.indexer import Indexer
from hindsight.service.search.search_log import SearchLog
from hindsight.service.search.writer_lock import WriterLock, lock_for
from hindsight.service.settings import Settings


def open_for(settings: Settings, engine: Engine) -> SearchBackend:
    if settings.search_backend != "postgres":
        settings.index_dir.mkdir(parents=True, exist_ok=True)
    return open_backend(settings.search_backend, index_dir=settings.index_dir, engine=engine)


def writer_lock(settings: Settings, engine: Engine) -> WriterLock:
    return lock_for(settings.search_backend, settings.index_dir, engine)


@dataclass
class SearchRuntime:
    backend: SearchBackend
    indexer: Indexer
    log: SearchLog

    @classmethod
    def start(cls, settings: Settings, engine: Engine) -> "SearchRuntime":
        backend = open_for(settings, engine)
        indexer = Indexer(
            engine, backend, writer_lock(settings, engine), interval=settings.index_poll_seconds
        )
        search_log = SearchLog(engine)
        indexer.start()
        search_log.start()
        return cls(backend=backend, indexer=indexer, log=search_log)

    def stop(self) -> None:
        self.indexer.stop()
        self.log.stop()
        self.backend.close()


# `async def`: no I/O here, and a plain `def` dependency would cost a thread-pool hop.
async def get_runtime(request: Request) -> SearchRuntime:
    runtime: SearchRuntime = request.app.state.search
    return runtime


async def get_backend(request: Request) -> SearchBackend:
    backend: SearchBackend = request.app.state.search.backend
    return backend


SearchRuntimeDep = Annotated[SearchRuntime, Depends(get_runtime)]
SearchBackendDep = Annotated[SearchBackend, Depends(get_backend)]
