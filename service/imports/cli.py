"""`hindsight import PATH` and `hindsight demo`: the NASA LLIS corpus into Hindsight, then
into the search index, with progress bars."""

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hindsight.clients.cli import print_import_report, send_import
from hindsight.schemas.bulk import ImportReport as BulkReport
from hindsight.service import migrations
from hindsight.service.auth import BOOTSTRAP_ADMIN
from hindsight.service.bulk.importer import ImportType, Options
from hindsight.service.bulk.importer import import_file as bulk_import_file
from hindsight.service.db import make_engine
from hindsight.service.errors import AppError
from hindsight.service.imports import corpus, nasa, shape
from hindsight.service.imports.service import BATCH, ImportReport, count_lines, import_file
from hindsight.service.search.indexer import IndexBusy, bulk_drain, drain_pending
from hindsight.service.search.runtime import open_for, writer_lock
from hindsight.service.settings import Settings

MAX_REJECTIONS_SHOWN = 20
err = Console(stderr=True, soft_wrap=True)  # commands and reasons stay on one line


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        err.print(f"[red]bad HINDSIGHT_* setting:[/red] {exc}")
        raise typer.Exit(2) from exc


def _print_report(report: ImportReport) -> None:
    err.print(
        f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
        f"rejected {len(report.rejected)}"
    )
    for number, why in report.rejected[:MAX_REJECTIONS_SHOWN]:
        err.print(f"  line {number}: {why}")
    if len(report.rejected) > MAX_REJECTIONS_SHOWN:
        err.print(f"  ... and {len(report.rejected) - MAX_REJECTIONS_SHOWN} more rejected lines")
    if report.shortened:
        lines = ", ".join(f"{number} ({fields})" for number, fields in report.shortened)
        err.print(
            f"  {len(report.shortened)} texts over the schema's {nasa.TEXT_LIMIT:,} characters "
            f"were shortened, with a link to the full LLIS page: lines {lines}"
        )


def run_import(settings: Settings, path: Path, *, batch: int = BATCH) -> ImportReport:
    """Import `path` and index it as it goes, unless a running server is the index writer
    (then the server indexes it)."""
    if not path.is_file():
        err.print(f"[red]error:[/red] {path} is not a file")
        raise typer.Exit(1)
    engine = make_engine(settings)
    backend = open_for(settings, engine)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    try:
        with Progress(*columns, console=err) as bar:
            lines = bar.add_task(f"importing {path.name}", total=count_lines(path))
            indexed = bar.add_task("indexing", total=None)

            def load(after_batch: Callable[[], object] | None) -> ImportReport:
                return import_file(
                    engine,
                    path,
                    batch=batch,
                    progress=lambda n: bar.advance(lines, n),
                    after_batch=after_batch,
                )

            try:
                lock = writer_lock(settings, engine)
                with bulk_drain(engine, backend, lock, lambda n: bar.advance(indexed, n)) as drain:
                    report = load(drain.step)
                bar.update(indexed, total=len(drain.ids))
                where = f"indexed {len(drain.ids)} items into the {settings.search_backend} index"
            except IndexBusy:
                report = load(None)
                bar.update(indexed, total=0)
                where = "a running Hindsight server is the index writer; it indexes the changes"
    except KeyboardInterrupt:
        err.print("interrupted: the batches already written stay; run it again to go on")
        raise typer.Exit(130) from None
    finally:
        backend.close()
        engine.dispose()
    _print_report(report)
    err.print(where)
    return report


def run_export_import(
    settings: Settings, path: Path, what: ImportType, owning_team_id: int | None
) -> BulkReport:
    """A file in Hindsight's own export shape, into this database as the bootstrap admin,
    then into the index (unless a running server is the writer: it indexes them)."""
    engine = make_engine(settings)
    backend = open_for(settings, engine)
    try:
        with err.status(f"importing {what} from {path.name}"):
            report = bulk_import_file(
                engine,
                BOOTSTRAP_ADMIN,
                what,
                path,
                # --team means a file from another Hindsight: its team and project ids go.
                options=Options(owning_team_id=owning_team_id, keep_ids=owning_team_id is None),
            )
        try:
            indexed = drain_pending(engine, backend, writer_lock(settings, engine))
            where = f"indexed {indexed} items into the {settings.search_backend} index"
        except IndexBusy:
            where = "a running Hindsight server is the index writer; it indexes them now"
    except AppError as exc:
        err.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(1) from exc
    finally:
        backend.close()
        engine.dispose()
    print_import_report(report, MAX_REJECTIONS_SHOWN)
    err.print(where)
    return report


