"""`render(request, template, context)`: every page goes through it, so each gets the
signed-in person, the CSRF token for its forms and the same filters.

Templates come from the package (`templates/`), autoescaped: text from the database is never
trusted as HTML. The two exceptions are marked `|safe` in the templates and named here: an
asset's body rendered by assets/rendering.py (Markdown, then nh3's allow-list) and search
snippets, which the search backends escape before wrapping matches in <mark>.
"""

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape

from hindsight.service.web.session import (
    SIGN_IN_CSRF_COOKIE,
    csrf_token_for,
    set_cookie,
)

# Where capitalising the first letter is not how people write it.
_SAID = {"nhs_trust": "NHS trust", "nhs": "NHS"}

# What the pages' responses allow (the app may send the same policy for every response):
# our own scripts, styles and images only, no inline code, no framing, forms to us only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def words(value: object) -> str:
    """An enum value as people say it: `before_action_review` -> "Before action review"."""
    raw = str(getattr(value, "value", value) or "")
    if raw in _SAID:
        return _SAID[raw]
    text = raw.replace("_", " ")
    return text[:1].upper() + text[1:]


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def _query(params: dict[str, Any], **changes: Any) -> str:
    """A query string from `params` with `changes` applied; None or "" removes a key."""
    merged = {**params, **changes}
    return urlencode([(k, v) for k, v in merged.items() if v not in (None, "")], doseq=True)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("hindsight.service.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["words"] = words
    env.filters["day"] = _day
    env.globals["query"] = _query
    return env


templates = Jinja2Templates(env=_environment())


def render(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    visit = getattr(request.state, "visit", None)
    page: dict[str, Any] = {
        "visit": visit,
        "who": visit.principal if visit else None,
        "csrf_token": csrf_token_for(request),
        "path": request.url.path,
        **context,
    }
    response = templates.TemplateResponse(request, template, page, status_code=status_code)
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    new_token = getattr(request.state, "new_sign_in_csrf", None)
    if new_token:
        set_cookie(request, response, SIGN_IN_CSRF_COOKIE, new_token, max_age=None)
    return response
