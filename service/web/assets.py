"""An asset's page (a retrospect, a case study...): its details for its kind, its body, its
attachments and its lessons; and the download of an attachment for a signed-in person."""

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from hindsight.service.assets import service as assets_service
from hindsight.service.attachments import service as attachments_service
from hindsight.service.deps import AppSettings, DbSession, IdPath
from hindsight.service.lessons import service as lessons_service
from hindsight.service.projects import service as projects_service
from hindsight.service.teams import service as teams_service
from hindsight.service.web.people import people_of
from hindsight.service.web.rendering import render
from hindsight.service.web.session import Viewer

router = APIRouter()

MAX_LISTED = 100


@router.get("/assets/{asset_id}")
def asset_page(request: Request, asset_id: IdPath, db: DbSession, who: Viewer) -> Response:
    asset = assets_service.to_read(db, assets_service.get_visible(db, who, asset_id))
    lessons, _ = lessons_service.list_visible(
        db, who, filters={"asset_id": asset_id}, limit=MAX_LISTED, offset=0
    )
    attachments, _ = attachments_service.list_visible(db, who, asset_id, limit=MAX_LISTED, offset=0)
    project_ids = [asset.project_id] if asset.project_id is not None else []
    project = projects_service.visible_reads(db, who, project_ids).get(asset.project_id or 0)
    context = {
        "title": asset.title,
        "asset": asset,
        "lessons": lessons,
        "attachments": attachments,
        "project": project,
        "people": people_of(asset, project),
        "team_name": teams_service.names(db, [asset.owning_team_id]).get(asset.owning_team_id),
    }
    return render(request, "asset.html", context)


@router.get("/attachments/{attachment_id}")
def download(
    attachment_id: IdPath, db: DbSession, who: Viewer, settings: AppSettings
) -> FileResponse:
    """The file, if the person may see its asset, with the API download's safety headers."""
    found = attachments_service.for_download(
        db, who, attachment_id, attachments_service.blob_store(settings)
    )
    filename = found.attachment.filename.replace('"', "")
    return FileResponse(
        found.path,
        media_type=found.attachment.content_type,
        filename=filename,
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-cache",
        },
    )
