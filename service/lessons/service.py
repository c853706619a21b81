"""Lessons: logged on their own or added to an asset (with it, or later), read, listed and
changed.

A lesson is read through the predicate of `lessons.access.visible_to`: its own access, and
for a lesson in an asset the asset's too, so a lesson under a draft asset stays with the
team and reviewers, and a narrower lesson in a shared review stays with its teams.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, select, update
from sqlmodel import Session

from hindsight.schemas.assets import AssetRead
from hindsight.schemas.enums import Visibility, WebhookEvent
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
from hindsight.service.lessons import access
from hindsight.service.lessons.models import Lesson, LessonLabel, LessonTeam
from hindsight.service.outbox import service as outbox
from hindsight.service.pagination import fetch_page
from hindsight.service.projects import service as projects_service
from hindsight.service.teams import service as teams_service

ENTITY = "lesson"
_REQUIRED = ("title", "observation", "analysis", "five_whys", "lesson", "recommendation",
             "polarity", "impact", "applicability", "tags", "visibility", "team_ids")  # fmt: skip
_ACCESS = frozenset({"visibility", "team_ids"})
# The columns `add` takes from a lesson's fields; where it belongs comes from its Placement.
_WRITTEN = set(LessonFields.model_fields) - _ACCESS


def visible_ids(who: Principal, *, team_id: int | None = None) -> Select[Any]:
    """Ids of the lessons `who` may read (optionally of one owning team), for subqueries of
    other domains: actions, applications and metrics are exactly as visible as their lesson."""
    stmt = select(Lesson.id).where(access.visible_to(who))
    if team_id is not None:
        stmt = stmt.where(Lesson.owning_team_id == team_id)
    return stmt


def team_ids_of(db: Session, lesson_ids: Sequence[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    if lesson_ids:
        rows = db.execute(
            select(LessonTeam.lesson_id, LessonTeam.team_id)
            .where(LessonTeam.lesson_id.in_(sorted(set(lesson_ids))))  # type: ignore[attr-defined]
            .order_by(LessonTeam.lesson_id, LessonTeam.team_id)
        )
        for lesson_id, team_id in rows:
            found.setdefault(lesson_id, []).append(team_id)
    return found


def to_reads(db: Session, lessons: list[Lesson]) -> list[LessonRead]:
    """Read models with their shared teams, in two queries however many lessons."""
    teams = team_ids_of(db, [lesson.id for lesson in lessons if lesson.id is not None])
    reads = []
    for lesson in lessons:
        data = lesson.model_dump()
        root_cause = None
        if lesson.root_cause_category is not None:
            root_cause = {
                "description": lesson.root_cause_description,
                "category": lesson.root_cause_category,
            }
        data.update(root_cause=root_cause, team_ids=teams.get(lesson.id or 0, []))
        reads.append(LessonRead.model_validate(data))
    return reads


def to_read(db: Session, lesson: Lesson) -> LessonRead:
    return to_reads(db, [lesson])[0]


def get_visible(db: Session, who: Principal, lesson_id: int) -> Lesson:
    """Raises NotFound for a missing lesson and a hidden one alike."""
    lesson = db.execute(
        select(Lesson).where(Lesson.id == lesson_id, access.visible_to(who))
    ).scalar_one_or_none()
    if lesson is None:
        raise NotFound(f"there is no lesson {lesson_id}")
    return lesson


def list_visible(
    db: Session, who: Principal, *, filters: dict[str, Any], limit: int, offset: int
) -> tuple[list[LessonRead], int]:
    stmt: Select[Any] = select(Lesson).where(access.visible_to(who))
    for name in ("status", "polarity", "impact", "root_cause_category", "asset_id", "project_id"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(Lesson, name) == filters[name])
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
        select(Lesson).where(Lesson.id == lesson_id, access.visible_to(who))
    ).scalar_one_or_none()
    if lesson is None:
        raise ValidationFailed(field, f"there is no lesson {lesson_id}")
    return to_read(db, lesson)


def _visible_among(db: Session, who: Principal, rows: Sequence[Any]) -> set[int]:
    """Which of these lesson rows (with `id` and `asset_id`) `who` may read. Asked by primary
    key, the lessons' own access and their assets' apart, on purpose: joined to the lessons
    instead, SQLite walks every published asset first (250 ms at 100,000 lessons)."""
    if not rows:
        return set()
    if who.is_admin:
        return {row.id for row in rows}
    ids = sorted({row.id for row in rows})
    own_ok = set(
        db.execute(
            select(Lesson.id).where(Lesson.id.in_(ids), access.own_scope(who))  # type: ignore[union-attr]
        ).scalars()
    )
    asset_ids = sorted({row.asset_id for row in rows if row.asset_id is not None})
    assets_ok: set[int] = set()
    if asset_ids:
        stmt = select(Asset.id).where(Asset.id.in_(asset_ids), asset_access.visible_to(who))  # type: ignore[union-attr]
        assets_ok = set(db.execute(stmt).scalars())
    return {
        row.id
        for row in rows
        if row.id in own_ok and (row.asset_id is None or row.asset_id in assets_ok)
    }


def visible_reads(db: Session, who: Principal, lesson_ids: list[int]) -> dict[int, LessonRead]:
    """The lessons among `lesson_ids` that `who` may read, by id."""
    if not lesson_ids:
        return {}
    rows = list(db.execute(select(Lesson).where(Lesson.id.in_(lesson_ids))).scalars())  # type: ignore[union-attr]
    visible = _visible_among(db, who, rows)
    return {read.id: read for read in to_reads(db, [r for r in rows if r.id in visible])}


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
    visible = _visible_among(db, who, rows)
    out = {}
    for row in rows:
        if row.id not in visible:
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
            select(Lesson.id).where(Lesson.id.in_(wanted), access.visible_to(who))  # type: ignore[union-attr]
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


@dataclass(frozen=True)
class Placement:
    """Where a new lesson belongs and who may read it, settled before it is written."""

    asset_id: int | None
    owning_team_id: int
    project_id: int | None
    visibility: str
    team_ids: tuple[int, ...]


def in_asset(
    asset_id: int,
    facts: asset_access.AssetAccess,
    fields: LessonFields,
    *,
    prefix: str = "body",
) -> Placement:
    """A lesson of this asset: the asset's owning team and project, and its visibility and
    teams unless the lesson is sent narrower (a 422 naming the field when it is wider)."""
    visibility = fields.visibility.value if fields.visibility else facts.visibility
    team_ids = fields.team_ids if fields.team_ids is not None else facts.team_ids
    access.check_within_asset(facts, visibility, team_ids, prefix=prefix)
    return Placement(
        asset_id=asset_id,
        owning_team_id=facts.owning_team_id,
        project_id=facts.project_id,
        visibility=visibility,
        team_ids=tuple(dict.fromkeys(team_ids)),
    )


def set_teams(db: Session, lesson_id: int, team_ids: Sequence[int]) -> None:
    """Replace the teams a lesson is shared with, inside the caller's transaction."""
    db.execute(delete(LessonTeam).where(LessonTeam.lesson_id == lesson_id))  # type: ignore[arg-type]
    db.add_all(LessonTeam(lesson_id=lesson_id, team_id=t) for t in dict.fromkeys(team_ids))


