"""Import JSON lines of assets or lessons, matched by `external_id`: create what is new,
update what differs, leave alone what is equal, and reject bad lines without stopping.

Idempotent by construction: an item is compared field by field with its line, and only a
real difference writes (a new version, a history entry and an outbox row), so the same file
imported twice changes nothing the second time. Lines are read one at a time from a file,
so memory does not grow with its size; each line runs in a savepoint (a bad line rolls back
alone) and every BATCH lines commit, so a long import keeps its progress and re-running an
interrupted one just finds the finished lines unchanged.
"""

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine, and_, delete, or_, select, update
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session

from hindsight.schemas.bulk import AssetImport, ImportReport, LessonImport, RejectedLine
from hindsight.schemas.enums import AssetStatus, LessonStatus
from hindsight.service.assets import access
from hindsight.service.assets import service as assets_service
from hindsight.service.assets.models import Asset, AssetTeam
from hindsight.service.assets.rendering import render
from hindsight.service.audit import service as audit
from hindsight.service.auth import Principal
from hindsight.service.bulk import external_ids
from hindsight.service.columns import utcnow
from hindsight.service.db import open_session
from hindsight.service.errors import AppError, ValidationFailed
from hindsight.service.history import service as history
from hindsight.service.lessons import service as lessons_service
from hindsight.service.lessons.models import Lesson
from hindsight.service.outbox import service as outbox
from hindsight.service.projects import service as projects_service
from hindsight.service.teams import service as teams_service

ImportType = Literal["lessons", "assets"]
BATCH = 200
MAX_REPORTED = 1000
_ASSET_FIELDS = ("kind", "title", "summary", "body", "tags", "topics", "project_id",
                 "owning_team_id", "authors", "visibility", "status", "details")  # fmt: skip
_LESSON_FIELDS = ("title", "observation", "analysis", "five_whys", "lesson", "recommendation",
                  "polarity", "impact", "applicability", "tags", "status", "status_reason",
                  "evidence_of_change")  # fmt: skip
# Changing these changes who may read the asset's lessons (see assets.service).
_ACCESS_FIELDS = frozenset({"visibility", "team_ids", "owning_team_id", "project_id", "status"})
_RELEASED = frozenset({AssetStatus.published.value, AssetStatus.archived.value})


class LineRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Options:
    # When set, every asset goes to this team, and the line's team and project ids (which
    # name things in the system the file came from) are dropped.
    owning_team_id: int | None = None


@dataclass
class _Tally:
    counts: Counter[str] = field(default_factory=Counter)
    rejected: list[RejectedLine] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        self.counts["rejected"] += 1
        if len(self.rejected) < MAX_REPORTED:
            self.rejected.append(RejectedLine(line=line, reason=reason))

    def report(self) -> ImportReport:
        return ImportReport(
            created=self.counts["created"],
            updated=self.counts["updated"],
            unchanged=self.counts["unchanged"],
            rejected=self.rejected,
            rejected_count=self.counts["rejected"],
        )


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            if raw.strip():
                yield number, raw


def _batches(path: Path) -> Iterator[list[tuple[int, bytes]]]:
    batch: list[tuple[int, bytes]] = []
    for line in _lines(path):
        batch.append(line)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _why_invalid(exc: ValidationError) -> str:
    problems = [
        f"{'.'.join(map(str, err['loc'])) or 'line'}: {err['msg']}" for err in exc.errors()[:3]
    ]
    more = len(exc.errors()) - len(problems)
    return "; ".join(problems) + (f" (and {more} more)" if more > 0 else "")


