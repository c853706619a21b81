"""Lessons: added to an asset (with it, or later), read, listed and changed.

A lesson is exactly as visible as its asset: every read filters on the asset predicate of
`service.assets.access`, so a lesson under a draft asset stays with the team and reviewers.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, select, update
from sqlmodel import Session

from hindsight.schemas.enums import WebhookEvent
from hindsight.schemas.lessons import LessonCreate, LessonFields, LessonRead, LessonUpdate
from hindsight.schemas.lessons import check_whys as _check_whys
from hindsight.schemas.versions import VersionRead
from hindsight.service import idempotency
from hindsight.service import ownership as own
from hindsight.service.assets import access as asset_access
from hindsight.service.assets.models import Asset
from hindsight.service.auth import Principal
from hindsight.service.columns import utcnow
from hindsight.service.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from hindsight.service.events import service as events
from hindsight.service.history import service as history
from hindsight.service.lessons.models import Lesson, LessonLabel
from hindsight.service.outbox import service as outbox
from hindsight.service.pagination import fetch_page

ENTITY = "lesson"
_REQUIRED = ("title", "observation", "analysis", "five_whys", "lesson", "recommendation",
             "polarity", "impact", "applicability", "tags")  # fmt: skip


def _visible(who: Principal, *, team_id: int | None = None) -> Any:
    assets = asset_access.visible_ids(who, team_id=team_id)
    return Lesson.asset_id.in_(assets)  # type: ignore[attr-defined]


def visible_ids(who: Principal, *, team_id: int | None = None) -> Select[Any]:
    """Ids of the lessons `who` may read (optionally of one owning team), for subqueries of
    other domains: actions, applications and metrics are exactly as visible as their lesson."""
    return select(Lesson.id).where(_visible(who, team_id=team_id))


def to_reads(db: Session, lessons: list[Lesson]) -> list[LessonRead]:
    """Read models with the access facts of their assets, in a fixed number of queries."""
    access = asset_access.access_of(db, (lesson.asset_id for lesson in lessons))
    reads = []
    for lesson in lessons:
        facts = access[lesson.asset_id]
        data = lesson.model_dump()
        root_cause = None
        if lesson.root_cause_category is not None:
            root_cause = {
                "description": lesson.root_cause_description,
                "category": lesson.root_cause_category,
            }
        data.update(
            root_cause=root_cause,
            project_id=facts.project_id,
            owning_team_id=facts.owning_team_id,
            visibility=facts.visibility,
            team_ids=facts.team_ids,
        )
        reads.append(LessonRead.model_validate(data))
    return reads


def to_read(db: Session, lesson: Lesson) -> LessonRead:
    return to_reads(db, [lesson])[0]


def get_visible(db: Session, who: Principal, lesson_id: int) -> Lesson:
    """Raises NotFound for a missing lesson and a hidden one alike."""
    lesson = db.execute(
        select(Lesson).where(Lesson.id == lesson_id, _visible(who))
    ).scalar_one_or_none()
    if lesson is None:
        raise NotFound(f"there is no lesson {lesson_id}")
    return lesson


def list_visible(
    db: Session, who: Principal, *, filters: dict[str, Any], limit: int, offset: int
) -> tuple[list[LessonRead], int]:
    stmt: Select[Any] = select(Lesson).where(_visible(who))
    for name in ("status", "polarity", "impact", "root_cause_category", "asset_id"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(Lesson, name) == filters[name])
    if filters.get("project_id") is not None:
        in_project = asset_access.visible_ids(who, project_id=filters["project_id"])
        stmt = stmt.where(Lesson.asset_id.in_(in_project))  # type: ignore[attr-defined]
    for facet in ("tag", "topic"):
        if filters.get(facet):
            labelled = select(LessonLabel.lesson_id).where(
                LessonLabel.facet == facet, LessonLabel.value == filters[facet].strip().lower()
            )
            stmt = stmt.where(Lesson.id.in_(labelled))  # type: ignore[union-attr]
    rows, total = fetch_page(
        db,
        stmt,
        order_by=(Lesson.created_at.desc(), Lesson.id.desc()),
        limit=limit,
        offset=offset,  # type: ignore[attr-defined,union-attr]
    )
    return to_reads(db, rows), total


def get_linkable(db: Session, who: Principal, lesson_id: int, *, field: str) -> LessonRead:
    """A visible lesson another item links to (an action, an application); a 422 naming
    `field` when there is none or the caller cannot see it (the same answer, so nothing leaks)."""
    lesson = db.execute(
        select(Lesson).where(Lesson.id == lesson_id, _visible(who))
    ).scalar_one_or_none()
    if lesson is None:
        raise ValidationFailed(field, f"there is no lesson {lesson_id}")
    return to_read(db, lesson)


def _visible_among(db: Session, who: Principal, asset_ids: set[int]) -> set[int]:
    """Which of these assets `who` may read. Asked by primary key on purpose: joined to the
    lessons instead, SQLite walks every published asset first (250 ms at 100,000 lessons)."""
    if not asset_ids:
        return set()
    stmt = select(Asset.id).where(Asset.id.in_(sorted(asset_ids)), asset_access.visible_to(who))  # type: ignore[union-attr]
    return set(db.execute(stmt).scalars())


def visible_reads(db: Session, who: Principal, lesson_ids: list[int]) -> dict[int, LessonRead]:
    """The lessons among `lesson_ids` that `who` may read, by id."""
    if not lesson_ids:
        return {}
    rows = list(db.execute(select(Lesson).where(Lesson.id.in_(lesson_ids))).scalars())  # type: ignore[union-attr]
    visible = _visible_among(db, who, {row.asset_id for row in rows})
    return {read.id: read for read in to_reads(db, [r for r in rows if r.asset_id in visible])}


@dataclass(frozen=True)
class LessonFacts:
    """What ranking needs to know of a lesson besides its text."""

    status: str
    phases: tuple[str, ...]
    topics: tuple[str, ...]
    organisation_types: tuple[str, ...]
    tags: tuple[str, ...]


def visible_facts(db: Session, who: Principal, lesson_ids: list[int]) -> dict[int, LessonFacts]:
    """Status, applicability and tags of the visible lessons among `lesson_ids`, without
    their text (cheap enough for a few hundred search candidates)."""
    if not lesson_ids:
        return {}
    rows = db.execute(
        select(Lesson.id, Lesson.asset_id, Lesson.status, Lesson.applicability, Lesson.tags).where(
            Lesson.id.in_(lesson_ids)  # type: ignore[union-attr]
        )
    ).all()
    visible = _visible_among(db, who, {row.asset_id for row in rows})
    out = {}
    for row in rows:
        if row.asset_id not in visible:
            continue
        where = row.applicability or {}
        out[row.id] = LessonFacts(
            status=row.status,
            phases=tuple(where.get("phases") or ()),
            topics=tuple(where.get("topics") or ()),
            organisation_types=tuple(where.get("organisation_types") or ()),
            tags=tuple(row.tags or ()),
        )
    return out


def require_visible_ids(db: Session, who: Principal, lesson_ids: list[int], *, field: str) -> None:
    """For links to lessons (e.g. a before-action review's `lessons_considered`)."""
    wanted = set(lesson_ids)
    if not wanted:
        return
    found = set(
        db.execute(
            select(Lesson.id).where(Lesson.id.in_(wanted), _visible(who))  # type: ignore[union-attr]
        ).scalars()
    )
    if missing := sorted(wanted - found):
        raise ValidationFailed(field, f"no such lesson: {', '.join(map(str, missing))}")


def _columns(fields: dict[str, Any]) -> dict[str, Any]:
    """API fields (JSON-ready) to column values: the root cause is two columns."""
    values = dict(fields)
    if "root_cause" in values:
        root_cause = values.pop("root_cause")
        values["root_cause_description"] = root_cause["description"] if root_cause else None
        values["root_cause_category"] = root_cause["category"] if root_cause else None
    return values


def _set_labels(
    db: Session, lesson_id: int, *, tags: list[str] | None, topics: list[str] | None
) -> None:
    for facet, values in (("tag", tags), ("topic", topics)):
        if values is None:
            continue
        db.execute(
            delete(LessonLabel).where(
                LessonLabel.lesson_id == lesson_id, LessonLabel.facet == facet
            )  # type: ignore[arg-type]
        )
        db.add_all(LessonLabel(lesson_id=lesson_id, facet=facet, value=v) for v in values)


def replace_labels(
    db: Session, lesson_id: int, *, tags: list[str] | None, topics: list[str] | None
) -> None:
    """Keep the label rows (what tag and topic filters read) in step with a lesson's lists,
    for writers outside this module such as the bulk importer; None leaves a facet as is."""
    _set_labels(db, lesson_id, tags=tags, topics=topics)


def add(db: Session, asset_id: int, fields: LessonFields) -> Lesson:
    """Add a lesson to an asset inside the caller's transaction (no commit, no checks: the
    caller has checked the asset and the caller's right to change it)."""
    values = _columns(fields.model_dump(mode="json", exclude={"asset_id"}))
    lesson = Lesson(asset_id=asset_id, **values)
    db.add(lesson)
    db.flush()
    assert lesson.id is not None
    _set_labels(db, lesson.id, tags=fields.tags, topics=fields.applicability.topics)
    outbox.enqueue(db, entity_type=ENTITY, entity_id=lesson.id)
    emit(db, WebhookEvent.lesson_created, lesson)
    return lesson


def emit(db: Session, event: WebhookEvent, lesson: Lesson, **extra: object) -> None:
    """Tell webhooks and subscriptions about `lesson` (in the caller's transaction)."""
    assert lesson.id is not None
    data = {
        "asset_id": lesson.asset_id,
        "title": lesson.title,
        "status": lesson.status,
        "polarity": lesson.polarity,
        "impact": lesson.impact,
        **extra,
    }
    events.emit(db, event, item_type=ENTITY, item_id=lesson.id, data=data)


def create(
    db: Session, who: Principal, payload: LessonCreate, *, claim: idempotency.Claim | None
) -> LessonRead:
    """Add a lesson to an existing asset the caller may see and change."""
    _editable_asset(db, who, payload.asset_id, field="body.asset_id")
    lesson = add(db, payload.asset_id, payload)
    return idempotency.commit_created(db, claim, to_read(db, lesson))


def _editable_asset(
    db: Session, who: Principal, asset_id: int, *, field: str | None = None
) -> asset_access.AssetAccess:
    if not asset_access.is_visible(db, who, asset_id):
        if field is None:
            raise NotFound(f"there is no asset {asset_id}")
        raise ValidationFailed(field, f"there is no asset {asset_id}")
    facts = asset_access.access_of(db, [asset_id])[asset_id]
    own.require_edit(who, facts.owning_team_id, "asset's lessons")
    if facts.status == "archived":
        raise Conflict(f"asset {asset_id} is archived; its lessons can no longer change")
    return facts


def update_lesson(
    db: Session, who: Principal, lesson_id: int, patch: LessonUpdate, *, expected_version: int
) -> LessonRead:
    """Apply `patch` if the lesson is still at `expected_version` (412 otherwise)."""
    lesson = get_visible(db, who, lesson_id)
    _editable_asset(db, who, lesson.asset_id)
    changes = patch.model_dump(mode="json", exclude_unset=True)
    own.reject_nulls(changes, _REQUIRED)
    before = to_read(db, lesson)
    whys = patch.five_whys if "five_whys" in changes else before.five_whys
    cause = patch.root_cause if "root_cause" in changes else before.root_cause
    try:
        _check_whys(whys, cause)
    except ValueError as exc:
        raise ValidationFailed("body.root_cause", str(exc)) from exc
    if lesson.version != expected_version:
        raise _stale(lesson_id, expected_version)
    # The version test is part of the UPDATE, so two concurrent writers cannot both pass it.
    result = db.execute(
        update(Lesson)
        .where(Lesson.id == lesson_id, Lesson.version == expected_version)  # type: ignore[arg-type]
        .values(**_columns(changes), version=expected_version + 1, updated_at=utcnow())
    )
    if result.rowcount == 0:
        raise _stale(lesson_id, expected_version)
    topics = patch.applicability.topics if patch.applicability is not None else None
    _set_labels(db, lesson_id, tags=patch.tags, topics=topics)
    db.flush()
    db.expire_all()
    after = to_read(db, db.get_one(Lesson, lesson_id))
    fields = history.changed_fields(before.model_dump(), after.model_dump())
    history.record(db, who, entity_type=ENTITY, earlier=before, fields=fields)
    outbox.enqueue(db, entity_type=ENTITY, entity_id=lesson_id)
    db.commit()
    return after


def ids_of_asset(db: Session, asset_id: int) -> list[int]:
    stmt = select(Lesson.id).where(Lesson.asset_id == asset_id).order_by(Lesson.id)  # type: ignore[arg-type]
    return list(db.execute(stmt).scalars())


def lesson_ids_of(db: Session, asset_ids: list[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {asset_id: [] for asset_id in asset_ids}
    if asset_ids:
        rows = db.execute(
            select(Lesson.asset_id, Lesson.id)
            .where(Lesson.asset_id.in_(asset_ids))  # type: ignore[attr-defined]
            .order_by(Lesson.id)
        )
        for asset_id, lesson_id in rows:
            found[asset_id].append(lesson_id)
    return found


def announce_access_change(db: Session, asset_id: int) -> None:
    """The asset's access or status changed: the index must refresh its lessons too."""
    for lesson_id in ids_of_asset(db, asset_id):
        outbox.enqueue(db, entity_type=ENTITY, entity_id=lesson_id)


def delete_for_asset(db: Session, asset_id: int) -> None:
    """Delete an asset's lessons and their history, inside the caller's transaction."""
    ids = ids_of_asset(db, asset_id)
    if ids:
        db.execute(delete(Lesson).where(Lesson.id.in_(ids)))  # type: ignore[union-attr]
        history.forget(db, entity_type=ENTITY, entity_ids=ids)
    for lesson_id in ids:
        outbox.enqueue(db, entity_type=ENTITY, entity_id=lesson_id)


def list_versions(
    db: Session, who: Principal, lesson_id: int, *, limit: int, offset: int
) -> tuple[list[VersionRead], int]:
    get_visible(db, who, lesson_id)
    return history.list_versions(
        db, entity_type=ENTITY, entity_id=lesson_id, limit=limit, offset=offset
    )


def _stale(lesson_id: int, expected_version: int) -> PreconditionFailed:
    return PreconditionFailed(
        f"lesson {lesson_id} changed since version {expected_version}; read it again"
    )
