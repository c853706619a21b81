"""Attachments: attach a received file to an asset, list, download, delete.

An attachment is exactly as visible as its asset (the asset predicate is part of every
query). Attaching and deleting change what the asset's search document holds, so both write
an outbox row for the asset in the same commit.

Blobs are shared by equal files, so a blob is removed only when no row names it any more.
Keeping a blob (upload) and removing one (delete) both happen while holding the blob's lock:
on SQLite every write transaction already runs alone; on PostgreSQL an advisory lock keyed
by the hash serialises them, so an upload of the same bytes never loses its blob to a delete.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Select, func, select, text
from sqlmodel import Session

from hindsight.schemas.attachments import AttachmentRead
from hindsight.schemas.enums import AssetStatus, TextStatus
from hindsight.service import idempotency
from hindsight.service import ownership as own
from hindsight.service.assets import access
from hindsight.service.assets.models import Asset
from hindsight.service.attachments import extract, sniff, worker
from hindsight.service.attachments.models import Attachment
from hindsight.service.attachments.receive import StagedFile
from hindsight.service.attachments.store import BlobStore
from hindsight.service.attachments.text_jobs import TextWorker
from hindsight.service.audit import service as audit
from hindsight.service.auth import Principal
from hindsight.service.db import open_session
from hindsight.service.errors import Conflict, NotFound, PreconditionFailed
from hindsight.service.outbox import service as outbox
from hindsight.service.pagination import fetch_page
from hindsight.service.settings import Settings

ASSET_ENTITY = "asset"
# How much attachment text goes into one asset's search document. The database keeps up to
# extract.MAX_TEXT_CHARS per file; the index takes less, because a PostgreSQL tsvector must
# stay under 1 MB (measured: 400 KB of distinct random words already make 770 KB).
INDEXED_CHARS_PER_ASSET = 256_000


def blob_store(settings: Settings) -> BlobStore:
    return BlobStore(settings.data_dir / "attachments")


def text_worker(settings: Settings, engine: Engine) -> TextWorker:
    limits = worker.Limits(
        cpu_seconds=settings.text_cpu_seconds,
        memory_bytes=settings.text_memory_mib * worker.MIB,
        wall_seconds=settings.text_timeout_seconds,
    )
    return TextWorker(engine, blob_store(settings), limits, poll_seconds=settings.text_poll_seconds)


@dataclass(frozen=True)
class Prepared:
    """A received file with its judged type and, when known at once, its text: plain text
    is read here (a bounded read, no parser); PDF and Office files stay pending for the
    worker; other types have no text to read."""

    staged: StagedFile
    content_type: str
    text_status: TextStatus
    text: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Download:
    attachment: AttachmentRead
    path: Path


def _asset_for_change(db: Session, who: Principal, asset_id: int) -> Asset:
    """404 for a missing or hidden asset, 403 without the right to change it, 409 archived."""
    asset = db.execute(
        select(Asset).where(Asset.id == asset_id, access.visible_to(who))
    ).scalar_one_or_none()
    if asset is None:
        raise NotFound(f"there is no asset {asset_id}")
    own.require_edit(who, asset.owning_team_id, "asset's attachments")
    if asset.status == AssetStatus.archived:
        raise Conflict(f"asset {asset_id} is archived; its attachments can no longer change")
    return asset


def check_attachable(db: Session, who: Principal, asset_id: int) -> None:
    """Before a file streams in: refuse early rather than after receiving 20 MiB."""
    _asset_for_change(db, who, asset_id)


def prepare(staged: StagedFile) -> Prepared:
    """Judge the type (415 removes the temp file); no database work, so the slow parts of
    an upload hold no transaction. Files that need a parser are read later, off the
    request path (text_jobs)."""
    try:
        content_type = sniff.judge(staged.path, staged.head, staged.filename)
    except BaseException:
        BlobStore.discard(staged.path)
        raise
    if content_type.startswith("text/"):
        found = extract.extract(staged.path, content_type)
        status = TextStatus.done if found.text else TextStatus.skipped
        return Prepared(staged, content_type, status, found.text, found.reason)
    if extract.has_text_parser(content_type):
        return Prepared(staged, content_type, TextStatus.pending)
    return Prepared(
        staged, content_type, TextStatus.skipped, reason="files of this type carry no text we index"
    )


def _lock_blob(db: Session, sha256: str) -> None:
    if db.get_bind().dialect.name == "postgresql":
        db.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
            {"k": f"attachment-blob:{sha256}"},
        )


def _fingerprint(asset_id: int, prepared: Prepared) -> str:
    """What makes two uploads "the same request" for Idempotency-Key: the bytes and name."""
    staged = prepared.staged
    body = f"{staged.sha256}\n{staged.filename}".encode()
    return idempotency.fingerprint("POST", f"/v1/assets/{asset_id}/attachments", body)


def _known_text(db: Session, prepared: Prepared) -> tuple[TextStatus, str | None, str | None]:
    """The same bytes read before give the same text: a file uploaded again (a hostile
    one retried, say) is not read again."""
    if prepared.text_status is not TextStatus.pending:
        return prepared.text_status, prepared.text, prepared.reason
    earlier = db.execute(
        select(Attachment.text_status, Attachment.text, Attachment.text_status_reason)
        .where(
            Attachment.sha256 == prepared.staged.sha256,
            Attachment.content_type == prepared.content_type,
            Attachment.text_status != TextStatus.pending,
        )
        .limit(1)
    ).first()
    if earlier is None:
        return TextStatus.pending, None, None
    return TextStatus(earlier.text_status), earlier.text or None, earlier.text_status_reason


def attach(
    db: Session,
    who: Principal,
    asset_id: int,
    prepared: Prepared,
    *,
    blobs: BlobStore,
    idempotency_key: str | None,
    ttl_hours: int,
) -> AttachmentRead:
    """Record the attachment, keep its blob and enqueue the asset, in one commit. The asset
    is checked again: it may have changed while the file streamed in. Raises Replay when
    the Idempotency-Key already answered this upload."""
    staged = prepared.staged
    try:
        claim = None
        if idempotency_key is not None:
            claim = idempotency.claim(
                db,
                scope=who.idempotency_scope,
                key=idempotency_key,
                fingerprint=_fingerprint(asset_id, prepared),
                ttl_hours=ttl_hours,
            )
        _asset_for_change(db, who, asset_id)
        _lock_blob(db, staged.sha256)
        status, text, reason = _known_text(db, prepared)
        row = Attachment(
            asset_id=asset_id,
            filename=staged.filename,
            content_type=prepared.content_type,
            size=staged.size,
            sha256=staged.sha256,
            text=text or "",
            has_text=text is not None,
            text_status=status,
            text_status_reason=reason,
            uploaded_by_id=who.user_id,
        )
        db.add(row)
        db.flush()
        # Kept before the commit: once the client hears 201, the bytes are on disk. If the
        # commit fails after this, an unnamed blob is left, which costs only space.
        blobs.keep(staged.path, staged.sha256)
        outbox.enqueue(db, entity_type=ASSET_ENTITY, entity_id=asset_id)
        audit.record(
            db,
            who,
            "upload_attachment",
            "attachments",
            row.id,
            detail={"asset_id": asset_id, "filename": row.filename, "sha256": row.sha256},
        )
        return idempotency.commit_created(db, claim, AttachmentRead.model_validate(row))
    finally:
        BlobStore.discard(staged.path)


def _visible(who: Principal) -> Any:
    return Attachment.asset_id.in_(access.visible_ids(who))  # type: ignore[attr-defined]


def get_visible(db: Session, who: Principal, attachment_id: int) -> Attachment:
    """Raises NotFound for a missing attachment and for one of a hidden asset alike."""
    row = db.execute(
        select(Attachment).where(Attachment.id == attachment_id, _visible(who))
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"there is no attachment {attachment_id}")
    return row


def list_visible(
    db: Session, who: Principal, asset_id: int, *, limit: int, offset: int
) -> tuple[list[AttachmentRead], int]:
    """The asset's attachments, oldest first; 404 when the asset is hidden."""
    if not access.is_visible(db, who, asset_id):
        raise NotFound(f"there is no asset {asset_id}")
    stmt: Select[Any] = select(Attachment).where(Attachment.asset_id == asset_id, _visible(who))
    rows, total = fetch_page(
        db,
        stmt,
        order_by=(Attachment.created_at, Attachment.id),
        limit=limit,
        offset=offset,
    )
    return [AttachmentRead.model_validate(r) for r in rows], total


