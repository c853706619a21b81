"""Writing imported items: one transaction per batch, idempotent by external id.

The per-item create of `service.assets` makes a transaction and several round trips per
asset; an import of thousands goes through here instead, with multi-row INSERTs. It keeps
the same rules: every item has passed the `POST /v1/assets` schemas (`nasa.to_item`), the
body is rendered and sanitised once, labels rows back the tag and topic filters, each
changed asset and lesson gets its outbox row in the batch's transaction, and an update keeps
the earlier version in the history.

A re-import brings the source's own fields back to what the file says. What Hindsight adds
afterwards is left alone: status (lifecycle, archiving), visibility, owning team, polarity
and impact.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from hindsight.service.assets import service as assets_service
from hindsight.service.assets.models import Asset, AssetLabel
from hindsight.service.auth import BOOTSTRAP_ADMIN
from hindsight.service.columns import utcnow
from hindsight.service.history import service as history
from hindsight.service.imports.nasa import ImportItem
from hindsight.service.lessons import service as lessons_service
from hindsight.service.lessons.models import Lesson, LessonLabel
from hindsight.service.outbox.models import OutboxEntry
from hindsight.service.teams.models import Team

# The fields a re-import compares and rewrites (the source's own content).
ASSET_CONTENT = ("kind", "title", "summary", "body", "tags", "topics", "authors", "details")
LESSON_CONTENT = (
    "title",
    "observation",
    "analysis",
    "five_whys",
    "root_cause_description",
    "root_cause_category",
    "lesson",
    "recommendation",
    "applicability",
    "tags",
)
COMMENT = "re-imported: the source changed"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class _Plan:
    asset_rows: list[dict[str, Any]] = field(default_factory=list)
    new_lessons: list[tuple[ImportItem, int | None]] = field(default_factory=list)
    asset_updates: list[tuple[Asset, dict[str, Any], str]] = field(default_factory=list)
    lesson_updates: list[tuple[Lesson, dict[str, Any]]] = field(default_factory=list)


def ensure_team(db: Session, name: str, description: str) -> int:
    """The id of the team called `name`, created (and committed) when missing."""
    found = db.execute(select(Team.id).where(Team.name == name)).scalar_one_or_none()
    if found is not None:
        return int(found)
    team = Team(name=name, description=description)
    db.add(team)
    try:
        db.commit()
    except IntegrityError:  # another import created it in the meantime
        db.rollback()
        return int(db.execute(select(Team.id).where(Team.name == name)).scalar_one())
    assert team.id is not None
    return team.id


def asset_content(item: ImportItem) -> dict[str, Any]:
    values = item.asset.model_dump(mode="json", include=set(ASSET_CONTENT))
    return {name: values[name] for name in ASSET_CONTENT}


def lesson_content(item: ImportItem) -> dict[str, Any]:
    values = item.asset.lessons[0].model_dump(mode="json")
    cause = values.pop("root_cause")
    values["root_cause_description"] = cause["description"] if cause else None
    values["root_cause_category"] = cause["category"] if cause else None
    return {name: values[name] for name in LESSON_CONTENT}


def _changes(row: Any, wanted: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in wanted.items() if getattr(row, name) != value}


def _labels(ids_and_values: list[tuple[int, str, list[str]]]) -> list[dict[str, Any]]:
    return [
        {"owner": owner, "facet": facet, "value": value}
        for owner, facet, values in ids_and_values
        for value in values
    ]


def write_batch(db: Session, team_id: int, items: Sequence[ImportItem]) -> Counts:
    """Create, update or leave each item; the caller commits (one transaction a batch)."""
    keys = [item.external_id for item in items]
    assets = {a.external_id: a for a in db.execute(
        select(Asset).where(Asset.external_id.in_(keys))  # type: ignore[union-attr]
    ).scalars()}  # fmt: skip
    lessons = {le.external_id: le for le in db.execute(
        select(Lesson).where(Lesson.external_id.in_(keys))  # type: ignore[union-attr]
    ).scalars()}  # fmt: skip
    counts, plan, now = Counts(), _Plan(), utcnow()
    for item in items:
        asset, lesson = assets.get(item.external_id), lessons.get(item.external_id)
        if asset is None:
            plan.asset_rows.append(_asset_row(item, team_id, now))
            plan.new_lessons.append((item, None))
            counts.created += 1
            continue
        asset_changes = _changes(asset, asset_content(item))
        if asset_changes:
            plan.asset_updates.append((asset, asset_changes, item.body_html))
        if lesson is None:  # the lesson was deleted in Hindsight: the source still has it
            plan.new_lessons.append((item, asset.id))
        elif lesson_changes := _changes(lesson, lesson_content(item)):
            plan.lesson_updates.append((lesson, lesson_changes))
        if asset_changes or lesson is None or lesson_changes:
            counts.updated += 1
        else:
            counts.unchanged += 1
    _insert(db, plan, team_id, now)
    _update(db, plan, now)
    return counts


def _asset_row(item: ImportItem, team_id: int, now: Any) -> dict[str, Any]:
    asset = item.asset
    return {
        **asset_content(item),
        "external_id": item.external_id,
        "body_html": item.body_html,
        "project_id": None,
        "owning_team_id": team_id,
        "visibility": asset.visibility.value,
        "status": asset.status.value,
        "version": 1,
        "created_at": item.created_at,
        "updated_at": now,
        "published_at": item.created_at,
    }


def _table(model: Any) -> Table:
    """The Core table: multi-row INSERTs through it skip the ORM's per-row bookkeeping,
    which costs more than the database itself at this size."""
    table: Table = model.__table__
    return table


def _insert(db: Session, plan: _Plan, team_id: int, now: Any) -> None:
    asset_ids: dict[str, int] = {}
    if plan.asset_rows:
        table = _table(Asset)
        stmt = insert(table).returning(table.c.id, table.c.external_id)
        asset_ids = {ext: int(i) for i, ext in db.connection().execute(stmt, plan.asset_rows)}
    rows, owners = [], []
    for item, asset_id in plan.new_lessons:
        owner = asset_id if asset_id is not None else asset_ids[item.external_id]
        owners.append(owner)
        rows.append(
            {
                **lesson_content(item),
                "external_id": item.external_id,
                "asset_id": owner,
                # The asset's place and access: imported assets share no teams, so a lesson
                # needs no rows in lesson_teams to be exactly as visible as its asset.
                "owning_team_id": team_id,
                "project_id": None,
                "visibility": item.asset.visibility.value,
                "polarity": item.asset.lessons[0].polarity.value,
                "impact": item.asset.lessons[0].impact.value,
                "status": "identified",
                "version": 1,
                "created_at": item.created_at,
                "updated_at": now,
            }
        )
    if not rows:
        return
    table = _table(Lesson)
    # Matched back by external id: asking for the rows' order instead makes SQLAlchemy
    # insert one row a statement on SQLite.
    stmt = insert(table).returning(table.c.id, table.c.external_id)
    by_key = {ext: int(i) for i, ext in db.connection().execute(stmt, rows)}
    lesson_ids = [by_key[r["external_id"]] for r in rows]
    new_assets = [(asset_ids[r["external_id"]], r) for r in plan.asset_rows]
    asset_labels = _labels(
        [(i, f, r[n]) for i, r in new_assets for f, n in (("tag", "tags"), ("topic", "topics"))]
    )
    lesson_labels = _labels(
        [(i, "tag", r["tags"]) for i, r in zip(lesson_ids, rows, strict=True)]
        + [
            (i, "topic", r["applicability"]["topics"])
            for i, r in zip(lesson_ids, rows, strict=True)
        ]
    )
    conn = db.connection()
    if asset_labels:
        labels = [{"asset_id": r.pop("owner"), **r} for r in asset_labels]
        conn.execute(insert(_table(AssetLabel)), labels)
    if lesson_labels:
        labels = [{"lesson_id": r.pop("owner"), **r} for r in lesson_labels]
        conn.execute(insert(_table(LessonLabel)), labels)
    outbox = [{"entity_type": "asset", "entity_id": i} for i, _ in new_assets]
    outbox += [{"entity_type": "lesson", "entity_id": i} for i in lesson_ids]
    conn.execute(insert(_table(OutboxEntry)), [{**r, "created_at": now} for r in outbox])


def _update(db: Session, plan: _Plan, now: Any) -> None:
    """The rare path (the source changed): row by row, with history, like an edit."""
    for asset, changes, body_html in plan.asset_updates:
        before = assets_service.to_read(db, asset)
        values = {**changes, **({"body_html": body_html} if "body" in changes else {})}
        db.execute(
            update(Asset)
            .where(Asset.id == asset.id)  # type: ignore[arg-type]
            .values(**values, version=Asset.version + 1, updated_at=now)
        )
        for facet, name in (("tag", "tags"), ("topic", "topics")):
            if name in changes:
                _relabel(db, AssetLabel, "asset_id", asset.id, facet, changes[name])
        history.record(db, BOOTSTRAP_ADMIN, entity_type="asset", earlier=before,
                       fields=sorted(changes), comment=COMMENT)  # fmt: skip
        db.add(OutboxEntry(entity_type="asset", entity_id=asset.id or 0, created_at=now))
    for lesson, changes in plan.lesson_updates:
        before = lessons_service.to_read(db, lesson)
        db.execute(
            update(Lesson)
            .where(Lesson.id == lesson.id)  # type: ignore[arg-type]
            .values(**changes, version=Lesson.version + 1, updated_at=now)
        )
        if "tags" in changes:
            _relabel(db, LessonLabel, "lesson_id", lesson.id, "tag", changes["tags"])
        if "applicability" in changes:
            topics = changes["applicability"]["topics"]
            _relabel(db, LessonLabel, "lesson_id", lesson.id, "topic", topics)
        history.record(db, BOOTSTRAP_ADMIN, entity_type="lesson", earlier=before,
                       fields=sorted(changes), comment=COMMENT)  # fmt: skip
        db.add(OutboxEntry(entity_type="lesson", entity_id=lesson.id or 0, created_at=now))
    db.flush()


def _relabel(
    db: Session, table: Any, owner: str, owner_id: int | None, facet: str, values: list[str]
) -> None:
    column = getattr(table, owner)
    db.execute(delete(table).where(column == owner_id, table.facet == facet))
    db.add_all(table(**{owner: owner_id, "facet": facet, "value": v}) for v in values)
