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
from hindsight.schemas.enums import AssetStatus, LessonStatus, Visibility
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
    """How lines are placed. With none, each item keeps the owning team, project and shared
    teams its line names, so an export of this Hindsight imports back as it was."""

    owning_team_id: int | None = None  # every asset and standalone lesson goes to this team
    project_id: int | None = None  # ... and to this project
    # False for a file from another system: its lines' team and project ids name things
    # there, so they are dropped (owning_team_id then places every item).
    keep_ids: bool = True


_ELSEWHERE = (
    "; ids name teams and projects of this Hindsight: to import a file from another one, "
    "pass ?owning_team_id= with keep_ids=false"
)


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


def _ids_dropped(options: Options) -> bool:
    return not options.keep_ids


def _place(
    db: Session, who: Principal, team_id: int | None, project_id: int | None, options: Options
) -> tuple[int, int | None]:
    """The owning team and project of an asset or standalone lesson: the import's when it
    names them, else the line's (unless its ids are dropped). Raises ValidationFailed."""
    foreign = _ids_dropped(options)
    line_team, line_project = (None, None) if foreign else (team_id, project_id)
    team = options.owning_team_id if options.owning_team_id is not None else line_team
    project = options.project_id if options.project_id is not None else line_project
    if team is None:
        raise LineRejected(
            "owning_team_id is missing; give it, or import with ?owning_team_id= to place "
            "every item in one team"
        )
    if options.owning_team_id is None:
        teams_service.require_existing(db, [team], field="owning_team_id")
    if project is not None and options.project_id is None:
        projects_service.require_visible(db, who, project, field="project_id")
    return team, project


def _asset_values(
    db: Session, who: Principal, item: AssetImport, options: Options
) -> tuple[dict[str, Any], list[int]]:
    values = item.model_dump(mode="json", include=set(_ASSET_FIELDS))
    team_ids = [] if _ids_dropped(options) else sorted(set(item.team_ids))
    try:
        teams_service.require_existing(db, team_ids, field="team_ids")
        values["owning_team_id"], values["project_id"] = _place(
            db, who, item.owning_team_id, item.project_id, options
        )
    except ValidationFailed as exc:
        raise LineRejected(f"{exc.message}{_ELSEWHERE}") from exc
    return values, team_ids


def _import_asset(
    db: Session, who: Principal, item: AssetImport, options: Options, memo: dict[str, int]
) -> str:
    """The asset, then the lessons embedded in its line (an assets export carries them), so
    one file brings back both; the line counts as updated when only a lesson changed."""
    outcome, asset_id = _write_asset(db, who, item, options)
    memo[item.external_id] = asset_id
    for lesson in item.lessons:
        inside = lesson.model_copy(update={"asset_external_id": item.external_id})
        if _import_lesson(db, who, inside, options, memo) != "unchanged" and outcome == "unchanged":
            outcome = "updated"
    return outcome


def _write_asset(
    db: Session, who: Principal, item: AssetImport, options: Options
) -> tuple[str, int]:
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
        return "created", asset.id
    assert existing.id is not None
    changes = _differences(existing, {**values, **stamps})
    teams_changed = access.team_ids_of(db, [existing.id]).get(existing.id, []) != team_ids
    if not changes and not teams_changed:
        return "unchanged", existing.id
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
        db.flush()
        after = assets_service.to_read(db, db.get_one(Asset, existing.id))
        lessons_service.follow_asset(db, before, after)
    return "updated", existing.id


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


def _lesson_placement(
    db: Session, who: Principal, item: LessonImport, options: Options, memo: dict[str, int]
) -> lessons_service.Placement:
    """Where the line's lesson goes: into the asset it names (within the asset's access),
    or, without one, standalone in the line's team and project (or the import's)."""
    foreign = _ids_dropped(options)
    team_ids = [] if foreign else sorted(set(item.team_ids or []))
    try:
        teams_service.require_existing(db, team_ids, field="team_ids")
        if item.asset_external_id is not None:
            asset_id = _asset_id(db, item.asset_external_id, memo)
            facts = access.access_of(db, [asset_id])[asset_id]
            fields = item.model_copy(update={"team_ids": team_ids})
            return lessons_service.in_asset(asset_id, facts, fields, prefix="line")
        owning_team_id, project_id = _place(db, who, item.owning_team_id, item.project_id, options)
    except ValidationFailed as exc:
        raise LineRejected(f"{exc.details[0]['field']}: {exc.message}{_ELSEWHERE}") from exc
    return lessons_service.Placement(
        asset_id=None,
        owning_team_id=owning_team_id,
        project_id=project_id,
        visibility=(item.visibility or Visibility.internal).value,
        team_ids=tuple(team_ids),
    )


def _import_lesson(
    db: Session, who: Principal, item: LessonImport, options: Options, memo: dict[str, int]
) -> str:
    place = _lesson_placement(db, who, item, options, memo)
    stamps = _given(created_at=item.created_at, learned_at=item.learned_at)
    existing: Lesson | None = _find(db, Lesson, "lesson", item.external_id)
    topics = item.applicability.topics
    now = utcnow()
    if existing is None:
        learned = item.status is LessonStatus.learned
        lessons_service.add(
            db,
            place,
            item,
            external_id=item.external_id,
            status=item.status.value,
            status_reason=item.status_reason,
            evidence_of_change=item.evidence_of_change,
            created_at=stamps.get("created_at", now),
            updated_at=now,
            learned_at=stamps.get("learned_at", now if learned else None),
        )
        return "created"
    values = {
        **_lesson_values(item),
        "asset_id": place.asset_id,
        "owning_team_id": place.owning_team_id,
        "project_id": place.project_id,
        "visibility": place.visibility,
    }
    assert existing.id is not None
    changes = _differences(existing, {**values, **stamps})
    had_teams = lessons_service.team_ids_of(db, [existing.id]).get(existing.id, [])
    teams_changed = had_teams != sorted(place.team_ids)
    if not changes and not teams_changed:
        return "unchanged"
    before = lessons_service.to_read(db, existing)
    _write(db, Lesson, existing, changes)
    if teams_changed:
        lessons_service.set_teams(db, before.id, place.team_ids)
    lessons_service.replace_labels(
        db,
        before.id,
        tags=changes.get("tags"),
        topics=topics if "applicability" in changes else None,
    )
    fields = sorted([*changes, *(["team_ids"] if teams_changed else [])])
    history.record(db, who, entity_type="lesson", earlier=before, fields=fields, comment="import")
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
    Raises ValidationFailed (422) when `options` name no team or project, or drop the lines'
    ids without naming a team."""
    if _ids_dropped(options) and options.owning_team_id is None:
        raise ValidationFailed(
            "query.owning_team_id",
            "keep_ids=false drops the lines' team ids, so say which team gets the items: "
            "add ?owning_team_id=",
        )
    with open_session(engine, write=False) as db:
        if options.owning_team_id is not None:
            teams_service.require_existing(
                db, [options.owning_team_id], field="query.owning_team_id"
            )
        if options.project_id is not None:
            projects_service.require_visible(db, who, options.project_id, field="query.project_id")
    tally = _Tally()
    for batch in _batches(path):
        _run_batch(engine, who, what, batch, options, tally)
    return tally.report()
