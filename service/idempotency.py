"""Idempotent creates: the same `Idempotency-Key` and body replays the first answer.

The record is written in the same transaction as the resource it describes, so a crash
either loses both (the retry creates it) or keeps both (the retry replays it). Records live
in the database, so a retry after a restart still replays.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import JSON, UniqueConstraint, delete, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel

from hindsight.service.columns import UTCDateTime, utcnow
from hindsight.service.errors import BadRequest, IdempotencyKeyReused

MAX_KEY_LENGTH = 200
M = TypeVar("M", bound=BaseModel)


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=64)
    key: str = Field(max_length=MAX_KEY_LENGTH)
    fingerprint: str = Field(max_length=64)
    status_code: int
    response_body: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


@dataclass(frozen=True)
class Claim:
    """A key seen for the first time: the create that follows records its answer under it."""

    scope: str
    key: str
    fingerprint: str


class Replay(Exception):
    """Raised instead of running a create again; rendered as the stored answer."""

    def __init__(self, status_code: int, body: dict[str, Any]) -> None:
        super().__init__("idempotent replay")
        self.status_code = status_code
        self.body = body


def fingerprint(method: str, path: str, body: bytes) -> str:
    """Same request, same fingerprint: JSON bodies compare by content, not by spacing."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


def claim(db: Session, *, scope: str, key: str, fingerprint: str, ttl_hours: int) -> Claim:
    """Raises Replay when this key already answered this request, IdempotencyKeyReused when
    it answered another one, and BadRequest for a key that is empty or too long."""
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise BadRequest(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters")
    if db.get_bind().dialect.name == "postgresql":
        # Concurrent retries with one key queue here until the first commits, then replay
        # it. (SQLite needs no lock: its write transactions already run one at a time.)
        db.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
            {"k": f"{scope}\n{key}"},
        )
    cutoff = utcnow() - timedelta(hours=ttl_hours)
    record = db.execute(
        select(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
        )
    ).scalar_one_or_none()
    if record is not None and record.created_at <= cutoff:
        db.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record.id))
        record = None
    if record is not None:
        _replay_or_refuse(record, fingerprint)
    return Claim(scope=scope, key=key, fingerprint=fingerprint)


def _replay_or_refuse(record: IdempotencyRecord, fingerprint: str) -> None:
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was used for a different request; use a new key"
        )
    raise Replay(record.status_code, record.response_body)


def commit_created(db: Session, claim: Claim | None, read: M, *, status_code: int = 201) -> M:
    """Commit a create together with its idempotency record and return `read`.

    If a concurrent request with the same key committed first, this transaction is rolled
    back and that request's answer is replayed, so the resource exists once.
    """
    if claim is not None:
        db.add(
            IdempotencyRecord(
                scope=claim.scope,
                key=claim.key,
                fingerprint=claim.fingerprint,
                status_code=status_code,
                response_body=read.model_dump(mode="json"),
            )
        )
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        if claim is None:
            raise
        winner = db.execute(
            select(IdempotencyRecord).where(
                IdempotencyRecord.scope == claim.scope, IdempotencyRecord.key == claim.key
            )
        ).scalar_one_or_none()
        if winner is None:
            raise
        _replay_or_refuse(winner, claim.fingerprint)
    return read


def prune(db: Session, *, ttl_hours: int) -> int:
    """Delete records older than the replay window; returns how many went."""
    cutoff = utcnow() - timedelta(hours=ttl_hours)
    result = db.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at <= cutoff))
    db.commit()
    return int(result.rowcount or 0)
