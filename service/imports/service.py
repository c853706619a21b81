"""`import_file`: read a JSON-lines file, map each line, write it in batches.

A bad line is rejected with its number and the reason, and the run goes on. Each batch is
one transaction, so an interrupted run keeps the batches it committed and a second run
skips them (every item is found by its external id and left unchanged).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from hindsight.service.db import session_scope
from hindsight.service.imports import nasa
from hindsight.service.imports.writer import Counts, ensure_team, write_batch

BATCH = 500
Progress = Callable[[int], None]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number, why)
    shortened: list[tuple[int, str]] = field(default_factory=list)  # (line number, fields)

    @property
    def lines(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.rejected)

    def add(self, counts: Counts) -> None:
        self.created += counts.created
        self.updated += counts.updated
        self.unchanged += counts.unchanged


def count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


def _items(path: Path, report: ImportReport) -> Iterator[tuple[int, nasa.ImportItem]]:
    first_seen: dict[str, int] = {}
    with path.open(encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                item = nasa.parse_line(line)
            except nasa.Rejected as exc:
                report.rejected.append((number, str(exc)))
                continue
            if item.external_id in first_seen:
                first = first_seen[item.external_id]
                why = f"{item.external_id} appears again (first on line {first})"
                report.rejected.append((number, why))
                continue
            first_seen[item.external_id] = number
            if item.shortened:
                report.shortened.append((number, ", ".join(item.shortened)))
            yield number, item


def import_file(
    engine: Engine,
    path: Path,
    *,
    batch: int = BATCH,
    progress: Progress | None = None,
    after_batch: Callable[[], object] | None = None,
) -> ImportReport:
    """Import NASA LLIS JSON lines from `path` into the database. The index learns of them
    from the outbox rows each batch writes; `after_batch` runs after each batch's commit
    (the command line indexes there). `progress` gets the number of lines done."""
    report = ImportReport()
    with session_scope(engine) as db:
        team_id = ensure_team(db, nasa.TEAM_NAME, nasa.TEAM_DESCRIPTION)
    pending: list[nasa.ImportItem] = []
    done_lines = 0

    def flush() -> None:
        nonlocal done_lines
        if pending:
            with session_scope(engine) as db:
                report.add(write_batch(db, team_id, pending))
                db.commit()
            pending.clear()
            if after_batch:
                after_batch()
        if progress:
            progress(report.lines - done_lines)
        done_lines = report.lines

    for _, item in _items(path, report):
        pending.append(item)
        if len(pending) >= batch:
            flush()
    flush()
    return report
