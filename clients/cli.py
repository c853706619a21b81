"""The command-line client: `hindsight search`, `due-diligence`, `export`, `import` against a
running Hindsight, configured by `HINDSIGHT_URL` and `HINDSIGHT_TOKEN` (or `--url`/`--token`).

Tables for people, `--json` for scripts; an API error prints its message and exits 1.
"""

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import Progress, TextColumn
from rich.table import Table

from hindsight.clients.errors import APIError, HindsightError
from hindsight.clients.sync import HindsightClient
from hindsight.schemas.bulk import ImportReport

out = Console()
err = Console(stderr=True)

Url = Annotated[
    str,
    typer.Option("--url", envvar="HINDSIGHT_URL", help="the server, e.g. http://127.0.0.1:8000"),
]
Token = Annotated[
    str | None, typer.Option("--token", envvar="HINDSIGHT_TOKEN", help="an API token")
]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON for scripts")]

_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


@contextmanager
def connected(url: str, token: str | None) -> Iterator[HindsightClient]:
    """A client whose errors end the command with a readable line instead of a traceback."""
    if not token:
        err.print("[red]error:[/red] set HINDSIGHT_TOKEN (or pass --token) to an API token")
        raise typer.Exit(2)
    try:
        with HindsightClient(url, token) as client:
            yield client
    except APIError as exc:
        err.print(f"[red]error {exc.status_code}[/red] {exc.code}: {exc.message}")
        for detail in exc.details:
            if "field" in detail:
                err.print(f"  {detail['field']}: {detail.get('message', '')}")
        raise typer.Exit(1) from exc
    except HindsightError as exc:
        err.print(f"[red]error:[/red] cannot reach Hindsight at {url}: {exc}")
        raise typer.Exit(1) from exc


def print_json(value: BaseModel | list[Any] | dict[str, Any]) -> None:
    if isinstance(value, BaseModel):
        out.print_json(value.model_dump_json())
    else:
        out.print_json(json.dumps(value, default=str))


def marked(snippet: str) -> str:
    """A search snippet for the terminal: `<mark>` becomes bold, entities are unescaped."""
    plain = _MARK.sub(lambda m: f"\x00{m.group(1)}\x01", snippet)
    text = unescape(plain).replace("[", r"\[")
    return text.replace("\x00", "[bold yellow]").replace("\x01", "[/bold yellow]")


def search(
    query: Annotated[str, typer.Argument(help='words, "phrases", field:term, AND/OR/NOT')],
    url: Url = "http://127.0.0.1:8000",
    token: Token = None,
    type: Annotated[str | None, typer.Option(help="lesson, asset or project")] = None,
    topic: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    as_json: AsJson = False,
) -> None:
    """Search lessons, assets and projects you may see, best first."""
    with connected(url, token) as client:
        page = client.search(query, type=type, topic=topic, limit=limit)
    if as_json:
        print_json(page)
        return
    if page.suggestion:
        out.print(f"did you mean [bold]{page.suggestion}[/bold]?")
    table = Table(title=f"{page.total} found for {query!r}", show_lines=True)
    for column in ("type", "id", "title", "why it matched"):
        table.add_column(column)
    for item in page.items:
        table.add_row(item.type, str(item.id), item.title, marked(item.snippet))
    out.print(table)


def export(
    type: Annotated[str, typer.Option("--type", help="lessons or assets")] = "lessons",
    format: Annotated[str, typer.Option("--format", help="jsonl or csv")] = "jsonl",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="a file; standard output if unset")
    ] = None,
    url: Url = "http://127.0.0.1:8000",
    token: Token = None,
) -> None:
    """Stream everything you may see to a file, line by line (constant memory)."""
    with connected(url, token) as client:
        if output is None:
            for line in client.iter_export(type, format):
                typer.echo(line)
            return
        partial = output.with_name(output.name + ".partial")
        count = 0
        with Progress(
            *Progress.get_default_columns()[:1], TextColumn("{task.completed:,} lines"), console=err
        ) as progress:
            task = progress.add_task(f"exporting {type}", total=None)
            with partial.open("w", encoding="utf-8") as sink:
                for line in client.iter_export(type, format):
                    sink.write(line + "\n")
                    count += 1
                    if count % 1000 == 0:
                        progress.update(task, completed=count)
            progress.update(task, completed=count)
        partial.replace(output)  # a file that is there is complete
    err.print(f"wrote {count:,} lines to {output}")


