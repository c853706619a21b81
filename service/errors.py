"""Domain errors, each with the HTTP status and stable code of API.md "Conventions".

Services raise these; `service.error_handlers` turns them into
`{"error": {"code", "message", "details"}}`. No service raises `HTTPException`.
"""

from typing import Any


class AppError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class BadRequest(AppError):
    status_code, code = 400, "bad_request"


class InvalidQuery(AppError):
    status_code, code = 400, "invalid_query"


class Unauthenticated(AppError):
    status_code, code = 401, "unauthenticated"


class Forbidden(AppError):
    status_code, code = 403, "forbidden"


class NotFound(AppError):
    status_code, code = 404, "not_found"


class Conflict(AppError):
    status_code, code = 409, "conflict"


class InvalidTransition(AppError):
    status_code, code = 409, "invalid_transition"


class IdempotencyKeyReused(AppError):
    status_code, code = 409, "idempotency_key_reused"


class PreconditionFailed(AppError):
    status_code, code = 412, "version_mismatch"


class PayloadTooLarge(AppError):
    status_code, code = 413, "payload_too_large"


class UnsupportedMediaType(AppError):
    status_code, code = 415, "unsupported_media_type"


class ValidationFailed(AppError):
    """A 422 raised by domain rules that pydantic cannot express (e.g. an unknown team id)."""

    status_code, code = 422, "validation_error"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, details=[{"field": field, "message": message}])


class PreconditionRequired(AppError):
    status_code, code = 428, "precondition_required"


class IndexUnavailable(AppError):
    """The search index is missing or being rebuilt from the database; try again shortly."""

    status_code, code = 503, "index_unavailable"
    retry_after = 5


class InsufficientStorage(AppError):
    """The disk is full: nothing of the request was stored."""

    status_code, code = 507, "insufficient_storage"


class TooManyRequests(AppError):
    """429 with `Retry-After`: the caller failed too often and must wait `retry_after` s."""

    status_code, code = 429, "too_many_requests"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details=[{"retry_after": retry_after}])
        self.retry_after = retry_after
