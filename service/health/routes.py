from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from hindsight.schemas.health import Health
from hindsight.service.health import service as health_service

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, responses={503: {"model": Health}})
def healthz(request: Request) -> JSONResponse:
    """No token needed. 200 when the database and the index are usable, else 503 naming the
    failing part; `outbox_pending` counts changes not yet in the index."""
    search = getattr(request.app.state, "search", None)
    health = health_service.check(
        request.app.state.engine,
        request.app.state.settings,
        search.indexer.last_error if search else None,
    )
    return JSONResponse(health.model_dump(), status_code=200 if health.status == "ok" else 503)
