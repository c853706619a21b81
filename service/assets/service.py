"""Knowledge assets: create (with embedded lessons, all or nothing), read, list, change,
delete drafts. Access is the predicate of `access.visible_to`, inside every query."""

from typing import Any

from pydantic import ValidationError
from sqlalchemy import Select, delete, select, update
from sqlmodel import Session

from hindsight.schemas.asset_details import details_adapter
from hindsight.schemas.assets import AssetCreate, AssetRead, AssetUpdate
from hindsight.schemas.enums import AssetKind, AssetStatus, Role, WebhookEvent
from hindsight.schemas.versions import VersionRead
from hindsight.service import idempotency
from hindsight.service import ownership as own
from hindsight.service.assets import access
from hindsight.service.assets.models import Asset, AssetLabel, AssetTeam
from hindsight.service.assets.rendering import render
from hindsight.service.attachments import service as attachments_service
from hindsight.service.attachments.store import BlobStore
from hindsight.service.auth import Principal
from hindsight.service.columns import utcnow
from hindsight.service.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from hindsight.service.events import service as events
from hindsight.service.history import service as history
from hindsight.service.lessons import service as lessons_service
from hindsight.service.outbox import service as outbox
from hindsight.service.pagination import fetch_page
from hindsight.service.projects import service as projects_service
from hindsight.service.search.scope import scope_for
from hindsight.service.teams import service as teams_service

ENTITY = "asset"
_REQUIRED = ("title", "summary", "body", "tags", "topics", "owning_team_id", "authors",
             "visibility", "team_ids", "details")  # fmt: skip
# Changing these changes who may read the asset's lessons, so the index must refresh them.
_ACCESS_FIELDS = frozenset({"visibility", "team_ids", "owning_team_id", "project_id", "status"})


def to_reads(db: Session, assets: list[Asset]) -> list[AssetRead]:
    ids = [asset.id for asset in assets if asset.id is not None]
    teams = access.team_ids_of(db, ids)
    lessons = lessons_service.lesson_ids_of(db, ids)
    return [
        AssetRead.model_validate(
            {**a.model_dump(), "team_ids": teams.get(a.id, []), "lesson_ids": lessons[a.id]}  # type: ignore[index]
        )
        for a in assets
    ]


def to_read(db: Session, asset: Asset) -> AssetRead:
    return to_reads(db, [asset])[0]


def get_visible(db: Session, who: Principal, asset_id: int) -> Asset:
    """Raises NotFound for a missing asset and for a hidden one alike."""
    asset = db.execute(
        select(Asset).where(Asset.id == asset_id, access.visible_to(who))
    ).scalar_one_or_none()
    if asset is None:
        raise NotFound(f"there is no asset {asset_id}")
    return asset


def visible_rows(db: Session, who: Principal, asset_ids: list[int]) -> dict[int, Asset]:
    """The assets among `asset_ids` that `who` may read, by id, as rows (without the shared
    teams and lesson ids of a read model: cheap for a few dozen search candidates)."""
    if not asset_ids:
        return {}
    rows = db.execute(
        select(Asset).where(Asset.id.in_(asset_ids), access.visible_to(who))  # type: ignore[union-attr]
    ).scalars()
    return {row.id: row for row in rows if row.id is not None}


def list_visible(
    db: Session, who: Principal, *, filters: dict[str, Any], limit: int, offset: int
) -> tuple[list[AssetRead], int]:
    stmt: Select[Any] = select(Asset).where(access.visible_to(who))
    for name in ("kind", "status", "project_id"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(Asset, name) == filters[name])
    if filters.get("team_id") is not None:
        stmt = stmt.where(Asset.owning_team_id == filters["team_id"])
    for facet in ("tag", "topic"):
        if filters.get(facet):
            labelled = select(AssetLabel.asset_id).where(
                AssetLabel.facet == facet, AssetLabel.value == filters[facet].strip().lower()
            )
            stmt = stmt.where(Asset.id.in_(labelled))  # type: ignore[union-attr]
    rows, total = fetch_page(
        db,
        stmt,
        order_by=(Asset.created_at.desc(), Asset.id.desc()),
        limit=limit,
        offset=offset,  # type: ignore[attr-defined,union-attr]
    )
    return to_reads(db, rows), total


def _check_links(db: Session, who: Principal, kind: str, details: dict[str, Any]) -> None:
    if kind == AssetKind.before_action_review:
        lessons_service.require_visible_ids(
            db, who, details.get("lessons_considered", []), field="body.details.lessons_considered"
        )


def _set_labels(
    db: Session, asset_id: int, *, tags: list[str] | None, topics: list[str] | None
) -> None:
    for facet, values in (("tag", tags), ("topic", topics)):
        if values is None:
            continue
        db.execute(
            delete(AssetLabel).where(AssetLabel.asset_id == asset_id, AssetLabel.facet == facet)  # type: ignore[arg-type]
        )
        db.add_all(AssetLabel(asset_id=asset_id, facet=facet, value=v) for v in values)