def _parse(model: type[BaseModel], raw: bytes) -> Any:
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise LineRejected("the line is not UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise LineRejected(f"the line is not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise LineRejected("each line must be one JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise LineRejected(_why_invalid(exc)) from exc


def _find(
    db: Session, model: type[Asset] | type[Lesson], entity_type: str, external_id: str
) -> Any:
    """The row with this external id, or this deployment's own row that an export named
    (its id, no external id of its own, the same creation instant), in one query."""
    match = model.external_id == external_id  # type: ignore[arg-type]
    own = external_ids.parse_own(external_id, entity_type)
    if own is not None:
        itself = and_(
            model.id == own[0],  # type: ignore[arg-type]
            model.external_id.is_(None),  # type: ignore[union-attr]
            model.created_at == own[1],  # type: ignore[arg-type]
        )
        match = or_(match, itself)  # type: ignore[assignment]
    return db.execute(select(model).where(match).limit(1)).scalar_one_or_none()


def _differences(row: Any, wanted: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in wanted.items() if getattr(row, name) != value}


def _given(**timestamps: datetime | None) -> dict[str, datetime]:
    """Timestamps the line states (a line without one leaves the item's as it is)."""
    return {name: value for name, value in timestamps.items() if value is not None}


def _asset_values(
    db: Session, who: Principal, item: AssetImport, options: Options
) -> tuple[dict[str, Any], list[int]]:
    values = item.model_dump(mode="json", include=set(_ASSET_FIELDS))
    team_ids = sorted(set(item.team_ids))
    if options.owning_team_id is not None:
        values.update(owning_team_id=options.owning_team_id, project_id=None)
        return values, []
    if item.owning_team_id is None:
        raise LineRejected(
            "owning_team_id is missing; give it, or import with ?owning_team_id= to place "
            "every item in one team"
        )
    try:
        teams_service.require_existing(db, [item.owning_team_id, *team_ids], field="team_ids")
        if item.project_id is not None:
            projects_service.require_visible(db, who, item.project_id, field="project_id")
    except ValidationFailed as exc:
        raise LineRejected(
            f"{exc.message}; ids name teams and projects of this Hindsight: to import from "
            "another one, pass ?owning_team_id= to place every item in one team"
        ) from exc
    return values, team_ids


def _import_asset(
    db: Session, who: Principal, item: AssetImport, options: Options, memo: dict[str, int]
) -> str:
    values, team_ids = _asset_values(db, who, item, options)
    stamps = _given(created_at=item.created_at, published_at=item.published_at)
    existing: Asset | None = _find(db, Asset, "asset", item.external_id)
    now = utcnow()
    if existing is None:
        asset = Asset(
            external_id=item.external_id,
            **values,
            body_html=render(values["body"]),
            created_at=stamps.get("created_at", now),
            updated_at=now,
            published_at=stamps.get("published_at", now if values["status"] in _RELEASED else None),
        )
        db.add(asset)
        db.flush()
        assert asset.id is not None
        db.add_all(AssetTeam(asset_id=asset.id, team_id=team_id) for team_id in team_ids)
        assets_service.replace_labels(db, asset.id, tags=values["tags"], topics=values["topics"])
        outbox.enqueue(db, entity_type="asset", entity_id=asset.id)
        return "created"
    assert existing.id is not None
    changes = _differences(existing, {**values, **stamps})
    teams_changed = access.team_ids_of(db, [existing.id]).get(existing.id, []) != team_ids
    if not changes and not teams_changed:
        return "unchanged"
    before = assets_service.to_read(db, existing)
    if "body" in changes:
        changes["body_html"] = render(changes["body"])
    _write(db, Asset, existing, changes)
    if teams_changed:
        db.execute(delete(AssetTeam).where(AssetTeam.asset_id == existing.id))  # type: ignore[arg-type]
        db.add_all(AssetTeam(asset_id=existing.id, team_id=team_id) for team_id in team_ids)
    assets_service.replace_labels(
        db, existing.id, tags=changes.get("tags"), topics=changes.get("topics")
    )
    fields = sorted([*changes, *(["team_ids"] if teams_changed else [])])
    history.record(db, who, entity_type="asset", earlier=before, fields=fields, comment="import")
    outbox.enqueue(db, entity_type="asset", entity_id=existing.id)
    if _ACCESS_FIELDS.intersection(fields):
        lessons_service.announce_access_change(db, existing.id)
    return "updated"


def _write(
    db: Session, model: type[Asset] | type[Lesson], row: Any, changes: dict[str, Any]
) -> None:
    """One UPDATE that also tests the version, so an edit made meanwhile is not overwritten."""
    result = db.execute(
        update(model)
        .where(model.id == row.id, model.version == row.version)  # type: ignore[arg-type]
        .values(**changes, version=row.version + 1, updated_at=utcnow())
    )
    if result.rowcount == 0:
        raise LineRejected("the item changed while it was being imported; import the line again")
    db.expire(row)


def _lesson_values(item: LessonImport) -> dict[str, Any]:
    values = item.model_dump(mode="json", include=set(_LESSON_FIELDS))
    cause = item.root_cause
    values["root_cause_description"] = cause.description if cause else None
    values["root_cause_category"] = cause.category.value if cause else None
    return values


def _asset_id(db: Session, external_id: str, memo: dict[str, int]) -> int:
    """The asset a lesson line names; `memo` spares a query for each sibling lesson."""
    if external_id not in memo:
        asset: Asset | None = _find(db, Asset, "asset", external_id)
        if asset is None or asset.id is None:
            raise LineRejected(
                f"there is no asset with external_id {external_id!r}; import the assets "
                "first (GET /v1/export?type=assets, then POST /v1/import?type=assets)"
            )
        memo[external_id] = asset.id
    return memo[external_id]


def _import_lesson(
    db: Session, who: Principal, item: LessonImport, options: Options, memo: dict[str, int]
) -> str:
    values = {**_lesson_values(item), "asset_id": _asset_id(db, item.asset_external_id, memo)}
    stamps = _given(created_at=item.created_at, learned_at=item.learned_at)
    existing: Lesson | None = _find(db, Lesson, "lesson", item.external_id)
    topics = item.applicability.topics
    now = utcnow()
    if existing is None:
        learned = item.status is LessonStatus.learned
        lesson = Lesson(
            external_id=item.external_id,
            **values,
            created_at=stamps.get("created_at", now),
            updated_at=now,
            learned_at=stamps.get("learned_at", now if learned else None),
        )
        db.add(lesson)
        db.flush()
        assert lesson.id is not None
        lessons_service.replace_labels(db, lesson.id, tags=values["tags"], topics=topics)
        outbox.enqueue(db, entity_type="lesson", entity_id=lesson.id)
        return "created"
    changes = _differences(existing, {**values, **stamps})
    if not changes:
        return "unchanged"
    before = lessons_service.to_read(db, existing)
    _write(db, Lesson, existing, changes)
    lessons_service.replace_labels(
        db,
        before.id,
        tags=changes.get("tags"),
        topics=topics if "applicability" in changes else None,
    )
    history.record(
        db, who, entity_type="lesson", earlier=before, fields=sorted(changes), comment="import"
    )
    outbox.enqueue(db, entity_type="lesson", entity_id=before.id)
    return "updated"


_IMPORTERS: dict[str, tuple[type[BaseModel], Any]] = {
    "assets": (AssetImport, _import_asset),
    "lessons": (LessonImport, _import_lesson),
}


def _run_batch(
    engine: Engine,
    who: Principal,
    what: ImportType,
    batch: list[tuple[int, bytes]],
    options: Options,
    tally: _Tally,
) -> None:
    model, import_one = _IMPORTERS[what]
    memo: dict[str, int] = {}  # asset ids by external id: sibling lessons share one
    with open_session(engine, write=True) as db:
        for number, raw in batch:
            try:
                item = _parse(model, raw)
                with db.begin_nested():  # a failing line rolls back alone
                    outcome = import_one(db, who, item, options, memo)
            except LineRejected as exc:
                tally.reject(number, exc.reason)
            except AppError as exc:
                tally.reject(number, exc.message)
            except IntegrityError:
                tally.reject(number, "the line conflicts with another item (a duplicate id?)")
            except DataError:
                tally.reject(number, "a value in the line is out of range for its field")
            else:
                tally.counts[outcome] += 1
        # In the batch's own commit: the lines it stored never lack their record.
        audit.record(
            db,
            who,
            "import_items",
            "bulk",
            None,
            detail={"type": what, "lines": [batch[0][0], batch[-1][0]]} if batch else {},
        )
        db.commit()


def import_file(
    engine: Engine, who: Principal, what: ImportType, path: Path, *, options: Options
) -> ImportReport:
    """Import every line of the JSON-lines file at `path`. The caller checked the role.
    Raises ValidationFailed (422) when `options.owning_team_id` names no team."""
    if options.owning_team_id is not None:
        with open_session(engine, write=False) as db:
            teams_service.require_existing(
                db, [options.owning_team_id], field="query.owning_team_id"
            )
    tally = _Tally()
    for batch in _batches(path):
        _run_batch(engine, who, what, batch, options, tally)
    return tally.report()
