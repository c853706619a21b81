"""Review of reports before they are published: reviewers' queue of reports in review,
publishing one or sending it back with a comment, and each report's history (who changed
what, when, and the comments of the review) that its author reads.

Moves go through `assets.workflow.transition`, the API's one write path for them, so its
rules (who may move what where, a comment when sending back, the version check) hold here.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from hindsight.schemas.assets import AssetRead, AssetTransition
from hindsight.schemas.enums import AssetStatus, Role
from hindsight.schemas.versions import VersionRead
from hindsight.service.assets import service as assets_service
from hindsight.service.assets import workflow
from hindsight.service.auth import Principal
from hindsight.service.deps import DbSession, IdPath, Paging
from hindsight.service.errors import InvalidTransition, PreconditionFailed, ValidationFailed
from hindsight.service.lessons import service as lessons_service
from hindsight.service.teams import service as teams_service
from hindsight.service.web.rendering import render
from hindsight.service.web.session import Viewer, require

router = APIRouter()

MAX_LISTED = 100
FormText = Annotated[str, Form()]
ReviewerViewer = Annotated[Principal, Depends(require(Role.reviewer))]

_FIELD_NAMES = {"details": "the details", "lesson_ids": "the lessons", "body_html": None}


@dataclass(frozen=True)
class Change:
    """One version of a report: who made it, when, what changed and what they said."""

    at: datetime
    by: str
    fields: list[str]
    status: str | None
    comment: str


def history_of(asset: AssetRead, versions: list[VersionRead]) -> list[Change]:
    """Newest first. A version's snapshot is the report before its change, so the status a
    change moved it to is the next snapshot's (or the report's now)."""
    ordered = sorted(versions, key=lambda v: v.version)
    changes = []
    for index, version in enumerate(ordered):
        after = (
            ordered[index + 1].snapshot.get("status")
            if index + 1 < len(ordered)
            else asset.status.value
        )
        moved = "status" in version.changed_fields
        shown = [
            _FIELD_NAMES.get(name, name.replace("_", " "))
            for name in version.changed_fields
            if name not in ("status", "version", "updated_at", "published_at")
        ]
        changes.append(
            Change(
                at=version.changed_at,
                by=version.changed_by.name,
                fields=[name for name in shown if name],
                status=str(after) if moved else None,
                comment=version.comment,
            )
        )
    return list(reversed(changes))


@router.get("/queue")
def review_queue(request: Request, db: DbSession, who: ReviewerViewer, page: Paging) -> Response:
    items, total = assets_service.list_visible(
        db, who, filters={"status": AssetStatus.in_review}, limit=page.limit, offset=page.offset
    )
    teams = teams_service.names(db, sorted({a.owning_team_id for a in items}))
    context = {
        "title": "Reports waiting for review",
        "items": items,
        "total": total,
        "teams": teams,
        "limit": page.limit,
        "offset": page.offset,
    }
    return render(request, "queue/list.html", context)


def _item_page(
    request: Request,
    db: DbSession,
    who: Viewer,
    asset_id: int,
    *,
    errors: dict[str, str],
    comment: str = "",
    decision: str = "",
    status_code: int = 200,
) -> Response:
    asset = assets_service.to_read(db, assets_service.get_visible(db, who, asset_id))
    lessons, _ = lessons_service.list_visible(
        db, who, filters={"asset_id": asset_id}, limit=MAX_LISTED, offset=0
    )
    versions, _ = assets_service.list_versions(db, who, asset_id, limit=MAX_LISTED, offset=0)
    context = {
        "title": f"History of {asset.title}",
        "asset": asset,
        "lessons": lessons,
        "history": history_of(asset, versions),
        "may_review": who.has_role(Role.reviewer) and asset.status is AssetStatus.in_review,
        "may_submit": asset.status is AssetStatus.draft
        and (
            who.is_admin or (who.has_role(Role.contributor) and who.in_team(asset.owning_team_id))
        ),
        "team_name": teams_service.names(db, [asset.owning_team_id]).get(asset.owning_team_id),
        "errors": errors,
        "comment": comment,
        "decision": decision,
        "moved": request.query_params.get("moved"),
    }
    return render(request, "queue/item.html", context, status_code=status_code)


@router.get("/assets/{asset_id}/history")
def asset_history(request: Request, asset_id: IdPath, db: DbSession, who: Viewer) -> Response:
    """The report's history, with the review's comments: where its author reads why it came
    back; in review, a reviewer decides here."""
    return _item_page(request, db, who, asset_id, errors={})


@router.post("/assets/{asset_id}/review")
def decide(
    request: Request,
    asset_id: IdPath,
    db: DbSession,
    who: Viewer,
    decision: FormText = "",
    comment: FormText = "",
    version: FormText = "",
) -> Response:
    """Publish, or send back to draft with a comment for the author; or, by its author,
    send a draft (again) for review."""
    targets = {
        "publish": AssetStatus.published,
        "send_back": AssetStatus.draft,
        "submit": AssetStatus.in_review,
    }

    def refused(errors: dict[str, str], status_code: int = 422) -> Response:
        """The item again, with what was typed and why it was refused."""
        return _item_page(
            request,
            db,
            who,
            asset_id,
            errors=errors,
            comment=comment,
            decision=decision,
            status_code=status_code,
        )

    if decision not in targets:
        return refused({"decision": "Choose whether to publish the report or send it back"})
    if not version.isdigit():
        version = str(assets_service.get_visible(db, who, asset_id).version)
    move = AssetTransition(to=targets[decision], comment=comment.strip()[:4000])
    try:
        workflow.transition(db, who, asset_id, move, expected_version=int(version))
    except ValidationFailed:
        return refused({"comment": "Say what the author should change before it can be published"})
    except (InvalidTransition, PreconditionFailed) as exc:
        return refused({"decision": _why(exc)}, exc.status_code)
    return RedirectResponse(f"/assets/{asset_id}/history?moved={move.to.value}", status_code=303)


def _why(exc: InvalidTransition | PreconditionFailed) -> str:
    if isinstance(exc, PreconditionFailed):
        return "Someone else changed this report while you were reading it. Read it again."
    return exc.message[:1].upper() + exc.message[1:] + "."
