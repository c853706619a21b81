"""The OpenAPI document, with what FastAPI cannot say by itself.

`If-Match` is optional to FastAPI so that a missing one is our 428 (API.md), not a 422; the
document still says that every PATCH and DELETE needs it, and in which form, so generated
clients and contract testers send it rather than learn it from refusals.
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

# What to send (the ETag as served); the server also takes W/"3" and a bare 3.
IF_MATCH_SCHEMA = {"type": "string", "pattern": '^"[0-9]{1,18}"$', "examples": ['"1"']}


def _require_if_match(document: dict[str, Any]) -> None:
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for param in operation.get("parameters", []):
                if param.get("in") == "header" and param.get("name", "").lower() == "if-match":
                    param["required"] = True
                    param["schema"] = dict(IF_MATCH_SCHEMA)


def install(app: FastAPI) -> None:
    """Wrap `app.openapi` so the document it caches carries the additions above."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _require_if_match(generate())
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