def import_command(
    path: Annotated[
        Path,
        typer.Argument(help="NASA LLIS JSON lines, or a Hindsight export (assets or lessons)"),
    ],
    batch: Annotated[int, typer.Option(min=1, max=5000, help="lines per transaction")] = BATCH,
    team: Annotated[
        int | None,
        typer.Option(
            help="Hindsight exports: put every asset in this team (another system's "
            "team and project ids are dropped)"
        ),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(envvar="HINDSIGHT_URL", help="send a Hindsight export to this server"),
    ] = None,
    token: Annotated[str | None, typer.Option(envvar="HINDSIGHT_TOKEN")] = None,
) -> None:
    """Import NASA LLIS lessons or a Hindsight export (JSON lines); running it again changes
    nothing. Without a URL it writes to this machine's database; with HINDSIGHT_URL (or
    --url) a Hindsight export goes to that server's POST /v1/import (admin token)."""
    if not path.is_file():
        err.print(f"[red]error:[/red] {path} is not a file")
        raise typer.Exit(1)
    try:
        found = shape.detect(path)
    except shape.UnknownShape as exc:
        err.print(f"[red]error:[/red] {path}: {exc}")
        raise typer.Exit(1) from exc
    if url:
        if found == "nasa":
            err.print(
                "[red]error:[/red] NASA records import into a database, not over HTTP: unset "
                "HINDSIGHT_URL and run this where HINDSIGHT_DATABASE_URL names the database"
            )
            raise typer.Exit(2)
        send_import(url, token, path, found, team)
    elif found == "nasa":
        run_import(_settings(), path, batch=batch)
    else:
        run_export_import(_settings(), path, found, team)


def _demo_path(given: Path | None) -> Path:
    if given is not None:
        if not given.is_file():
            err.print(
                f"[red]error:[/red] the NASA corpus is not at {given}; pass --path with the "
                f"location of {corpus.FILE_NAME}"
            )
            raise typer.Exit(1)
        return given
    found = corpus.find()
    if found is None:
        looked = ", ".join(str(place) for place in corpus.candidates())
        err.print(
            f"[red]error:[/red] the NASA corpus {corpus.FILE_NAME} is not in any of: {looked}; "
            "pass --path (or set HINDSIGHT_DEMO_PATH) with its location"
        )
        raise typer.Exit(1)
    return found


def demo_command(
    path: Annotated[
        Path | None,
        typer.Option(
            envvar="HINDSIGHT_DEMO_PATH",
            help="the NASA LLIS corpus (JSON lines); by default ./nasa_llis.jsonl, "
            "./data/nasa_llis.jsonl, or ../shared/data/nasa_llis.jsonl beside the checkout "
            "Hindsight was installed from",
        ),
    ] = None,
) -> None:
    """Migrate the database and load the NASA LLIS corpus: 2,100 real lessons to search."""
    path = _demo_path(path)
    settings = _settings()
    migrations.upgrade(settings.database_url)
    err.print(f"loading {path}")
    report = run_import(settings, path)
    err.print(
        f"\n{report.created + report.updated + report.unchanged} NASA lessons are in, owned by "
        f"the team {nasa.TEAM_NAME!r} and readable by everyone. Next:\n"
        "  HINDSIGHT_ADMIN_TOKEN=change-me-to-a-long-random-admin-key hindsight serve\n"
        "  curl -s 'http://127.0.0.1:8000/v1/search?q=solder+contamination&type=lesson' "
        "-H 'Authorization: Bearer change-me-to-a-long-random-admin-key'"
    )
