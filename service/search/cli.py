"""`hindsight reindex`: rebuild the search index from the database, with a progress bar."""

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hindsight.service.db import make_engine, session_scope
from hindsight.service.search import documents
from hindsight.service.search.indexer import IndexBusy, reindex
from hindsight.service.search.runtime import open_for, writer_lock
from hindsight.service.settings import Settings

err = Console(stderr=True)


def reindex_command(settings: Settings) -> None:
    """Rebuild the search index from the database (the source of truth)."""
    engine = make_engine(settings)
    backend = open_for(settings, engine)
    try:
        with session_scope(engine, write=False) as db:
            total = documents.count_all(db)
        columns = (
            TextColumn("indexing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=err) as bar:
            task = bar.add_task("reindex", total=total)
            done = reindex(
                engine,
                backend,
                writer_lock(settings, engine),
                progress=lambda n: bar.advance(task, n),
            )
    except IndexBusy as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    finally:
        backend.close()
        engine.dispose()
    err.print(f"indexed {done} items into the {settings.search_backend} index")