def due_diligence(
    file: Annotated[Path, typer.Option("--file", "-f", help="the project brief (text/markdown)")],
    title: Annotated[str | None, typer.Option(help="defaults to the brief's first line")] = None,
    project_id: Annotated[
        int | None, typer.Option("--project", help="store it on a project")
    ] = None,
    phase: Annotated[str | None, typer.Option()] = None,
    topic: Annotated[list[str] | None, typer.Option("--topic", help="repeat for several")] = None,
    organisation_type: Annotated[str | None, typer.Option("--organisation-type")] = None,
    url: Url = "http://127.0.0.1:8000",
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Paste a project brief, get the lessons, case studies, open actions and people worth
    talking to, ranked, each with why it was shown."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        err.print(f"[red]error:[/red] cannot read {file}: {exc}")
        raise typer.Exit(2) from exc
    first = next((line.strip("# ").strip() for line in text.splitlines() if line.strip()), "")
    body: dict[str, Any] = {
        "title": (title or first or file.stem)[:300],
        "description": text,
        "project_id": project_id,
        "phase": phase,
        "topics": topic or [],
        "organisation_type": organisation_type,
    }
    with connected(url, token) as client:
        check = client.run_due_diligence({k: v for k, v in body.items() if v is not None})
    if as_json:
        print_json(check)
        return
    results = check.results
    lessons = Table(title=f"Lessons for {check.title!r} (check {check.id})", show_lines=True)
    for column in ("#", "lesson", "status", "why"):
        lessons.add_column(column)
    for rank, found in enumerate(results.lessons, start=1):
        lesson = found.lesson
        lessons.add_row(str(rank), f"{lesson.title} (id {lesson.id})", lesson.status, found.reason)
    out.print(lessons)
    if results.assets:
        assets = Table(title="Case studies, reviews and other assets", show_lines=True)
        for column in ("asset", "kind", "why"):
            assets.add_column(column)
        for found_asset in results.assets:
            asset = found_asset.asset
            assets.add_row(f"{asset.title} (id {asset.id})", asset.kind, found_asset.reason)
        out.print(assets)
    if results.open_actions:
        out.print("[bold]Open actions on these lessons[/bold]")
        for action in results.open_actions:
            out.print(f"  - {action.title} (owner {action.owner_name}, due {action.due_date})")
    if results.people:
        out.print("[bold]People worth talking to[/bold]")
        for person in results.people:
            team = f", {person.team}" if person.team else ""
            out.print(f"  - {person.name} ({person.role}{team}): {person.reason}")


def send_import(
    url: str, token: str | None, path: Path, type: str, owning_team_id: int | None
) -> None:
    """`hindsight import FILE` with a server URL: the file streams to `POST /v1/import`."""
    with connected(url, token) as client:
        # --team means a file from another Hindsight: its team and project ids are dropped.
        report = client.import_file(type, path, owning_team_id, keep_ids=owning_team_id is None)
    print_import_report(report)


def print_import_report(report: ImportReport, shown: int = 20) -> None:
    """The counts of a bulk import, then the first rejected lines with their reasons."""
    err.print(
        f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
        f"rejected {report.rejected_count}"
    )
    for rejected in report.rejected[:shown]:
        err.print(f"  line {rejected.line}: {rejected.reason}")


def register(app: typer.Typer) -> None:
    """Add the client commands to the `hindsight` command line."""
    app.command("search")(search)
    app.command("export")(export)
    app.command("due-diligence")(due_diligence)
