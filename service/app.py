"""The application factory. Nothing is read or connected at import time."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline

from hindsight.schemas.common import ErrorBody
from hindsight.service import (
    models,  # noqa: F401  (registers every table)
    openapi,
)
from hindsight.service.actions.routes import router as actions_router
from hindsight.service.applications.routes import router as applications_router
from hindsight.service.assets.routes import router as assets_router
from hindsight.service.attachments import service as attachments_service
from hindsight.service.attachments.routes import router as attachments_router
from hindsight.service.audit.routes import router as audit_router
from hindsight.service.bulk.routes import router as bulk_router
from hindsight.service.db import make_engine
from hindsight.service.due_diligence.routes import router as due_diligence_router
from hindsight.service.error_handlers import install_error_handlers
from hindsight.service.health.routes import router as health_router
from hindsight.service.housekeeping import Housekeeper
from hindsight.service.idempotency import Replay
from hindsight.service.lessons.routes import router as lessons_router
from hindsight.service.maturity.routes import router as maturity_router
from hindsight.service.metrics.routes import router as metrics_router
from hindsight.service.middleware import (
    BodySizeLimitMiddleware,
    ConcurrencyLimitMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
)
from hindsight.service.notifications.routes import router as notifications_router
from hindsight.service.projects.routes import router as projects_router
from hindsight.service.ratelimit import FailureLimiter
from hindsight.service.search.routes import router as search_router
from hindsight.service.search.runtime import SearchRuntime
from hindsight.service.settings import Settings
from hindsight.service.subscriptions.routes import router as subscriptions_router
from hindsight.service.teams.routes import router as teams_router
from hindsight.service.tokens.routes import router as tokens_router
from hindsight.service.users.routes import router as users_router
from hindsight.service.web import routes as web
from hindsight.service.webhooks.routes import router as webhooks_router
from hindsight.service.worker import make_runner

log = logging.getLogger("hindsight")

_ERRORS = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        400: "bad request",
        401: "missing or unknown token",
        403: "role too low",
        404: "missing, or not visible to the caller",
        422: "a field is invalid",
    }.items()
}


DOCS_ASSETS = "/docs/assets"


def _operation_id(route: APIRoute) -> str:
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


async def _replay(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Replay)
    headers = {"Idempotent-Replayed": "true"}
    if isinstance(exc.body, dict) and isinstance(exc.body.get("version"), int):
        headers["ETag"] = f'"{exc.body["version"]}"'
    return JSONResponse(exc.body, status_code=exc.status_code, headers=headers)


@cache
def _api_router() -> APIRouter:
    """Health and /v1, built once per process: FastAPI reads every route's signature when a
    router is included, and an app is made per test (and per worker process)."""
    root = APIRouter()
    root.include_router(health_router)
    v1 = APIRouter(prefix="/v1")
    # Routes are matched in order, one by one: search, the busiest, first.
    for router in (
        search_router,
        teams_router,
        users_router,
        tokens_router,
        projects_router,
        assets_router,
        attachments_router,
        lessons_router,
        actions_router,
        applications_router,
        due_diligence_router,
        maturity_router,
        metrics_router,
        bulk_router,
        audit_router,
        webhooks_router,
        subscriptions_router,
        notifications_router,
    ):
        v1.include_router(router)
    root.include_router(v1)
    return root


def create_app(settings: Settings) -> FastAPI:
    engine = make_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.search = SearchRuntime.start(settings, engine)
        housekeeper = Housekeeper(
            engine,
            ttl_hours=settings.idempotency_ttl_hours,
            every_seconds=settings.housekeeping_seconds,
        )
        housekeeper.start()
        app.state.text_worker = attachments_service.text_worker(settings, engine)
        app.state.text_worker.start()
        # Built always, started only when this process runs jobs: tests and tools drive it
        # with `run_until_idle` instead.
        app.state.jobs = make_runner(engine, settings, lambda: app.state.search.backend)
        if settings.run_worker:
            app.state.jobs.start()
        try:
            yield
        finally:
            if settings.run_worker:
                app.state.jobs.stop()
            app.state.text_worker.stop()
            housekeeper.stop()
            app.state.search.stop()
            engine.dispose()

    # FastAPI itself, with /docs and /redoc reading their scripts from the app (DOCS_ASSETS)
    # rather than from a CDN.
    app = FastAPIOffline(
        static_url=DOCS_ASSETS,
        title="Hindsight",
        version="1.0.0",
        summary="Knowledge assets and lessons learned: search past learning before you start.",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        responses=_ERRORS,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.auth_failures = FailureLimiter(settings.auth_failure_limit)
    openapi.install(app)

    install_error_handlers(app)
    app.add_exception_handler(Replay, _replay)
    app.add_middleware(
        BodySizeLimitMiddleware,
        json_limit=settings.max_body_bytes,
        upload_limit=settings.max_upload_bytes,
        import_limit=settings.max_import_bytes,
    )
    app.add_middleware(ConcurrencyLimitMiddleware, limit=settings.max_concurrency)
    app.add_middleware(RequestContextMiddleware)
    # Outermost, so the last-resort 500 and the early 413 carry the headers too.
    app.add_middleware(SecurityHeadersMiddleware)

    app.include_router(_api_router())
    web.install(app, settings)
    return app


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging(settings: Settings) -> None:
    """Our log lines on stderr; a no-op when logging is already set up (tests, embedding)."""
    logging.basicConfig(level=settings.log_level, format=LOG_FORMAT)


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` and worker processes: settings from the environment.
    Worker processes start fresh interpreters, so each sets up its own logging here."""
    settings = Settings()
    configure_logging(settings)
    return create_app(settings)