def replace_labels(
    db: Session, asset_id: int, *, tags: list[str] | None, topics: list[str] | None
) -> None:
    """Keep the label rows (what tag and topic filters read) in step with an asset's lists,
    for writers outside this module such as the bulk importer; None leaves a facet as is."""
    _set_labels(db, asset_id, tags=tags, topics=topics)


def create(
    db: Session, who: Principal, payload: AssetCreate, *, claim: idempotency.Claim | None
) -> AssetRead:
    """Create an asset and its embedded lessons in one commit.

    Raises Forbidden when a non-reviewer asks for `published` (publishing is a reviewer's
    decision, so this is about the role, not the input) or names another team;
    ValidationFailed for unknown project, team or lesson ids.
    """
    if payload.status is AssetStatus.published and not who.has_role(Role.reviewer):
        raise Forbidden(
            "only reviewers can create an asset as published; create a draft and send it "
            "for review (POST /v1/assets/{id}/transitions)"
        )
    owning_team_id = own.resolve_owning_team(db, who, payload.owning_team_id)
    if payload.project_id is not None:
        projects_service.require_visible(db, who, payload.project_id, field="body.project_id")
    team_ids = teams_service.require_existing(db, payload.team_ids, field="body.team_ids")
    values = payload.model_dump(mode="json", exclude={"team_ids", "lessons", "owning_team_id"})
    _check_links(db, who, payload.kind, values["details"])
    now = utcnow()
    asset = Asset(
        **values,
        owning_team_id=owning_team_id,
        body_html=render(payload.body),
        created_at=now,
        updated_at=now,
        published_at=now if payload.status is AssetStatus.published else None,
    )
    db.add(asset)
    db.flush()
    assert asset.id is not None
    db.add_all(AssetTeam(asset_id=asset.id, team_id=team_id) for team_id in team_ids)
    _set_labels(db, asset.id, tags=payload.tags, topics=payload.topics)
    if payload.lessons:
        db.flush()
        facts = access.access_of(db, [asset.id])[asset.id]
        for n, lesson in enumerate(payload.lessons):
            where = f"body.lessons.{n}"
            teams_service.require_existing(db, lesson.team_ids or [], field=f"{where}.team_ids")
            placement = lessons_service.in_asset(asset.id, facts, lesson, prefix=where)
            lessons_service.add(db, placement, lesson)
    outbox.enqueue(db, entity_type=ENTITY, entity_id=asset.id)
    db.flush()
    read = to_read(db, asset)
    if payload.status is AssetStatus.published:
        emit(db, WebhookEvent.asset_published, read)
    return idempotency.commit_created(db, claim, read)


def emit(db: Session, event: WebhookEvent, asset: AssetRead) -> None:
    """Tell webhooks and subscriptions about `asset` (in the caller's transaction)."""
    data = {
        "kind": asset.kind.value,
        "title": asset.title,
        "status": asset.status.value,
        "project_id": asset.project_id,
        "owning_team_id": asset.owning_team_id,
        "visibility": asset.visibility.value,
        "lesson_ids": asset.lesson_ids,
    }
    events.emit(db, event, item_type=ENTITY, item_id=asset.id, data=data)


def _validated_details(kind: str, details: dict[str, Any]) -> dict[str, Any]:
    """`details` checked against the schema of `kind`; a 422 naming each bad part."""
    try:
        model = details_adapter.validate_python({**details, "kind": kind})
    except ValidationError as exc:
        # Located as on create: body.details.<kind>.<part>, the kind being the union's tag.
        problems = [
            {"field": ".".join(["body.details", *map(str, err["loc"])]), "message": err["msg"]}
            for err in exc.errors()
        ]
        failure = ValidationFailed(
            problems[0]["field"], f"check {problems[0]['field']}: {problems[0]['message']}"
        )
        failure.details = problems
        raise failure from exc
    return model.model_dump(mode="json")


def editable(db: Session, who: Principal, asset_id: int) -> Asset:
    """The asset, if the caller may change it: 404 hidden, 403 no right, 409 archived."""
    asset = get_visible(db, who, asset_id)
    own.require_edit(who, asset.owning_team_id, "asset")
    if asset.status == AssetStatus.archived:
        raise Conflict(f"asset {asset_id} is archived and can no longer change")
    return asset


