from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from hindsight.schemas.health import Health
from hindsight.service.deps import AdminAsking
from hindsight.service.health import service as health_service

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, responses={503: {"model": Health}})
def healthz(request: Request, admin: AdminAsking) -> JSONResponse:
    """No token needed. 200 when the database and the index are usable, else 503. Without
    an admin token each part is a status word (`ok`, `rebuilding`, `unavailable`); with
    one, the reasons, paths and counts (`outbox_pending`: changes not yet in the index)."""
    search = getattr(request.app.state, "search", None)
    health = health_service.check(
        request.app.state.engine,
        request.app.state.settings,
        search.indexer.last_error if search else None,
        search.state.report() if search else "ok",
    )
    shown = health if admin else health_service.for_anyone(health)
    code = 200 if health.status == "ok" else 503
    return JSONResponse(shown.model_dump(), status_code=code, headers={"Cache-Control": "no-store"})
