"""The audit log: one row per acknowledged change (and per failed sign-in or token), written
in the same transaction as the change, so no change that was committed lacks its record.

Two ways in:

- `record(db, who, action, resource_type, resource_id, address=..., detail=...)` adds a row
  to `db`'s transaction; the caller's commit stores both or neither. For use cases whose
  session is their own (uploads, imports) and for the web pages (failed sign-ins:
  `record_alone`, which commits a transaction of its own).
- Every write request of the API is audited in one place without a call in each service:
  `bind(db, ...)` (done by the request's session dependency) marks the session with the
  request's route, caller and address, and `_before_commit` below adds the row when a
  commit carries a change. A request that fails before its commit leaves no record, as it
  left no change.

Rows are never updated or deleted: this module has no such path, and on PostgreSQL a
trigger (migration 0012) refuses both.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Select, event, select
from sqlalchemy.orm import ORMExecuteState, UOWTransaction
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from hindsight.schemas.audit import AuditEventRead
from hindsight.service.audit.models import AuditEvent
from hindsight.service.auth import Principal
from hindsight.service.db import session_scope
from hindsight.service.pagination import fetch_page

_CONTEXT = "hindsight.audit"
# Rows a change writes beside its subject: never the resource an audit record names.
_NOT_SUBJECTS = frozenset(
    {
        "outbox",
        "version_records",
        "idempotency_records",
        "asset_labels",
        "lesson_labels",
        "asset_teams",
        "project_teams",
        "user_teams",
        "audit_events",
    }
)


def record(
    db: Session,
    who: Principal | None,
    action: str,
    resource_type: str,
    resource_id: int | str | None,
    *,
    address: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add one audit row to `db`'s transaction (not committed here). `who` None is an
    anonymous caller (a failed sign-in); `address` defaults to the caller's."""
    db.add(
        AuditEvent(
            actor_user_id=who.user_id if who else None,
            actor_name=who.name if who else "anonymous",
            token_id=who.token_id if who else None,
            action=action,
            resource_type=resource_type,
            resource_id=None if resource_id is None else str(resource_id),
            address=address if address is not None else (who.address if who else None),
            detail=detail or {},
        )
    )


def record_alone(
    engine: Engine,
    who: Principal | None,
    action: str,
    resource_type: str,
    resource_id: int | str | None,
    *,
    address: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """`record` in a transaction of its own, committed here: for events that are not part
    of a change (a failed authentication, a download, an export)."""
    with session_scope(engine) as db:
        record(db, who, action, resource_type, resource_id, address=address, detail=detail)
        db.commit()


def record_now(
    db: Session,
    who: Principal | None,
    action: str,
    resource_type: str,
    resource_id: int | str | None,
    *,
    address: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """`record` and commit in a request's own session, for an event that ends the request
    (a failed authentication): a second transaction would wait for the write lock this
    one may hold (SQLite). The request's own audit binding is dropped: it changed nothing."""
    db.info.pop(_CONTEXT, None)
    record(db, who, action, resource_type, resource_id, address=address, detail=detail)
    db.commit()


@dataclass
class _Request:
    """What a request's session knows of its change until the commit."""

    action: str
    resource_type: str
    resource_id: str | None
    address: str | None
    detail: dict[str, Any]
    who: Principal | None = None
    wrote: bool = False
    created: list[str] = field(default_factory=list)


def bind(
    db: Session,
    *,
    action: str,
    resource_type: str,
    resource_id: str | None,
    address: str | None,
    detail: dict[str, Any],
) -> None:
    """Mark a write request's session: its commit will carry an audit row."""
    db.info[_CONTEXT] = _Request(action, resource_type, resource_id, address, detail)


def bind_principal(db: Session, who: Principal) -> None:
    context = db.info.get(_CONTEXT)
    if context is not None:
        context.who = who


@event.listens_for(OrmSession, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    context = state.session.info.get(_CONTEXT)
    if context is not None and (state.is_update or state.is_delete or state.is_insert):
        context.wrote = True


@event.listens_for(OrmSession, "after_flush")
def _after_flush(session: OrmSession, _flush: UOWTransaction) -> None:
    context = session.info.get(_CONTEXT)
    if context is None:
        return
    if session.new or session.dirty or session.deleted:
        context.wrote = True
    for instance in session.new:
        table = getattr(instance, "__tablename__", None)
        if table not in _NOT_SUBJECTS and getattr(instance, "id", None) is not None:
            context.created.append(str(instance.id))


@event.listens_for(OrmSession, "before_commit")
def _before_commit(session: OrmSession) -> None:
    context: _Request | None = session.info.get(_CONTEXT)
    if context is None:
        return
    session.flush()  # so the change's own rows count, and a create's id is known
    if not context.wrote:
        return
    # Once per request: a second commit in the same use case is the same request.
    del session.info[_CONTEXT]
    resource_id = context.resource_id or (context.created[0] if context.created else None)
    record(
        session,  # type: ignore[arg-type]
        context.who,
        context.action,
        context.resource_type,
        resource_id,
        address=context.address,
        detail=context.detail,
    )


@dataclass(frozen=True)
class AuditFilters:
    actor_user_id: int | None = None
    action: str | None = None
    resource_type: str | None = None
    resource_id: str | None = None
    from_: datetime | None = None
    to: datetime | None = None


def _filtered(filters: AuditFilters) -> Select[Any]:
    stmt: Select[Any] = select(AuditEvent)
    if filters.actor_user_id is not None:
        stmt = stmt.where(AuditEvent.actor_user_id == filters.actor_user_id)
    if filters.action is not None:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.resource_type is not None:
        stmt = stmt.where(AuditEvent.resource_type == filters.resource_type)
    if filters.resource_id is not None:
        stmt = stmt.where(AuditEvent.resource_id == filters.resource_id)
    if filters.from_ is not None:
        stmt = stmt.where(AuditEvent.at >= filters.from_)  # type: ignore[operator]
    if filters.to is not None:
        stmt = stmt.where(AuditEvent.at < filters.to)  # type: ignore[operator]
    return stmt


def list_events(
    db: Session, filters: AuditFilters, *, limit: int, offset: int
) -> tuple[list[AuditEventRead], int]:
    """Newest first (id breaks ties, so pages never overlap). Admins only: the gate is the
    route's."""
    rows, total = fetch_page(
        db,
        _filtered(filters),
        order_by=(AuditEvent.id.desc(),),  # type: ignore[union-attr]
        limit=limit,
        offset=offset,
    )
    return [AuditEventRead.model_validate(r) for r in rows], total


def export_lines(db: Session, filters: AuditFilters, *, batch: int = 1000) -> Iterator[str]:
    """Every matching event as one JSON line, oldest first, read in batches by id."""
    after = 0
    while True:
        rows = (
            db.execute(
                _filtered(filters)
                .where(AuditEvent.id > after)  # type: ignore[operator]
                .order_by(AuditEvent.id)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        for row in rows:
            yield AuditEventRead.model_validate(row).model_dump_json()
        after = rows[-1].id or after
