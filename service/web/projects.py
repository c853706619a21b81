"""A project's page: what it is, its team and contacts, its reports, its lessons and the
pre-project reviews run for it."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hindsight.service.assets import service as assets_service
from hindsight.service.deps import DbSession, IdPath
from hindsight.service.due_diligence import service as due_diligence_service
from hindsight.service.lessons import service as lessons_service
from hindsight.service.projects import service as projects_service
from hindsight.service.teams import service as teams_service
from hindsight.service.web.people import people_of
from hindsight.service.web.rendering import render
from hindsight.service.web.session import Viewer

router = APIRouter()

MAX_LISTED = 100


@router.get("/projects/{project_id}")
def project_page(request: Request, project_id: IdPath, db: DbSession, who: Viewer) -> Response:
    project = projects_service.to_read(db, projects_service.get_visible(db, who, project_id))
    filters = {"project_id": project_id}
    assets, _ = assets_service.list_visible(db, who, filters=filters, limit=MAX_LISTED, offset=0)
    lessons, _ = lessons_service.list_visible(db, who, filters=filters, limit=MAX_LISTED, offset=0)
    reviews, _ = due_diligence_service.list_visible(
        db, who, project_id=project_id, limit=MAX_LISTED, offset=0
    )
    context = {
        "title": project.name,
        "project": project,
        "assets": assets,
        "lessons": lessons,
        "reviews": reviews,
        "people": people_of(None, project),
        "team_name": teams_service.names(db, [project.owning_team_id]).get(project.owning_team_id),
    }
    return render(request, "project.html", context)
