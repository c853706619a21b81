"""Turning what a form sent into a schema, and what went wrong into messages per field.

Pages validate with the API's own schemas (one rule, one place). A pydantic error or a
`ValidationFailed` names a field as the API does (`body.new_password`, `new_password`);
a page shows it beside its field, whose id is the field's name.
"""

from collections.abc import Mapping
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from hindsight.service.errors import AppError

FieldErrors = dict[str, str]
Schema = TypeVar("Schema", bound=BaseModel)


async def _posted_form(request: Request) -> FormData:
    # Reading the body awaits it, so it happens here, on the event loop; the page itself is
    # then a plain `def`, whose database work runs in the thread pool.
    return await request.form()


PostedForm = Annotated[FormData, Depends(_posted_form)]


def field_name(location: str | tuple[object, ...]) -> str:
    parts = location.split(".") if isinstance(location, str) else [str(p) for p in location]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return parts[0] if parts else ""


def from_validation(
    error: ValidationError, messages: Mapping[str, str] | None = None
) -> FieldErrors:
    """One message per field, the first pydantic gave, unless `messages` words it better."""
    errors: FieldErrors = {}
    for item in error.errors():
        name = field_name(item["loc"])
        errors.setdefault(name, (messages or {}).get(name) or item["msg"])
    return errors


def from_app_error(error: AppError) -> FieldErrors:
    return {field_name(d["field"]): d["message"] for d in error.details if d.get("field")}


def field_errors(error: ValidationError | AppError, messages: Mapping[str, str]) -> FieldErrors:
    """What a form shows for a refused body: pydantic's errors, or a domain error's fields.
    A domain error about no field (a 404, a 403) is not the form's to show: it is raised."""
    if isinstance(error, ValidationError):
        return from_validation(error, messages)
    if not error.details:
        raise error
    return from_app_error(error)


def parse(schema: type[Schema], data: Mapping[str, object]) -> Schema:
    """`schema` from form data, where an empty field means "not given"."""
    return schema.model_validate({k: v for k, v in data.items() if v not in ("", None)})