def for_download(db: Session, who: Principal, attachment_id: int, blobs: BlobStore) -> Download:
    """The file to send, once its download is in the audit log (a write session)."""
    row = get_visible(db, who, attachment_id)
    path = blobs.path_for(row.sha256)
    if not path.is_file():
        raise NotFound(
            f"the file of attachment {attachment_id} is missing from storage; "
            "ask an admin to restore the data folder, or upload it again"
        )
    audit.record(db, who, "download_attachment", "attachments", attachment_id)
    db.commit()
    return Download(AttachmentRead.model_validate(row), path)


def delete(
    db: Session, who: Principal, attachment_id: int, *, blobs: BlobStore, expected_version: int
) -> None:
    """Delete an attachment (owning team, reviewers, admins); its blob goes when unnamed.
    `expected_version` is the version of its asset the caller last read."""
    row = get_visible(db, who, attachment_id)
    asset = _asset_for_change(db, who, row.asset_id)
    if asset.version != expected_version:
        raise PreconditionFailed(
            f"asset {asset.id} changed since version {expected_version} (it is at version "
            f"{asset.version}); read it again before deleting its attachment"
        )
    db.delete(row)
    outbox.enqueue(db, entity_type=ASSET_ENTITY, entity_id=row.asset_id)
    db.commit()
    release_blobs(db.get_bind(), blobs, [row.sha256])  # type: ignore[arg-type]


