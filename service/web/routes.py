"""The web router, built from one module per page or group of pages.

A new page is a module with its own `router` (and templates of its own), added to `PAGES`.
Every route here is tagged "web" (errors.py answers them with HTML), left out of the
OpenAPI description, and passes the CSRF check before any POST reaches it.
"""

from functools import cache
from types import ModuleType

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from hindsight.service.ratelimit import FailureLimiter
from hindsight.service.settings import Settings
from hindsight.service.web import account, assets, home, lessons, projects, reviews, search
from hindsight.service.web.account import SignInLimits
from hindsight.service.web.errors import WEB_TAG, install_page_errors
from hindsight.service.web.part2 import PAGES as PART2_PAGES
from hindsight.service.web.session import check_csrf

PAGES: tuple[ModuleType, ...] = (home, account, search, lessons, assets, projects, reviews)
PAGES += PART2_PAGES


@cache
def build_router() -> APIRouter:
    """Built once per process (see app.py's `_api_router`)."""
    router = APIRouter(
        tags=[WEB_TAG],
        include_in_schema=False,
        default_response_class=HTMLResponse,
        dependencies=[Depends(check_csrf)],
    )
    for page in PAGES:
        router.include_router(page.router)
    return router


def install(app: FastAPI, settings: Settings) -> None:
    """Mounts the pages and their static files on `app`; after the API's error handlers,
    which the page handlers wrap."""
    app.state.sign_in_limits = SignInLimits(
        by_address=FailureLimiter(settings.web_sign_in_failures_per_address),
        by_email=FailureLimiter(settings.web_sign_in_failures_per_email),
    )
    static = StaticFiles(packages=[("hindsight.service.web", "static")])
    app.mount("/static", static, name="static")
    app.include_router(build_router())
    install_page_errors(app)
