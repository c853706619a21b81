"""What goes wrong on a page becomes a page: the API's JSON errors are for programs.

An error raised under a page's route (one of this package's), or for a path no route serves when the
browser asks for HTML, is answered with templates/error.html and the same status the API
would use; anything else keeps the API's JSON body.
"""

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from hindsight.service.errors import AppError
from hindsight.service.web.exceptions import CsrfRefused, SignInRequired
from hindsight.service.web.rendering import render

WEB_TAG = "web"
_PAGES_PACKAGE = "hindsight.service.web."


def is_page_request(request: Request) -> bool:
    """A page's route, known by where its endpoint lives (Starlette puts the matched
    endpoint in the scope); for an unmatched path, a browser asking for HTML."""
    endpoint = request.scope.get("endpoint")
    if endpoint is not None:
        return getattr(endpoint, "__module__", "").startswith(_PAGES_PACKAGE)
    path = request.url.path
    if path.startswith(("/v1/", "/docs", "/redoc", "/openapi")) or path == "/healthz":
        return False
    return "text/html" in request.headers.get("accept", "")


_TITLES = {
    400: "There is a problem with the request",
    401: "Sign in to see this page",
    403: "You cannot do this",
    404: "Page not found",
    405: "Page not found",
    409: "This could not be done",
    412: "Someone else changed this",
    413: "The file is too large",
    422: "There is a problem with what you entered",
    429: "Too many attempts",
}


def error_page(
    request: Request, status: int, message: str, *, headers: dict[str, str] | None = None
) -> Response:
    title = _TITLES.get(status, "Sorry, there is a problem with the service")
    context: dict[str, Any] = {"title": title, "message": message, "status": status}
    response = render(request, "error.html", context, status_code=status)
    if headers:
        response.headers.update(headers)
    return response


def install_page_errors(app: FastAPI) -> None:
    """Wraps the API's handlers: pages get HTML, everything else what it got before."""
    api_handlers = dict(app.exception_handlers)

    def api(exc_type: type[Exception]) -> Any:
        return api_handlers[exc_type]

    async def app_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, AppError)
        if not is_page_request(request):
            return await api(AppError)(request, exc)
        return error_page(request, exc.status_code, exc.message)

    async def validation_error(request: Request, exc: Exception) -> Response:
        if not is_page_request(request):
            return await api(RequestValidationError)(request, exc)
        assert isinstance(exc, RequestValidationError)
        # Only the address can be wrong here (forms are read by the pages themselves), and a
        # wrong id or page number names nothing: the page does not exist.
        return error_page(request, 404, "Check the address: there is no such page.")

    async def http_error(request: Request, exc: Exception) -> Response:
        if not is_page_request(request):
            return await api(StarletteHTTPException)(request, exc)
        assert isinstance(exc, StarletteHTTPException)
        message = (
            "Check the address: there is no such page."
            if exc.status_code in (404, 405)
            else str(exc.detail)
        )
        return error_page(request, exc.status_code, message)

    async def sign_in_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        target = "/sign-in"
        if exc.next_path not in ("", "/"):
            target += f"?next={quote(exc.next_path, safe='/')}"
        return RedirectResponse(target, status_code=303)

    async def csrf_refused(request: Request, exc: Exception) -> Response:
        message = (
            "The form was sent without its security code, or from another site, or after "
            "you signed out. Go back, reload the page and try again."
        )
        return error_page(request, 403, message)

    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(CsrfRefused, csrf_refused)
