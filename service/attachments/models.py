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
    uploaded_by_id: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