def add(db: Session, placement: Placement, fields: LessonFields, **extra: Any) -> Lesson:
    """Write a lesson inside the caller's transaction (no commit, no checks: the caller has
    checked the placement and the caller's right to make it). `extra` are further columns
    (an importer's external id, status and timestamps)."""
    values = _columns(fields.model_dump(mode="json", include=_WRITTEN))
    values.update(extra)
    lesson = Lesson(
        **values,
        asset_id=placement.asset_id,
        owning_team_id=placement.owning_team_id,
        project_id=placement.project_id,
        visibility=placement.visibility,
    )
    db.add(lesson)
    db.flush()
    assert lesson.id is not None
    set_teams(db, lesson.id, placement.team_ids)
    _set_labels(db, lesson.id, tags=fields.tags, topics=fields.applicability.topics)
    outbox.enqueue(db, entity_type=ENTITY, entity_id=lesson.id)
    emit(db, WebhookEvent.lesson_created, lesson)
    return lesson


def standalone(db: Session, who: Principal, payload: LessonCreate) -> Placement:
    """A lesson of its own: the team asked for (else the caller's only team; a 422 asking
    for one otherwise), a project the caller can see, and `internal` unless sent otherwise."""
    owning_team_id = own.resolve_owning_team(db, who, payload.owning_team_id)
    if payload.project_id is not None:
        projects_service.require_visible(db, who, payload.project_id, field="body.project_id")
    team_ids = teams_service.require_existing(db, payload.team_ids or [], field="body.team_ids")
    visibility = payload.visibility or Visibility.internal
    return Placement(
        asset_id=None,
        owning_team_id=owning_team_id,
        project_id=payload.project_id,
        visibility=visibility.value,
        team_ids=tuple(team_ids),
    )


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
    """Add a lesson to an existing asset the caller may see and change, or log one on its
    own. Raises ValidationFailed for unknown ids, a team or project sent with `asset_id`, or
    a lesson wider than its asset; Forbidden for a team the caller is not in."""
    if payload.asset_id is None:
        placement = standalone(db, who, payload)
    else:
        for name in ("owning_team_id", "project_id"):
            if getattr(payload, name) is not None:
                raise ValidationFailed(
                    f"body.{name}",
                    f"a lesson in an asset takes the asset's {name}: leave {name} out, or "
                    "leave asset_id out to log a standalone lesson",
                )
        facts = _editable_asset(db, who, payload.asset_id, field="body.asset_id")
        teams_service.require_existing(db, payload.team_ids or [], field="body.team_ids")
        placement = in_asset(payload.asset_id, facts, payload)
    lesson = add(db, placement, payload)
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


