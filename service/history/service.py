"""Keeping and reading earlier versions. Helpers here never commit: a version row joins the
commit of the change it describes, so there is no change without its history."""

from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlmodel import Session

from hindsight.schemas.versions import ChangedBy, VersionRead
from hindsight.service.auth import Principal
from hindsight.service.history.models import VersionRecord
from hindsight.service.pagination import fetch_page

# Bookkeeping that changes with every write; not worth listing as "what changed".
_NOT_CONTENT = frozenset({"version", "updated_at"})


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Names of the fields whose values differ, in the order of `after`."""
    return [
        name
        for name, value in after.items()
        if name not in _NOT_CONTENT and before.get(name) != value
    ]


def record(
    db: Session,
    who: Principal,
    *,
    entity_type: str,
    earlier: BaseModel,
    fields: list[str],
    comment: str = "",
) -> None:
    """Keep `earlier` (a Read model with `id` and `version`) as the version it was."""
    snapshot = earlier.model_dump(mode="json")
    db.add(
        VersionRecord(
            entity_type=entity_type,
            entity_id=snapshot["id"],
            version=snapshot["version"],
            changed_by_id=who.user_id,
            changed_by_name=who.name,
            changed_fields=fields,
            comment=comment,
            snapshot=snapshot,
        )
    )


Readable = Callable[[dict[str, Any]], bool]


def list_versions(
    db: Session,
    *,
    entity_type: str,
    entity_id: int,
    limit: int,
    offset: int,
    readable: Readable,
) -> tuple[list[VersionRead], int]:
    """Earlier versions, newest first. The caller checks that the entity is visible now;
    `readable` says whether the caller could have read a snapshot's state, and a version it
    could not is withheld (kept in the list, without its content), not skipped: the
    numbering then shows there was a change."""
    stmt = select(VersionRecord).where(
        VersionRecord.entity_type == entity_type, VersionRecord.entity_id == entity_id
    )
    rows, total = fetch_page(
        db,
        stmt,
        order_by=(VersionRecord.version.desc(), VersionRecord.id.desc()),  # type: ignore[union-attr]
        limit=limit,
        offset=offset,
    )
    return [_to_read(row, readable(row.snapshot)) for row in rows], total


def forget(db: Session, *, entity_type: str, entity_ids: Iterable[int]) -> None:
    """Drop the history of deleted entities (drafts that never left their team)."""
    ids = list(entity_ids)
    if ids:
        db.execute(
            delete(VersionRecord).where(
                VersionRecord.entity_type == entity_type,
                VersionRecord.entity_id.in_(ids),  # type: ignore[attr-defined]
            )
        )


def _to_read(row: VersionRecord, readable: bool) -> VersionRead:
    return VersionRead(
        version=row.version,
        changed_by=ChangedBy(user_id=row.changed_by_id, name=row.changed_by_name),
        changed_at=row.changed_at,
        changed_fields=row.changed_fields if readable else [],
        comment=row.comment if readable else "",
        snapshot=row.snapshot if readable else None,
        withheld=not readable,
    )
