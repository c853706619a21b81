"""What the client raises. Every error is a `HindsightError`:

HindsightError
├── TransportError             the request never got an answer (connection, timeout)
└── APIError                   the server answered with an error body
    ├── BadRequestError        400 (e.g. invalid_query)
    ├── AuthenticationError    401
    ├── PermissionDeniedError  403
    ├── NotFoundError          404 (missing, or not visible to you)
    ├── ConflictError          409 (invalid_transition, a reused Idempotency-Key, ...)
    ├── PreconditionError      412 stale version / 428 missing If-Match
    ├── PayloadTooLargeError   413
    ├── UnsupportedMediaTypeError 415
    ├── ValidationError        422 (details name the fields)
    └── ServerError            5xx (quote `request_id` when you report it)
"""

from typing import Any


class HindsightError(Exception):
    """Base of everything the client raises."""


class TransportError(HindsightError):
    """No answer arrived: the server is down, unreachable or too slow."""


class APIError(HindsightError):
    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(f"{status_code} {code}: {message}")
        self.status_code = status_code
        self.code = code
        self.message = message
        self.details = details or []
        self.request_id = request_id


class BadRequestError(APIError):
    pass


class AuthenticationError(APIError):
    pass


class PermissionDeniedError(APIError):
    pass


class NotFoundError(APIError):
    pass


class ConflictError(APIError):
    pass


class PreconditionError(APIError):
    pass


class PayloadTooLargeError(APIError):
    pass


class UnsupportedMediaTypeError(APIError):
    pass


class ValidationError(APIError):
    pass


class ServerError(APIError):
    pass


BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    412: PreconditionError,
    428: PreconditionError,
    413: PayloadTooLargeError,
    415: UnsupportedMediaTypeError,
    422: ValidationError,
}


def error_for(status_code: int, body: Any, request_id: str | None) -> APIError:
    """The exception for an error answer; tolerant of bodies that are not ours (a proxy's)."""
    info = body.get("error") if isinstance(body, dict) else None
    if not isinstance(info, dict):
        info = {"code": "http_error", "message": str(body)[:500] or f"HTTP {status_code}"}
    cls = BY_STATUS.get(status_code, ServerError if status_code >= 500 else APIError)
    return cls(
        status_code,
        str(info.get("code", "http_error")),
        str(info.get("message", "")),
        info.get("details") if isinstance(info.get("details"), list) else [],
        request_id,
    )
