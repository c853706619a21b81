"""Writing jobs. Nothing here commits: a job joins the commit of the change it follows, so
the change and the promise to act on it are one transaction."""

from datetime import datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from hindsight.service.columns import utcnow
from hindsight.service.jobs.models import Job

_JOBS: Table = Job.__table__  # type: ignore[attr-defined]


def insert_once(db: Session, table: Table, values: dict[str, Any], *, unique: list[str]) -> bool:
    """Insert a row unless one with the same `unique` columns exists; True when inserted.
    ON CONFLICT DO NOTHING on both databases, so two replicas racing to insert the same
    keyed row (a notification, a sweep) make one row and neither fails."""
    dialect = db.get_bind().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = make(table).values(**values).on_conflict_do_nothing(index_elements=unique)
    return bool(db.execute(stmt).rowcount)


def enqueue(
    db: Session,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    run_at: datetime | None = None,
    key: str | None = None,
) -> bool:
    """Queue `kind` with `payload` in the caller's transaction. With `key`, a job that was
    ever queued under that key is not queued again (returns False)."""
    values = {
        "kind": kind,
        "payload": payload or {},
        "status": "pending",
        "attempts": 0,
        "run_at": run_at or utcnow(),
        "created_at": utcnow(),
    }
    if key is None:
        db.add(Job(**values))
        return True
    return insert_once(db, _JOBS, {**values, "key": key}, unique=["key"])
