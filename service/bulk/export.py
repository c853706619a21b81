"""Streaming export: every visible asset or lesson, page by page, as JSON lines or CSV.

Pages are read by id (keyset: `id > last ORDER BY id LIMIT n`), each in a session of its
own that is closed before the page is sent, so memory stays flat however many rows there
are, no transaction stays open while the client reads, and an offset never has to skip
rows. The access predicate is part of every page's query.
"""

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import Engine, select
from sqlmodel import Session

from hindsight.schemas.bulk import AssetExport, AssetLessonExport, LessonExport
from hindsight.service.assets import access
from hindsight.service.assets import service as assets_service
from hindsight.service.assets.models import Asset
from hindsight.service.audit import service as audit
from hindsight.service.auth import Principal
from hindsight.service.bulk import external_ids
from hindsight.service.db import open_session
from hindsight.service.lessons import access as lesson_access
from hindsight.service.lessons import service as lessons_service
from hindsight.service.lessons.models import Lesson

ExportType = Literal["lessons", "assets"]
ExportFormat = Literal["jsonl", "csv"]
PAGE_SIZE = 500
MEDIA_TYPES: dict[str, str] = {
    "jsonl": "application/x-ndjson",
    "csv": "text/csv; charset=utf-8",
}
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _asset_page(db: Session, who: Principal, after: int) -> list[BaseModel]:
    rows = list(
        db.execute(
            select(Asset)
            .where(Asset.id > after, access.visible_to(who))  # type: ignore[operator]
            .order_by(Asset.id)  # type: ignore[arg-type]
            .limit(PAGE_SIZE)
        ).scalars()
    )
    reads = assets_service.to_reads(db, rows)
    lessons = _embedded_lessons(db, who, [row.id for row in rows if row.id is not None])
    return [
        AssetExport(
            **read.model_dump(),
            external_id=external_ids.name("asset", row.id or 0, row.created_at, row.external_id),
            lessons=lessons.get(read.id, []),
        )
        for row, read in zip(rows, reads, strict=True)
    ]


def _embedded_lessons(
    db: Session, who: Principal, asset_ids: list[int]
) -> dict[int, list[AssetLessonExport]]:
    """The visible lessons of these assets, by asset, in id order (one query for a page)."""
    if not asset_ids:
        return {}
    rows = list(
        db.execute(
            select(Lesson)
            .where(Lesson.asset_id.in_(asset_ids), lesson_access.visible_to(who))  # type: ignore[union-attr]
            .order_by(Lesson.id)  # type: ignore[arg-type]
        ).scalars()
    )
    found: dict[int, list[AssetLessonExport]] = {}
    for row, read in zip(rows, lessons_service.to_reads(db, rows), strict=True):
        name = external_ids.name("lesson", row.id or 0, row.created_at, row.external_id)
        found.setdefault(row.asset_id or 0, []).append(
            AssetLessonExport(**read.model_dump(), external_id=name)
        )
    return found


def _lesson_page(db: Session, who: Principal, after: int) -> list[BaseModel]:
    rows = list(
        db.execute(
            select(Lesson)
            .where(Lesson.id > after, lesson_access.visible_to(who))  # type: ignore[operator]
            .order_by(Lesson.id)  # type: ignore[arg-type]
            .limit(PAGE_SIZE)
        ).scalars()
    )
    asset_ids = sorted({row.asset_id for row in rows if row.asset_id is not None})
    assets = {
        a.id: a
        for a in db.execute(
            select(Asset.id, Asset.external_id, Asset.kind, Asset.title, Asset.created_at).where(
                Asset.id.in_(asset_ids)  # type: ignore[union-attr]
            )
        )
    }
    reads = lessons_service.to_reads(db, rows)
    items: list[BaseModel] = []
    for row, read in zip(rows, reads, strict=True):
        asset = assets.get(row.asset_id) if row.asset_id is not None else None
        items.append(
            LessonExport(
                **read.model_dump(),
                external_id=external_ids.name(
                    "lesson", row.id or 0, row.created_at, row.external_id
                ),
                asset_external_id=external_ids.name(
                    "asset", asset.id, asset.created_at, asset.external_id
                )
                if asset
                else None,
                asset_kind=asset.kind if asset else None,
                asset_title=asset.title if asset else None,
            )
        )
    return items


_PAGES = {"assets": _asset_page, "lessons": _lesson_page}
_MODELS: dict[str, type[BaseModel]] = {"assets": AssetExport, "lessons": LessonExport}


def pages(engine: Engine, who: Principal, what: ExportType) -> Iterator[list[BaseModel]]:
    """Visible items in id order, one page at a time, each page read in its own session."""
    read_page = _PAGES[what]
    after = 0
    while True:
        with open_session(engine, write=False) as db:
            page = read_page(db, who, after)
        if not page:
            return
        yield page
        after = page[-1].id  # type: ignore[attr-defined]


def jsonl(items: Iterator[list[BaseModel]]) -> Iterator[bytes]:
    for page in items:
        yield "".join(item.model_dump_json() + "\n" for item in page).encode()


def _cell(value: Any) -> Any:
    """Lists and objects as JSON text; text a spreadsheet would run is quoted with `'`."""
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_rows(what: ExportType, items: Iterator[list[BaseModel]]) -> Iterator[bytes]:
    """A header row with every field of the export model, then one row per item."""
    columns = list(_MODELS[what].model_fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for page in items:
        for item in page:
            data = item.model_dump(mode="json")
            writer.writerow([_cell(data[name]) for name in columns])
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():  # nothing to export: the header alone
        yield buffer.getvalue().encode()


def stream(engine: Engine, who: Principal, what: ExportType, fmt: ExportFormat) -> Iterator[bytes]:
    """The export's body; the export is in the audit log before its first byte leaves."""
    audit.record_alone(
        engine, who, "export_items", "bulk", None, detail={"type": what, "format": fmt}
    )
    items = pages(engine, who, what)
    return jsonl(items) if fmt == "jsonl" else csv_rows(what, items)
