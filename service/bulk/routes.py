"""`/v1/export` and `/v1/import`."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from service.bulk import export as bulk_export
from service.deps import StreamingPrincipal

router = APIRouter(tags=["bulk"])


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "one item per line, or a CSV with a header row",
            "content": {"application/x-ndjson": {}, "text/csv": {}},
        }
    },
)
def export_items(
    request: Request,
    who: StreamingPrincipal,
    type: Annotated[bulk_export.ExportType, Query(description="what to export")],
    format: Annotated[bulk_export.ExportFormat, Query()] = "jsonl",
) -> StreamingResponse:
    """Stream every asset or lesson the caller may see, oldest id first, in constant
    memory. Each line is the item's public shape plus `external_id` (and, for lessons, the
    asset's `external_id`, `kind` and `title`), so the file imports into another Hindsight.
    CSV cells hold lists and objects as JSON text."""
    body = bulk_export.stream(request.app.state.engine, who, type, format)
    return StreamingResponse(
        body,
        media_type=bulk_export.MEDIA_TYPES[format],
        headers={
            "Content-Disposition": f'attachment; filename="hindsight-{type}.{format}"',
            "X-Content-Type-Options": "nosniff",
        },
    )
