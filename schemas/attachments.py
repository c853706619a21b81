"""Files attached to knowledge assets."""

from pydantic import ConfigDict, Field

from hindsight.schemas import examples
from hindsight.schemas.common import Output, UTCTimestamp
from hindsight.schemas.enums import TextStatus


class AttachmentRead(Output):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ATTACHMENT_READ]})

    id: int
    asset_id: int
    filename: str = Field(description="the uploaded name, made safe (no folders, no controls)")
    content_type: str = Field(description="judged from the file's bytes, not from its name")
    size: int = Field(description="bytes")
    sha256: str = Field(description="hex digest of the content")
    has_text: bool = Field(description="whether text was extracted and indexed with the asset")
    text_status: TextStatus = Field(
        description="pending while the text is read in the background (the upload does not "
        "wait), then done, or skipped with text_status_reason"
    )
    text_status_reason: str | None = Field(
        None, description="why no text is indexed (a skipped file), else null"
    )
    created_at: UTCTimestamp
