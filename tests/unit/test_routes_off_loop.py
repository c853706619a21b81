"""No route does database work on the event loop: a route that takes a database session is
a plain `def` (FastAPI runs it in the thread pool); an `async def` one would block every
other request while its statements run."""

import inspect
from collections.abc import Iterator
from pathlib import Path

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from hindsight.service.app import create_app
from hindsight.service.deps import get_session
from hindsight.service.settings import Settings


def _routes(routes: list[object]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        # FastAPI keeps included routers as a node holding the router they came from.
        inner = getattr(route, "original_router", None) or getattr(route, "router", None)
        if inner is not None and inner is not route and hasattr(inner, "routes"):
            yield from _routes(inner.routes)


def _uses_session(dependant: Dependant) -> bool:
    return any(d.call is get_session or _uses_session(d) for d in dependant.dependencies)


def test_every_route_with_a_database_session_runs_in_the_thread_pool(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite:///{tmp_path / 'routes.db'}",
        data_dir=tmp_path,
        admin_token="a-long-enough-admin-key-for-the-settings-check",
    )
    app = create_app(settings)
    found = list(_routes(list(app.router.routes)))
    assert len(found) > 100, "the walk must reach the API's and the pages' routes"
    on_loop = [
        f"{sorted(route.methods)} {route.path}"
        for route in found
        if _uses_session(route.dependant) and inspect.iscoroutinefunction(route.endpoint)
    ]
    assert on_loop == []
