"""The session cookie, the signed-in person and the CSRF check of every form.

A page needs `Viewer` (the signed-in `Principal`, the same the API's services take) or
`SignedInVisit` (with the session's id and CSRF token); without a live session the person
is sent to /sign-in and brought back afterwards.

Every POST under the web router carries `csrf_token`: the session's own token once signed in,
before that (the sign-in form) the value of a cookie set with the form, so that no other
site can sign someone in to an account of its choosing. A POST without it is a 403 page.
"""

import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request, Response

from hindsight.schemas.enums import Role
from hindsight.service.auth import Principal
from hindsight.service.errors import Forbidden
from hindsight.service.sessions import service as sessions_service
from hindsight.service.sessions.service import SignedIn
from hindsight.service.web.exceptions import CsrfRefused, SignInRequired

SESSION_COOKIE = "hindsight_session"
SIGN_IN_CSRF_COOKIE = "hindsight_sign_in_csrf"
CSRF_FIELD = "csrf_token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_https(request: Request) -> bool:
    """Whether the browser reached us over https. X-Forwarded-Proto counts only when the
    operator says a proxy in front sets it (HINDSIGHT_WEB_TRUST_FORWARDED_PROTO)."""
    if request.app.state.settings.web_trust_forwarded_proto:
        forwarded = request.headers.get("x-forwarded-proto", "")
        if forwarded:
            return forwarded.split(",")[0].strip().lower() == "https"
    return request.url.scheme == "https"


def set_cookie(
    request: Request, response: Response, name: str, value: str, *, max_age: int | None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def start(request: Request, response: Response, secret: str, lifetime: timedelta) -> None:
    set_cookie(request, response, SESSION_COOKIE, secret, max_age=int(lifetime.total_seconds()))
    response.delete_cookie(SIGN_IN_CSRF_COOKIE, path="/")


def end(request: Request, response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


def current_visit(request: Request) -> SignedIn | None:
    """The live session behind the cookie, or None. Looked up on a bare connection closed at
    once, like the API's bearer tokens; kept on `request.state` for `render`."""
    secret = request.cookies.get(SESSION_COOKIE)
    visit = None
    if secret:
        with request.app.state.engine.connect() as conn:
            visit = sessions_service.find(conn, secret)
    request.state.visit = visit
    return visit


Visit = Annotated[SignedIn | None, Depends(current_visit)]


def _next_path(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def signed_in(request: Request, visit: Visit) -> SignedIn:
    if visit is None:
        raise SignInRequired(_next_path(request) if request.method in _SAFE_METHODS else "/")
    return visit


SignedInVisit = Annotated[SignedIn, Depends(signed_in)]


def viewer(visit: SignedInVisit) -> Principal:
    return visit.principal


Viewer = Annotated[Principal, Depends(viewer)]
"""The signed-in person as a `Principal`: pass it to the domain services as the API does."""


def require(role: Role) -> Callable[[Principal], Principal]:
    """A page's role gate, as deps.require is the API's: a 403 page below `role`."""

    def gate(who: Viewer) -> Principal:
        if not who.has_role(role):
            raise Forbidden(f"This needs the {role.value} role; you are a {who.role.value}.")
        return who

    gate.__name__ = f"page_requires_{role.value}"
    return gate


Contributor = Annotated[Principal, Depends(require(Role.contributor))]


def sign_in_csrf_token(request: Request) -> str:
    """The token of the signed-out forms: the cookie's, or a new one `render` will set."""
    token = request.cookies.get(SIGN_IN_CSRF_COOKIE)
    if not token:
        token = getattr(request.state, "new_sign_in_csrf", None) or secrets.token_urlsafe(32)
        request.state.new_sign_in_csrf = token
    return token


def csrf_token_for(request: Request) -> str:
    visit: SignedIn | None = getattr(request.state, "visit", None)
    return visit.csrf_token if visit else sign_in_csrf_token(request)


async def check_csrf(request: Request, visit: Visit) -> None:
    """Every POST of the web router: refused with a 403 page unless its form carries the
    token of this session (or of the sign-in cookie when signed out)."""
    if request.method in _SAFE_METHODS:
        return
    expected = visit.csrf_token if visit else request.cookies.get(SIGN_IN_CSRF_COOKIE)
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise CsrfRefused()
