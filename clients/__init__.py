"""Hindsight's typed Python client, sync and async.

    from hindsight.clients import HindsightClient

    with HindsightClient("http://127.0.0.1:8000", token) as hindsight:
        page = hindsight.search("supplier rework", type="lesson")
        for lesson in hindsight.paginate(hindsight.list_lessons, status="learned"):
            ...

Answers are the `schemas/` models; errors are documented in `clients.errors`.
"""

from hindsight.clients._core import Call
from hindsight.clients.async_ import AsyncHindsightClient
from hindsight.clients.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    HindsightError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    PreconditionError,
    ServerError,
    TransportError,
    UnsupportedMediaTypeError,
    ValidationError,
)
from hindsight.clients.operations import Operations
from hindsight.clients.sync import HindsightClient

__all__ = [
    "APIError",
    "AsyncHindsightClient",
    "AuthenticationError",
    "BadRequestError",
    "Call",
    "ConflictError",
    "HindsightClient",
    "HindsightError",
    "NotFoundError",
    "Operations",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "PreconditionError",
    "ServerError",
    "TransportError",
    "UnsupportedMediaTypeError",
    "ValidationError",
]
