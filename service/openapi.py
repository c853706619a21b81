"""The OpenAPI document, with what FastAPI cannot say by itself.

`If-Match` is optional to FastAPI so that a missing one is our 428 (API.md), not a 422; the
document still says that every PATCH and DELETE needs it, and in which form, so generated
clients and contract testers send it rather than learn it from refusals.

Examples live on the models in schemas/ (schemas/examples.py); a page of items and a list of
them are shown with their item's example, so that no generic `Page[...]` needs one of its own.
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


PAGE_PREFIX = "Page_"
REF_PREFIX = "#/components/schemas/"


def _example_of(schema: dict[str, Any], components: dict[str, Any]) -> Any | None:
    if "$ref" in schema:
        schema = components.get(schema["$ref"].removeprefix(REF_PREFIX), {})
    examples = schema.get("examples")
    return examples[0] if examples else None


def _page_examples(components: dict[str, Any]) -> None:
    for name, schema in components.items():
        if not name.startswith(PAGE_PREFIX) or "examples" in schema:
            continue
        item = _example_of(schema["properties"]["items"]["items"], components)
        if item is not None:
            page = {"items": [item], "total": 1, "limit": 20, "offset": 0}
            schema["examples"] = [page]


def _list_examples(document: dict[str, Any], components: dict[str, Any]) -> None:
    """A bare JSON array (a request or an answer) is shown as a list of its item's example."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            bodies = [operation.get("requestBody", {})]
            bodies += [r for s, r in operation.get("responses", {}).items() if s.startswith("2")]
            for body in bodies:
                media = body.get("content", {}).get("application/json")
                if not media or "example" in media or media["schema"].get("type") != "array":
                    continue
                item = _example_of(media["schema"]["items"], components)
                if item is not None:
                    media["example"] = [item]


def _add_examples(document: dict[str, Any]) -> None:
    components = document.get("components", {}).get("schemas", {})
    _page_examples(components)
    _list_examples(document, components)


def install(app: FastAPI) -> None:
    """Wrap `app.openapi` so the document it caches carries the additions above."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            _require_if_match(document)
            _add_examples(document)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
