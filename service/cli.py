"""`hindsight`: run, migrate and administer the service from the command line.

Administrative commands work on the database directly (as the bootstrap admin), so the very
first team, user and token can be made before any token exists.
"""

import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from sqlmodel import Session

from hindsight.clients import cli as client_cli
from hindsight.schemas.enums import Role
from hindsight.schemas.maturity import FrameworkCreate
from hindsight.schemas.teams import TeamCreate
from hindsight.schemas.tokens import TokenCreate
from hindsight.schemas.users import UserCreate
from hindsight.service import migrations
from hindsight.service.app import configure_logging
from hindsight.service.audit import service as audit_service
from hindsight.service.auth import BOOTSTRAP_ADMIN
from hindsight.service.db import make_engine, session_scope
from hindsight.service.errors import AppError
from hindsight.service.imports.cli import demo_command, import_command
from hindsight.service.maturity import csv_import
from hindsight.service.maturity import framework_service as frameworks_service
from hindsight.service.search.cli import reindex_command
from hindsight.service.settings import Settings
from hindsight.service.teams import service as teams_service
from hindsight.service.tokens import service as tokens_service
from hindsight.service.users import service as users_service

app = typer.Typer(
    help="Hindsight: lessons learned, searched before every project.", no_args_is_help=True
)
teams_app = typer.Typer(help="Manage teams.", no_args_is_help=True)
users_app = typer.Typer(help="Manage users.", no_args_is_help=True)
tokens_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
app.add_typer(teams_app, name="teams")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
frameworks_app = typer.Typer(help="Manage KM maturity frameworks.", no_args_is_help=True)
app.add_typer(frameworks_app, name="frameworks")
audit_app = typer.Typer(help="Read the audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
client_cli.register(app)
app.command("import")(import_command)
app.command("demo")(demo_command)

T = TypeVar("T")
out = Console()
err = Console(stderr=True)


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        err.print(f"[red]bad HINDSIGHT_* setting:[/red] {exc}")
        raise typer.Exit(2) from exc


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(1)


@app.command()
def migrate() -> None:
    """Bring the database named by HINDSIGHT_DATABASE_URL up to the newest schema."""
    settings = _settings()
    migrations.upgrade(settings.database_url)
    out.print("database is up to date")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="worker processes")] = 1,
    migrate_first: Annotated[
        bool | None,
        typer.Option(
            "--migrate/--no-migrate",
            help="upgrade the schema before serving (default: yes on SQLite, no on PostgreSQL, "
            "where `hindsight migrate` runs once per release)",
        ),
    ] = None,
) -> None:
    """Serve the HTTP API with uvicorn."""
    settings = _settings()
    configure_logging(settings)
    if migrate_first if migrate_first is not None else settings.is_sqlite:
        migrations.upgrade(settings.database_url)
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    uvicorn.run(
        "hindsight.service.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        # Our middleware logs one line per request, without query strings or headers.
        access_log=False,
        # h11 with a deadline on the request headers (slow clients), and idle keep-alive
        # connections closed after 5 s.
        http="hindsight.service.http_protocol:HeaderTimeoutProtocol",
        timeout_keep_alive=5,
        # With --workers, uvicorn kills a worker that misses a 5 s ping; on a loaded machine
        # a worker still starting (imports, opening the index) misses it and is restarted
        # again and again (seen at load 44 on 2 cores).
        timeout_worker_healthcheck=30,
    )


def _as_admin(action: Callable[[Session], T]) -> T:
    """Run one administrative use case on the database; errors become a message and exit 1."""
    engine = make_engine(_settings())
    try:
        with session_scope(engine) as db:
            return action(db)
    except (AppError, ValidationError) as exc:
        raise _fail(str(exc)) from exc
    finally:
        engine.dispose()


@teams_app.command("create")
def teams_create(
    name: Annotated[str, typer.Argument(help="the team's name, unique")],
    description: Annotated[str, typer.Option(help="what the team does")] = "",
) -> None:
    """Create a team and print its id."""
    team = _as_admin(
        lambda db: teams_service.create(
            db, BOOTSTRAP_ADMIN, TeamCreate(name=name, description=description), claim=None
        )
    )
    out.print(f"team {team.id}: {team.name}")


@users_app.command("create")
def users_create(
    name: Annotated[str, typer.Argument(help="full name")],
    email: Annotated[str, typer.Argument(help="email address, unique")],
    role: Annotated[
        Role, typer.Option(help="reader, contributor, reviewer or admin")
    ] = Role.reader,
    team: Annotated[list[int] | None, typer.Option(help="team id; repeat for several")] = None,
) -> None:
    """Create a user and print its id."""
    user = _as_admin(
        lambda db: users_service.create(
            db,
            BOOTSTRAP_ADMIN,
            UserCreate(name=name, email=email, role=role, team_ids=team or []),
            claim=None,
        )
    )
    out.print(f"user {user.id}: {user.name} <{user.email}> ({user.role.value})")


