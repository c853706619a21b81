"""Attachments: one row per file attached to an asset; the bytes live in the blob store."""

from datetime import datetime

from sqlalchemy import BigInteger, Text
from sqlmodel import Field, SQLModel

from hindsight.service.columns import UTCDateTime, utcnow


class Attachment(SQLModel, table=True):
    __tablename__ = "attachments"

    id: int | None = Field(default=None, primary_key=True)
    asset_id: int = Field(foreign_key="assets.id", index=True, ondelete="CASCADE")
    filename: str = Field(max_length=255)
    # Judged from the bytes at upload, never from the name or the client's header.
    content_type: str = Field(max_length=100)
    size: int = Field(sa_type=BigInteger)
    # Names the blob (data_dir/attachments/ab/cdef...): equal files share one blob.
    sha256: str = Field(max_length=64, index=True)
    # The extracted text (capped), kept so the index can be rebuilt without the files.
    text: str = Field(default="", sa_type=Text)
    has_text: bool = Field(default=False)
    # pending until the worker has read the file (TextStatus); skipped says why in the reason.
    # Indexed: the pending rows are the extraction worker's queue.
    text_status: str = Field(default="pending", max_length=16, index=True)
    text_status_reason: str | None = Field(default=None, max_length=300)
    # A worker's claim on a pending row, so two workers never read one file at once; a
    # claim outlives a crashed worker only until this time (or the next start).
    text_lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    uploaded_by_id: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
