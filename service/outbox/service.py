"""Writing to and reading the outbox. `enqueue` never commits: it joins the caller's commit."""

from sqlalchemy import func, select
from sqlmodel import Session

from hindsight.service.outbox.models import OutboxEntry


def enqueue(db: Session, *, entity_type: str, entity_id: int) -> None:
    db.add(OutboxEntry(entity_type=entity_type, entity_id=entity_id))


def pending_count(db: Session) -> int:
    return int(db.execute(select(func.count()).select_from(OutboxEntry)).scalar_one())
