"""`/v1/export` and `/v1/import`."""

import json
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from hindsight.schemas import examples
from hindsight.schemas.bulk import ImportReport
from hindsight.schemas.common import MAX_ID
from hindsight.service.attachments.receive import receive_body, receive_file
from hindsight.service.attachments.store import BlobStore
from hindsight.service.bulk import export as bulk_export
from hindsight.service.bulk import importer
from hindsight.service.deps import AppSettings, StreamingAdmin, StreamingPrincipal
from hindsight.service.errors import BadRequest, UnsupportedMediaType
from hindsight.service.middleware import JSON_LINES
from hindsight.service.settings import Settings

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
    asset's `external_id`, `kind` and `title`, null for a standalone lesson), so the file
    imports into another Hindsight. An assets export carries its lessons: each line embeds
    `lessons`, the asset's lessons the caller may see (each with its `external_id`), and
    importing it recreates them. CSV cells hold lists and objects as JSON text."""
    body = bulk_export.stream(request.app.state.engine, who, type, format)
    return StreamingResponse(
        body,
        media_type=bulk_export.MEDIA_TYPES[format],
        headers={
            "Content-Disposition": f'attachment; filename="hindsight-{type}.{format}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


_IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-ndjson": {
                "schema": {"type": "string"},
                # One line of `GET /v1/export?type=lessons`, as it imports back.
                "example": json.dumps(examples.LESSON_EXPORT) + "\n",
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
        },
    }
}


async def _receive_lines(request: Request, spool: BlobStore, settings: Settings) -> Path:
    """The JSON-lines file, from a JSON-lines body or a multipart `file`, spooled to disk."""
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";")[0].strip().lower()
    try:
        if media.startswith("multipart/"):
            staged = await receive_file(
                request.stream(), content_type, store=spool, limit=settings.max_upload_bytes
            )
            return staged.path
        if media.encode() in JSON_LINES:
            return await receive_body(
                request.stream(),
                store=spool,
                limit=settings.max_import_bytes,
                limit_name="HINDSIGHT_MAX_IMPORT_BYTES",
            )
    except ClientDisconnect as exc:
        raise BadRequest("the body was interrupted; send it again") from exc
    raise UnsupportedMediaType(
        "send JSON lines as application/x-ndjson, or a file in the multipart field 'file' "
        f"(Content-Type was {content_type or 'missing'!r})"
    )


@router.post(
    "/import",
    response_model=ImportReport,
    openapi_extra=_IMPORT_BODY,
    responses={
        413: {
            "description": "over HINDSIGHT_MAX_IMPORT_BYTES (JSON lines) or "
            "HINDSIGHT_MAX_UPLOAD_BYTES (multipart); split the file"
        },
        415: {"description": "neither JSON lines nor multipart"},
    },
)
async def import_items(
    request: Request,
    who: StreamingAdmin,
    settings: AppSettings,
    type: Annotated[importer.ImportType, Query(description="what the lines hold")],
    owning_team_id: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_ID,
            description="place every asset and standalone lesson in this team instead of the "
            "one its line names (lessons in an asset follow their asset); the lines' projects "
            "and shared teams are kept unless keep_ids=false",
        ),
    ] = None,
    project_id: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_ID,
            description="place every asset and standalone lesson in this project instead of "
            "the one its line names",
        ),
    ] = None,
    keep_ids: Annotated[
        bool,
        Query(
            description="false for a file from another system: the lines' team and project "
            "ids name things there, so they are dropped (shared teams too) and owning_team_id "
            "(required then) and project_id place the items"
        ),
    ] = True,
) -> ImportReport:
    """Create or update assets or lessons (admin) from JSON lines, one item per line, matched
    by `external_id`: what is new is created, what differs is updated (a new version), what
    is equal is left alone, so importing the same file twice changes nothing the second
    time. A bad line is reported with its number and reason; the other lines go on. An
    export (`GET /v1/export`) imports as it is: each item keeps its owning team, project and
    shared teams unless `owning_team_id`, `project_id` or `keep_ids=false` say otherwise. An
    assets export embeds each asset's lessons, which its import recreates; a lessons export
    names each lesson's asset, so import assets before lessons. Lines without
    `asset_external_id` are standalone lessons of their `owning_team_id`. The
    body streams to disk: as JSON lines it may be up to HINDSIGHT_MAX_IMPORT_BYTES (default
    1 GiB), as a multipart file up to HINDSIGHT_MAX_UPLOAD_BYTES; past that it is a 413."""
    spool = BlobStore(settings.data_dir / "imports")
    path = await _receive_lines(request, spool, settings)
    try:
        return await run_in_threadpool(
            importer.import_file,
            request.app.state.engine,
            who,
            type,
            path,
            options=importer.Options(
                owning_team_id=owning_team_id, project_id=project_id, keep_ids=keep_ids
            ),
        )
    finally:
        await run_in_threadpool(spool.discard, path)