def update_asset(
    db: Session, who: Principal, asset_id: int, patch: AssetUpdate, *, expected_version: int
) -> AssetRead:
    """Apply `patch` if the asset is still at `expected_version` (412 otherwise); the
    earlier version is kept in the history."""
    asset = editable(db, who, asset_id)
    changes = patch.model_dump(mode="json", exclude_unset=True)
    own.reject_nulls(changes, _REQUIRED)
    if "details" in changes:
        changes["details"] = _validated_details(asset.kind, changes["details"])
        _check_links(db, who, asset.kind, changes["details"])
    if changes.get("project_id") is not None:
        projects_service.require_visible(db, who, changes["project_id"], field="body.project_id")
    if "owning_team_id" in changes and changes["owning_team_id"] != asset.owning_team_id:
        own.resolve_owning_team(db, who, changes["owning_team_id"])
    team_ids = changes.pop("team_ids", None)
    if team_ids is not None:
        team_ids = teams_service.require_existing(db, team_ids, field="body.team_ids")
    if "body" in changes:
        changes["body_html"] = render(changes["body"])
    if asset.version != expected_version:
        raise _stale(asset_id, expected_version)
    before = to_read(db, asset)
    # The version test is part of the UPDATE, so two concurrent writers cannot both pass it.
    result = db.execute(
        update(Asset)
        .where(Asset.id == asset_id, Asset.version == expected_version)  # type: ignore[arg-type]
        .values(**changes, version=expected_version + 1, updated_at=utcnow())
    )
    if result.rowcount == 0:
        raise _stale(asset_id, expected_version)
    if team_ids is not None:
        db.execute(delete(AssetTeam).where(AssetTeam.asset_id == asset_id))  # type: ignore[arg-type]
        db.add_all(AssetTeam(asset_id=asset_id, team_id=team_id) for team_id in team_ids)
    _set_labels(db, asset_id, tags=patch.tags, topics=patch.topics)
    return finish_change(db, who, before, comment="")


def finish_change(
    db: Session,
    who: Principal,
    before: AssetRead,
    *,
    comment: str,
    event: WebhookEvent | None = None,
) -> AssetRead:
    """Keep the earlier version, tell the indexer (and with `event`, webhooks and
    subscriptions), commit; returns the asset as it is now."""
    db.flush()
    db.expire_all()
    after = to_read(db, db.get_one(Asset, before.id))
    if event is not None:
        emit(db, event, after)
    fields = history.changed_fields(before.model_dump(), after.model_dump())
    history.record(db, who, entity_type=ENTITY, earlier=before, fields=fields, comment=comment)
    outbox.enqueue(db, entity_type=ENTITY, entity_id=before.id)
    if _ACCESS_FIELDS.intersection(fields):
        lessons_service.follow_asset(db, before, after)
    db.commit()
    return after


def delete_draft(
    db: Session, who: Principal, asset_id: int, *, expected_version: int, blobs: BlobStore
) -> None:
    """Delete a draft with its lessons, attachments and history. Anything else is a 409 that
    says what to do instead: a published asset is archived, not deleted, so links to it keep
    working."""
    asset = get_visible(db, who, asset_id)
    own.require_edit(who, asset.owning_team_id, "asset")
    if asset.status != AssetStatus.draft:
        raise Conflict(_why_not_deleted(asset_id, AssetStatus(asset.status)))
    if asset.version != expected_version:
        raise _stale(asset_id, expected_version)
    attached = attachments_service.shas_of_asset(db, asset_id)
    lessons_service.delete_for_asset(db, asset_id)
    result = db.execute(
        delete(Asset).where(Asset.id == asset_id, Asset.version == expected_version)  # type: ignore[arg-type]
    )
    if result.rowcount == 0:
        raise _stale(asset_id, expected_version)
    history.forget(db, entity_type=ENTITY, entity_ids=[asset_id])
    outbox.enqueue(db, entity_type=ENTITY, entity_id=asset_id)
    db.commit()
    # The attachment rows went with the asset (ON DELETE CASCADE); now their blobs may go.
    attachments_service.release_blobs(db.get_bind(), blobs, attached)  # type: ignore[arg-type]


def _why_not_deleted(asset_id: int, status: AssetStatus) -> str:
    if status is AssetStatus.published:
        return (
            f"asset {asset_id} is published and cannot be deleted; archive it instead: "
            f'POST /v1/assets/{asset_id}/transitions {{"to": "archived"}}'
        )
    if status is AssetStatus.in_review:
        return f"asset {asset_id} is in review; a reviewer can send it back to draft first"
    return f"asset {asset_id} is archived; archived assets are kept, not deleted"


def list_versions(
    db: Session, who: Principal, asset_id: int, *, limit: int, offset: int
) -> tuple[list[VersionRead], int]:
    get_visible(db, who, asset_id)
    scope = scope_for(who)

    def readable(snapshot: dict[str, Any]) -> bool:
        return scope.may_read(
            snapshot["owning_team_id"],
            snapshot.get("team_ids") or [],
            snapshot["visibility"],
            snapshot["status"] in access.RELEASED,
        )

    return history.list_versions(
        db, entity_type=ENTITY, entity_id=asset_id, limit=limit, offset=offset, readable=readable
    )


def _stale(asset_id: int, expected_version: int) -> PreconditionFailed:
    return PreconditionFailed(
        f"asset {asset_id} changed since version {expected_version}; read it again"
    )