def _check_access_change(
    db: Session, lesson: Lesson, before: LessonRead, changes: dict[str, Any]
) -> None:
    """A PATCH of `visibility` or `team_ids`: existing teams, and within the asset."""
    if "team_ids" in changes:
        changes["team_ids"] = teams_service.require_existing(
            db, changes["team_ids"], field="body.team_ids"
        )
    if lesson.asset_id is None:
        return
    facts = asset_access.access_of(db, [lesson.asset_id])[lesson.asset_id]
    visibility = changes.get("visibility", before.visibility.value)
    access.check_within_asset(facts, visibility, changes.get("team_ids", before.team_ids))


def update_lesson(
    db: Session, who: Principal, lesson_id: int, patch: LessonUpdate, *, expected_version: int
) -> LessonRead:
    """Apply `patch` if the lesson is still at `expected_version` (412 otherwise). A lesson
    in an asset may be made narrower than the asset, never wider (422)."""
    lesson = get_visible(db, who, lesson_id)
    if lesson.asset_id is None:
        own.require_edit(who, lesson.owning_team_id, "lesson")
    else:
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
    if _ACCESS.intersection(changes):
        _check_access_change(db, lesson, before, changes)
    if lesson.version != expected_version:
        raise _stale(lesson_id, expected_version)
    team_ids = changes.pop("team_ids", None)
    # The version test is part of the UPDATE, so two concurrent writers cannot both pass it.
    result = db.execute(
        update(Lesson)
        .where(Lesson.id == lesson_id, Lesson.version == expected_version)  # type: ignore[arg-type]
        .values(**_columns(changes), version=expected_version + 1, updated_at=utcnow())
    )
    if result.rowcount == 0:
        raise _stale(lesson_id, expected_version)
    if team_ids is not None:
        set_teams(db, lesson_id, team_ids)
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


def follow_asset(db: Session, before: AssetRead, after: AssetRead) -> None:
    """The asset's access or status changed: its lessons take its owning team and project,
    those that had the asset's visibility and teams take the new ones (narrower lessons stay
    as narrow), and the index refreshes them all. Inside the caller's transaction."""
    ids = ids_of_asset(db, after.id)
    if not ids:
        return
    db.execute(
        update(Lesson)
        .where(Lesson.id.in_(ids))  # type: ignore[union-attr]
        .values(owning_team_id=after.owning_team_id, project_id=after.project_id)
    )
    old_scope = (before.visibility.value, sorted(before.team_ids))
    new_teams = sorted(after.team_ids)
    if old_scope != (after.visibility.value, new_teams):
        rows = db.execute(select(Lesson.id, Lesson.visibility).where(Lesson.id.in_(ids))).all()  # type: ignore[union-attr]
        teams = team_ids_of(db, ids)
        following = [r.id for r in rows if (r.visibility, teams.get(r.id, [])) == old_scope]
        if following:
            db.execute(
                update(Lesson)
                .where(Lesson.id.in_(following))  # type: ignore[union-attr]
                .values(visibility=after.visibility.value)
            )
            for lesson_id in following:
                set_teams(db, lesson_id, new_teams)
    for lesson_id in ids:
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
    # A lesson's snapshot holds no access facts of its own: it is as visible as its asset,
    # whose own versions are withheld where the caller could not read them.
    return history.list_versions(
        db,
        entity_type=ENTITY,
        entity_id=lesson_id,
        limit=limit,
        offset=offset,
        readable=lambda _snapshot: True,
    )


def _stale(lesson_id: int, expected_version: int) -> PreconditionFailed:
    return PreconditionFailed(
        f"lesson {lesson_id} changed since version {expected_version}; read it again"
    )
