"""Signing in and out, and changing one's password."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from hindsight.schemas.users import PASSWORD_MIN_LENGTH, PasswordChange
from hindsight.service.deps import DbSession
from hindsight.service.errors import ValidationFailed
from hindsight.service.ratelimit import FailureLimiter
from hindsight.service.sessions import service as sessions_service
from hindsight.service.users import service as users_service
from hindsight.service.web import forms, session
from hindsight.service.web.rendering import render
from hindsight.service.web.session import SignedInVisit, Visit

router = APIRouter()

FormText = Annotated[str, Form()]


@dataclass
class SignInLimits:
    """Failed sign-ins counted twice: per client address (one guesser, many emails) and
    per email (many addresses, one account)."""

    by_address: FailureLimiter
    by_email: FailureLimiter

    def blocked_for(self, address: str, email: str) -> int | None:
        waits = [self.by_address.blocked_for(address), self.by_email.blocked_for(email)]
        return max((w for w in waits if w is not None), default=None)

    def failed(self, address: str, email: str) -> None:
        self.by_address.failed(address)
        self.by_email.failed(email)


def _safe_next(value: str) -> str:
    """Only a path of this site: `//other.example` or `https://...` would send the person
    elsewhere right after they signed in."""
    if value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/"


def _lifetime(request: Request) -> timedelta:
    return timedelta(hours=request.app.state.settings.web_session_hours)


@router.get("/sign-in")
def sign_in_page(
    request: Request, visit: Visit, next: str = "/", signed_out: bool = False
) -> Response:
    if visit is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    context = {"title": "Sign in", "next_path": _safe_next(next), "email": "", "errors": {}}
    return render(request, "sign_in.html", context | {"signed_out": signed_out})


@router.post("/sign-in")
def sign_in(
    request: Request,
    db: DbSession,
    email: FormText = "",
    password: FormText = "",
    next: FormText = "/",
) -> Response:
    """Wrong credentials get one message for both fields, so the page tells no one which
    emails have accounts; after too many failures the person waits (a 429 page)."""
    limits: SignInLimits = request.app.state.sign_in_limits
    address = request.client.host if request.client else "unknown"
    email = email.strip()
    context = {"title": "Sign in", "next_path": _safe_next(next), "email": email}
    wait = limits.blocked_for(address, email.lower())
    if wait is not None:
        minutes = "a minute" if wait <= 60 else f"{(wait + 59) // 60} minutes"
        message = f"Too many failed sign-ins. Wait {minutes}, then try again."
        response = render(
            request, "sign_in.html", context | {"errors": {"email": message}}, status_code=429
        )
        response.headers["Retry-After"] = str(wait)
        return response
    errors: forms.FieldErrors = {}
    if not email:
        errors["email"] = "Enter your email address"
    if not password:
        errors["password"] = "Enter your password"
    if errors:
        return render(request, "sign_in.html", context | {"errors": errors}, status_code=422)
    started = sessions_service.sign_in(db, email, password, lifetime=_lifetime(request))
    if started is None:
        limits.failed(address, email.lower())
        errors = {"email": "The email address or password is not right"}
        return render(request, "sign_in.html", context | {"errors": errors}, status_code=401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    session.start(request, response, started.secret, _lifetime(request))
    return response


@router.get("/sign-out")
def sign_out_page(request: Request, visit: Visit) -> Response:
    """A page with a button: following a link must not sign anyone out."""
    if visit is None:
        return RedirectResponse("/sign-in", status_code=303)
    return render(request, "sign_out.html", {"title": "Sign out"})


@router.post("/sign-out")
def sign_out(request: Request, db: DbSession, visit: Visit) -> Response:
    if visit is not None:
        sessions_service.sign_out(db, visit.session_id)
    response = RedirectResponse("/sign-in?signed_out=true", status_code=303)
    session.end(request, response)
    return response


# The error summary lists problems in the order of the fields on the page.
_FIELD_ORDER = ("current_password", "new_password", "confirm_password")
_PASSWORD_MESSAGES = {
    "new_password": f"Enter a new password of at least {PASSWORD_MIN_LENGTH} characters",
    "current_password": "Enter your current password",
}


def _password_page(
    request: Request, *, errors: forms.FieldErrors, changed: bool = False, status_code: int = 200
) -> Response:
    context = {
        "title": "Change your password",
        "errors": errors,
        "changed": changed,
        "min_length": PASSWORD_MIN_LENGTH,
    }
    return render(request, "account_password.html", context, status_code=status_code)


@router.get("/account/password")
def password_page(request: Request, visit: SignedInVisit, changed: bool = False) -> Response:
    return _password_page(request, errors={}, changed=changed)


@router.post("/account/password")
def change_password(
    request: Request,
    db: DbSession,
    visit: SignedInVisit,
    current_password: FormText = "",
    new_password: FormText = "",
    confirm_password: FormText = "",
) -> Response:
    """The API's use case; this browser stays signed in, every other session ends."""
    errors: forms.FieldErrors = {}
    try:
        change = forms.parse(
            PasswordChange,
            {"current_password": current_password, "new_password": new_password},
        )
    except ValidationError as exc:
        errors = forms.from_validation(exc, _PASSWORD_MESSAGES)
    if not current_password:
        errors.setdefault("current_password", _PASSWORD_MESSAGES["current_password"])
    if "new_password" not in errors and confirm_password != new_password:
        errors["confirm_password"] = "The two new passwords are not the same"
    if errors:
        ordered = {k: errors[k] for k in _FIELD_ORDER if k in errors}
        return _password_page(request, errors=ordered, status_code=422)
    try:
        users_service.set_own_password(
            db, visit.principal, change, keep_session_id=visit.session_id
        )
    except ValidationFailed as exc:
        return _password_page(request, errors=forms.from_app_error(exc), status_code=422)
    return RedirectResponse("/account/password?changed=true", status_code=303)