def shas_of_asset(db: Session, asset_id: int) -> list[str]:
    """The blobs an asset's attachments name (to release after the asset is deleted)."""
    stmt = select(Attachment.sha256).where(Attachment.asset_id == asset_id).distinct()
    return list(db.execute(stmt).scalars())


def release_blobs(engine: Engine, blobs: BlobStore, shas: list[str]) -> None:
    """Remove the blobs no attachment names any more, each under its lock, in a write
    transaction of its own (run after the delete that freed them has committed)."""
    for sha in sorted(set(shas)):
        with open_session(engine, write=True) as db:
            _lock_blob(db, sha)
            named = db.execute(
                select(func.count()).select_from(Attachment).where(Attachment.sha256 == sha)
            ).scalar_one()
            if not named:
                blobs.remove(sha)
            db.commit()


def texts_of(db: Session, asset_ids: list[int]) -> dict[int, str]:
    """Extracted text of each asset's attachments, oldest first, at most
    INDEXED_CHARS_PER_ASSET characters per asset: what its search document adds."""
    found: dict[int, str] = {}
    if asset_ids:
        rows = db.execute(
            # Cut in SQL: a batch of assets must not pull megabytes of text per file.
            select(Attachment.asset_id, func.substr(Attachment.text, 1, INDEXED_CHARS_PER_ASSET))
            .where(Attachment.asset_id.in_(asset_ids), Attachment.has_text)  # type: ignore[attr-defined,arg-type]
            .order_by(Attachment.asset_id, Attachment.id)
        )
        for asset_id, body in rows:
            joined = f"{found[asset_id]}\n{body}" if asset_id in found else body
            found[asset_id] = joined[:INDEXED_CHARS_PER_ASSET]
    return found
