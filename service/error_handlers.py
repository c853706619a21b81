"""Turn every failure into the one error body of API.md:
`{"error": {"code": "snake_case", "message": "what to change", "details": [...]}}`."""

import errno
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from hindsight.service.columns import OutOfRangeTimestamp
from hindsight.service.errors import AppError

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "version_mismatch",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    428: "precondition_required",
    429: "too_many_requests",
}


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details or []}}
    return JSONResponse(body, status_code=status, headers=headers)


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _app_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else {}
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return error_response(exc.status_code, exc.code, exc.message, exc.details, headers or None)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    for err in errors:
        if err.get("type") == "json_invalid":
            reason = (err.get("ctx") or {}).get("error", "malformed JSON")
            return error_response(
                400, "bad_request", f"the request body is not valid JSON ({reason})"
            )
    details = [{"field": _field_name(err["loc"]), "message": err["msg"]} for err in errors]
    fields = ", ".join(d["field"] for d in details[:5])
    return error_response(422, "validation_error", f"check these fields: {fields}", details=details)


def _allowed_methods(request: Request) -> list[str]:
    """Every method the API serves at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        if re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", template), request.url.path):
            methods |= {method.upper() for method in operations}
    return sorted(methods)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "bad_request" if exc.status_code < 500 else "error")
    if exc.status_code == 404 and exc.detail == "Not Found":
        message = f"there is no resource at {request.url.path}; see /docs for the API's paths"
    elif exc.status_code == 405:
        allowed = ", ".join(_allowed_methods(request))
        message = f"{request.method} is not allowed on {request.url.path}; allowed: {allowed}"
        return error_response(405, code, message, headers={"Allow": allowed})
    else:
        message = str(exc.detail)
    return error_response(exc.status_code, code, message, headers=exc.headers)


async def _out_of_range(_request: Request, exc: Exception) -> JSONResponse:
    # A safety net: inputs are bounded where they are declared, but a number that slips
    # through and overflows a column is still the caller's mistake, not ours.
    return error_response(400, "bad_request", "a number in the request is out of range")


_DISK_FULL = (
    "the server's disk is full, so nothing of this request was stored; "
    "try again once an operator has freed space"
)


def _is_disk_full(error: BaseException | None) -> bool:
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return True
    # SQLite: SQLITE_FULL (13); PostgreSQL: SQLSTATE 53100 disk_full.
    return getattr(error, "sqlite_errorcode", None) == 13 or (
        getattr(error, "sqlstate", None) == "53100"
    )


async def _statement_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StatementError)
    if isinstance(exc.orig, OutOfRangeTimestamp):
        return error_response(422, "validation_error", str(exc.orig))
    if _is_disk_full(exc.orig):
        return error_response(507, "insufficient_storage", _DISK_FULL)
    raise exc  # not the caller's doing: the last-resort 500 logs it


async def _os_error(_request: Request, exc: Exception) -> JSONResponse:
    if _is_disk_full(exc):
        return error_response(507, "insufficient_storage", _DISK_FULL)
    raise exc


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StatementError, _statement_error)
    app.add_exception_handler(OSError, _os_error)
    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(DataError, _out_of_range)
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
