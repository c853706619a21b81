"""A lesson's page: what happened, the whys down to the root cause, the lesson itself, its
lifecycle with history, actions, where it was applied, related lessons and where it came
from (the asset, the project, its team and the people to talk to)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from hindsight.schemas.lessons import LessonRead
from hindsight.schemas.versions import VersionRead
from hindsight.service.actions import service as actions_service
from hindsight.service.applications import service as applications_service
from hindsight.service.assets import service as assets_service
from hindsight.service.auth import Principal
from hindsight.service.deps import DbSession, IdPath
from hindsight.service.lessons import service as lessons_service
from hindsight.service.projects import service as projects_service
from hindsight.service.search import service as search_service
from hindsight.service.search.runtime import SearchRuntimeDep
from hindsight.service.teams import service as teams_service
from hindsight.service.web.people import people_of
from hindsight.service.web.rendering import render
from hindsight.service.web.session import Viewer

router = APIRouter()

MAX_LISTED = 100


@dataclass(frozen=True)
class StatusChange:
    at: datetime
    by: str
    to: str
    comment: str


def status_history(lesson: LessonRead, versions: list[VersionRead]) -> list[StatusChange]:
    """Each move through the lifecycle, oldest first. A version's snapshot is the lesson
    before its change, so the status it moved to is the next snapshot's (or today's)."""
    ordered = sorted(versions, key=lambda v: v.version)
    changes = []
    for index, version in enumerate(ordered):
        if "status" not in version.changed_fields:
            continue
        after = (
            ordered[index + 1].snapshot.get("status")
            if index + 1 < len(ordered)
            else lesson.status.value
        )
        changes.append(
            StatusChange(
                at=version.changed_at,
                by=version.changed_by.name,
                to=str(after),
                comment=version.comment,
            )
        )
    return changes


def _origin(db: Session, who: Principal, lesson: LessonRead) -> dict[str, Any]:
    """The asset and project a lesson came from, each only when the person may see it."""
    asset_ids = [lesson.asset_id] if lesson.asset_id is not None else []
    assets = assets_service.visible_rows(db, who, asset_ids)
    asset = assets_service.to_read(db, assets[lesson.asset_id]) if assets else None
    project_ids = [lesson.project_id] if lesson.project_id is not None else []
    project = projects_service.visible_reads(db, who, project_ids).get(lesson.project_id or 0)
    return {"asset": asset, "project": project}


@router.get("/lessons/{lesson_id}")
def lesson_page(
    request: Request, lesson_id: IdPath, db: DbSession, who: Viewer, runtime: SearchRuntimeDep
) -> Response:
    lesson = lessons_service.to_read(db, lessons_service.get_visible(db, who, lesson_id))
    versions, _ = lessons_service.list_versions(db, who, lesson_id, limit=MAX_LISTED, offset=0)
    actions, _ = actions_service.list_visible(
        db, who, filters={"lesson_id": lesson_id}, limit=MAX_LISTED, offset=0
    )
    applications, _ = applications_service.list_visible(
        db, who, filters={"lesson_id": lesson_id}, limit=MAX_LISTED, offset=0
    )
    projects = projects_service.visible_reads(db, who, [a.project_id for a in applications])
    related = search_service.related_lessons(db, runtime.backend, who, lesson_id, limit=5)
    context = {
        "title": lesson.title,
        "lesson": lesson,
        "history": status_history(lesson, versions),
        "actions": actions,
        # An application of a project the person cannot see would name a hidden project.
        "applications": [a for a in applications if a.project_id in projects],
        "projects": projects,
        "related": related,
        "team_name": teams_service.names(db, [lesson.owning_team_id]).get(lesson.owning_team_id),
    }
    origin = _origin(db, who, lesson)
    context |= origin | {"people": people_of(origin["asset"], origin["project"])}
    return render(request, "lesson.html", context)
