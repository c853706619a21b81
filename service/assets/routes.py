from typing import Annotated

from fastapi import APIRouter, Query, Response

from hindsight.schemas.assets import AssetCreate, AssetRead, AssetTransition, AssetUpdate
from hindsight.schemas.common import MAX_ID, Page
from hindsight.schemas.enums import AssetKind, AssetStatus
from hindsight.schemas.versions import VersionRead
from hindsight.service.assets import service as assets_service
from hindsight.service.assets import workflow
from hindsight.service.attachments import service as attachments_service
from hindsight.service.deps import (
    AppSettings,
    Contributor,
    CurrentPrincipal,
    DbSession,
    IdempotencyClaim,
    IdPath,
    IdQuery,
    IfMatch,
    Paging,
    etag,
)

router = APIRouter(prefix="/assets", tags=["assets"])


@router.post("", status_code=201, response_model=AssetRead)
def create_asset(
    payload: AssetCreate,
    response: Response,
    db: DbSession,
    who: Contributor,
    claim: IdempotencyClaim,
) -> AssetRead:
    """Create a knowledge asset, and its `lessons` in the same transaction (all or nothing).
    `details` follows the schema of the `kind`. New assets are drafts; reviewers may create
    them as `published`. `body` is markdown; `body_html` is its sanitised rendering."""
    asset = assets_service.create(db, who, payload, claim=claim)
    response.headers["ETag"] = etag(asset.version)
    return asset


@router.get("", response_model=Page[AssetRead])
def list_assets(
    db: DbSession,
    who: CurrentPrincipal,
    page: Paging,
    kind: Annotated[AssetKind | None, Query()] = None,
    status: Annotated[AssetStatus | None, Query()] = None,
    project_id: IdQuery = None,
    team_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="the owning team")] = None,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    topic: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[AssetRead]:
    """Assets the caller may see, newest first; `total` counts only those."""
    filters = {
        "kind": kind,
        "status": status,
        "project_id": project_id,
        "team_id": team_id,
        "tag": tag,
        "topic": topic,
    }
    items, total = assets_service.list_visible(
        db, who, filters=filters, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{asset_id}", response_model=AssetRead)
def get_asset(
    asset_id: IdPath, response: Response, db: DbSession, who: CurrentPrincipal
) -> AssetRead:
    """One asset; one the caller may not see is a 404, the same as a missing one."""
    asset = assets_service.to_read(db, assets_service.get_visible(db, who, asset_id))
    response.headers["ETag"] = etag(asset.version)
    return asset


@router.patch("/{asset_id}", response_model=AssetRead)
def update_asset(
    asset_id: IdPath,
    patch: AssetUpdate,
    response: Response,
    db: DbSession,
    who: Contributor,
    version: IfMatch,
) -> AssetRead:
    """Change the fields sent (not `kind`; `status` moves through `/transitions`). Needs
    `If-Match`: 428 without it, 412 if stale. Archived assets are read-only (409)."""
    asset = assets_service.update_asset(db, who, asset_id, patch, expected_version=version)
    response.headers["ETag"] = etag(asset.version)
    return asset


@router.delete("/{asset_id}", status_code=204)
def delete_asset(
    asset_id: IdPath, db: DbSession, who: Contributor, version: IfMatch, settings: AppSettings
) -> Response:
    """Delete a draft, its lessons and its attachments. A published asset is archived
    instead (409 says so)."""
    assets_service.delete_draft(
        db,
        who,
        asset_id,
        expected_version=version,
        blobs=attachments_service.blob_store(settings),
    )
    return Response(status_code=204)


@router.post("/{asset_id}/transitions", response_model=AssetRead)
def transition_asset(
    asset_id: IdPath,
    move: AssetTransition,
    response: Response,
    db: DbSession,
    who: Contributor,
    version: IfMatch,
) -> AssetRead:
    """Move through the review workflow: `draft -> in_review` (contributor of the owning
    team), `in_review -> published | draft` (reviewer; back to draft needs a comment),
    `published -> archived` (reviewer). Anything else is 409 `invalid_transition`."""
    asset = workflow.transition(db, who, asset_id, move, expected_version=version)
    response.headers["ETag"] = etag(asset.version)
    return asset


@router.get("/{asset_id}/versions", response_model=Page[VersionRead])
def list_asset_versions(
    asset_id: IdPath, db: DbSession, who: CurrentPrincipal, page: Paging
) -> Page[VersionRead]:
    """Earlier versions, newest first: who changed which fields when, and the snapshot."""
    items, total = assets_service.list_versions(
        db, who, asset_id, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