@tokens_app.command("create")
def tokens_create(
    user_id: Annotated[int, typer.Argument(help="the user the token acts as")],
    name: Annotated[str, typer.Option(help="what the token is for")] = "cli",
    expires_at: Annotated[
        datetime | None, typer.Option(help="expiry, e.g. 2027-01-31T00:00:00+00:00")
    ] = None,
) -> None:
    """Create an API token and print its secret once: it cannot be shown again."""
    token = _as_admin(
        lambda db: tokens_service.create(
            db,
            BOOTSTRAP_ADMIN,
            TokenCreate(name=name, user_id=user_id, expires_at=expires_at),
            claim=None,
        )
    )
    err.print(f"token {token.id} for user {token.user_id}; keep the secret, it is shown once:")
    # The secret alone on stdout, so `TOKEN=$(hindsight tokens create 1)` works.
    print(token.token)


# Fields a GET of a framework answers but a create does not take: dropped on import, so a
# framework exported from one Hindsight loads into another.
_READ_ONLY_FRAMEWORK_FIELDS = ("id", "version", "is_latest", "created_at")


def _framework_document(path: Path) -> dict[str, Any]:
    """The framework in `path`: JSON, or CSV in the layout of docs/maturity.md."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read {path}: {exc}") from exc
    if path.suffix.lower() == ".csv":
        try:
            return csv_import.parse(text)
        except csv_import.CsvProblems as exc:
            for problem in exc.problems:
                err.print(f"  {problem.field}: {problem.message}")
            raise _fail(f"{path} is not a framework in the documented CSV layout") from exc
    if path.suffix.lower() != ".json":
        raise _fail(f"{path}: use a .json or a .csv file")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _fail(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise _fail(f"{path}: expected one framework object")
    return {k: v for k, v in data.items() if k not in _READ_ONLY_FRAMEWORK_FIELDS}


@frameworks_app.command("import")
def frameworks_import(
    file: Annotated[Path, typer.Argument(help="a .json framework or a .csv spreadsheet")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="check the file, change nothing")
    ] = False,
) -> None:
    """Load a maturity framework; an existing key gets its next version."""
    try:
        doc = FrameworkCreate.model_validate(_framework_document(file))
    except ValidationError as exc:
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"])
            err.print(f"  {where}: {error['msg']}")
        raise _fail(f"{file} is not a valid framework") from exc
    try:
        frameworks_service.check(doc)
    except AppError as exc:
        for detail in exc.details:
            err.print(f"  {detail['field'].removeprefix('body.')}: {detail['message']}")
        raise _fail(f"{file} is not a valid framework") from exc
    subs = sum(len(outcome.sub_outcomes) for outcome in doc.outcomes)
    shape = f"{len(doc.outcomes)} outcomes, {subs} sub-outcomes, {len(doc.levels)} levels"
    if dry_run:
        out.print(f"{file} is a valid framework {doc.key!r} ({shape}); nothing saved")
        return
    created = _as_admin(lambda db: frameworks_service.create(db, BOOTSTRAP_ADMIN, doc, claim=None))
    out.print(f"framework {created.id}: {created.key} version {created.version} ({shape})")


@frameworks_app.command("starter")
def frameworks_starter() -> None:
    """Print Hindsight's starter framework as JSON: a template to edit and import."""
    print(json.dumps(frameworks_service.starter_document(), indent=2, ensure_ascii=False))


@app.command()
def reindex() -> None:
    """Rebuild the search index from the database, with a progress bar."""
    reindex_command(_settings())


def _aware(value: datetime | None, name: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise _fail(f"{name} needs a timezone, e.g. 2026-12-01T00:00:00Z")
    return value


@audit_app.command("export")
def audit_export(
    from_: Annotated[
        datetime | None,
        typer.Option("--from", help="events at or after this time (ISO 8601 with a timezone)"),
    ] = None,
    to: Annotated[datetime | None, typer.Option("--to", help="events before this time")] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="write here instead of stdout")
    ] = None,
) -> None:
    """Write the audit log as JSON lines, oldest first (one event a line)."""
    filters = audit_service.AuditFilters(from_=_aware(from_, "--from"), to=_aware(to, "--to"))
    engine = make_engine(_settings())
    try:
        with session_scope(engine, write=False) as db:
            lines = audit_service.export_lines(db, filters)
            if output is None:
                for line in lines:
                    typer.echo(line)
            else:
                with output.open("w", encoding="utf-8") as handle:
                    count = 0
                    for line in lines:
                        handle.write(line + "\n")
                        count += 1
                err.print(f"{count} audit events written to {output}")
    finally:
        engine.dispose()


def main() -> None:
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()


if __name__ == "__main__":
    main()
