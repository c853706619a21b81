"""`/v1/assets/{id}/attachments` and `/v1/attachments/{id}`: upload, list, download, delete."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from hindsight.schemas.attachments import AttachmentRead
from hindsight.schemas.common import Page
from hindsight.service.attachments import service as attachments_service
from hindsight.service.attachments.receive import receive_file
from hindsight.service.db import call_in_session
from hindsight.service.deps import (
    AppSettings,
    Contributor,
    CurrentPrincipal,
    DbSession,
    IdPath,
    IfMatch,
    Paging,
    StreamingPrincipal,
)
from hindsight.service.errors import BadRequest

router = APIRouter(tags=["attachments"])

_MULTIPART = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@router.post(
    "/assets/{asset_id}/attachments",
    status_code=201,
    response_model=AttachmentRead,
    openapi_extra=_MULTIPART,
    responses={
        409: {"description": "the asset is archived"},
        413: {"description": "the file is over HINDSIGHT_MAX_UPLOAD_BYTES"},
        415: {"description": "not PDF, DOCX, XLSX, PPTX, PNG, JPEG, text, markdown or CSV"},
    },
)
async def upload_attachment(
    asset_id: IdPath,
    request: Request,
    who: StreamingPrincipal,
    settings: AppSettings,
    idempotency_key: Annotated[
        str | None,
        Header(description="retry-safe uploads: the same key and file replay the first answer"),
    ] = None,
) -> AttachmentRead:
    """Attach a file (multipart field `file`) to an asset: contributors of the owning team,
    reviewers and admins. The type is judged from the bytes. The text of PDF, DOCX, XLSX,
    PPTX and text files is indexed with the asset: the answer does not wait for it
    (`text_status` is `pending` until a worker process has read the file, then `done`, or
    `skipped` with `text_status_reason`). The file streams to disk: over the limit is a 413
    at once, and nothing is kept."""
    engine = request.app.state.engine
    await run_in_threadpool(
        call_in_session, engine, False, attachments_service.check_attachable, who, asset_id
    )
    blobs = attachments_service.blob_store(settings)
    try:
        staged = await receive_file(
            request.stream(),
            request.headers.get("content-type", ""),
            store=blobs,
            limit=settings.max_upload_bytes,
        )
    except ClientDisconnect as exc:
        raise BadRequest("the upload was interrupted; send the file again") from exc
    try:
        prepared = await run_in_threadpool(attachments_service.prepare, staged)
        attached = await run_in_threadpool(
            call_in_session,
            engine,
            True,
            attachments_service.attach,
            who,
            asset_id,
            prepared,
            blobs=blobs,
            idempotency_key=idempotency_key,
            ttl_hours=settings.idempotency_ttl_hours,
        )
    finally:
        await run_in_threadpool(blobs.discard, staged.path)
    request.app.state.text_worker.wake()
    return attached


@router.get("/assets/{asset_id}/attachments", response_model=Page[AttachmentRead])
def list_attachments(
    asset_id: IdPath, db: DbSession, who: CurrentPrincipal, page: Paging
) -> Page[AttachmentRead]:
    """The asset's attachments, oldest first; a hidden asset is a 404."""
    items, total = attachments_service.list_visible(
        db, who, asset_id, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


def _disposition(filename: str) -> str:
    """`attachment` (never inline) with an ASCII fallback name and the exact UTF-8 one."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get(
    "/attachments/{attachment_id}",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the file"}},
)
def download_attachment(
    attachment_id: IdPath, request: Request, who: StreamingPrincipal, settings: AppSettings
) -> FileResponse:
    """Download the file, if the caller may see its asset (404 otherwise), as an attachment
    with the content type judged at upload and `X-Content-Type-Options: nosniff`."""
    found = call_in_session(
        request.app.state.engine,
        True,  # the download is audited
        attachments_service.for_download,
        who,
        attachment_id,
        attachments_service.blob_store(settings),
    )
    return FileResponse(
        found.path,
        media_type=found.attachment.content_type,
        headers={
            "Content-Disposition": _disposition(found.attachment.filename),
            "X-Content-Type-Options": "nosniff",
            # Opened in a browser anyway, the file may run nothing and load nothing.
            "Content-Security-Policy": "default-src 'none'; sandbox",
            # Who may see it can change; a shared cache must never keep it.
            "Cache-Control": "private, no-cache",
            "ETag": f'"{found.attachment.sha256}"',
        },
    )


@router.delete("/attachments/{attachment_id}", status_code=204)
def delete_attachment(
    attachment_id: IdPath,
    db: DbSession,
    who: Contributor,
    settings: AppSettings,
    expected_version: IfMatch,
) -> Response:
    """Delete an attachment (the owning team's contributors, reviewers, admins). Attachments
    never change, so `If-Match` names the version of their asset (its ETag): a deletion
    decided on an asset that has changed since is a 412 and deletes nothing."""
    attachments_service.delete(
        db,
        who,
        attachment_id,
        blobs=attachments_service.blob_store(settings),
        expected_version=expected_version,
    )
    return Response(status_code=204)
