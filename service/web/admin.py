"""Administration in the browser: each person's API tokens (created and revoked by
themselves), and for admins the teams and the users (invited with an initial password,
given a role and teams). Webhooks are not here yet: they do not exist on this branch.

Writes go through the API's services (tokens, teams, users), so their rules hold: a token's
secret is shown once and kept only as a hash; an email is used once; roles are checked.
"""

from datetime import UTC, datetime, time
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from hindsight.schemas.enums import Role
from hindsight.schemas.teams import TeamCreate
from hindsight.schemas.tokens import TokenCreate, TokenCreated
from hindsight.schemas.users import PASSWORD_MIN_LENGTH, UserCreate, UserUpdate
from hindsight.service.auth import Principal
from hindsight.service.deps import DbSession, IdPath
from hindsight.service.errors import AppError
from hindsight.service.teams import service as teams_service
from hindsight.service.tokens import service as tokens_service
from hindsight.service.users import service as users_service
from hindsight.service.web import forms
from hindsight.service.web.rendering import render
from hindsight.service.web.session import Viewer, require

router = APIRouter()

FormText = Annotated[str, Form()]
Admin = Annotated[Principal, Depends(require(Role.admin))]
MAX_LISTED = 200


def _tokens_page(
    request: Request,
    db: Session,
    who: Principal,
    *,
    created: TokenCreated | None = None,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    tokens, _ = tokens_service.list_for(db, who, user_id=None, limit=MAX_LISTED, offset=0)
    context = {
        "title": "Your API tokens",
        "tokens": tokens,
        "created": created,
        "errors": errors or {},
        "typed": typed or {},
        "revoked": request.query_params.get("revoked"),
    }
    response = render(request, "admin/tokens.html", context, status_code=status_code)
    if created is not None:
        # The secret is on this page only once: no cache may keep a copy.
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/account/tokens")
def tokens_page(request: Request, db: DbSession, who: Viewer) -> Response:
    return _tokens_page(request, db, who)


@router.post("/account/tokens")
def create_token(
    request: Request, db: DbSession, who: Viewer, name: FormText = "", expires: FormText = ""
) -> Response:
    typed = {"name": name, "expires": expires}
    body: dict[str, object] = {"name": name}
    if expires:
        try:
            # The end of the chosen day (UTC): a token "until 31 March" works on 31 March.
            day = datetime.fromisoformat(expires).date()
            body["expires_at"] = datetime.combine(day, time.max, tzinfo=UTC)
        except ValueError:
            errors = {"expires": "Enter a real date, for example 2027-03-31"}
            return _tokens_page(request, db, who, errors=errors, typed=typed, status_code=422)
    try:
        payload = forms.parse(TokenCreate, body)
        max_days = request.app.state.settings.token_max_days
        created = tokens_service.create(db, who, payload, claim=None, max_days=max_days)
    except ValidationError as exc:
        errors = forms.from_validation(exc, {"name": "Say what the token is for"})
        return _tokens_page(request, db, who, errors=errors, typed=typed, status_code=422)
    except AppError as exc:
        if not exc.details:
            raise
        errors = {"expires": "The date must be in the future"}
        return _tokens_page(request, db, who, errors=errors, typed=typed, status_code=422)
    return _tokens_page(request, db, who, created=created, status_code=201)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: IdPath, db: DbSession, who: Viewer) -> Response:
    tokens_service.revoke(db, who, token_id)
    return RedirectResponse("/account/tokens?revoked=true", status_code=303)


# Teams and users: admins only.


def _teams_page(
    request: Request,
    db: Session,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    teams, _ = teams_service.list_all(db, limit=MAX_LISTED, offset=0)
    context = {
        "title": "Teams",
        "teams": teams,
        "errors": errors or {},
        "typed": typed or {},
        "added": request.query_params.get("added"),
    }
    return render(request, "admin/teams.html", context, status_code=status_code)


@router.get("/admin/teams")
def teams_page(request: Request, db: DbSession, who: Admin) -> Response:
    return _teams_page(request, db)


@router.post("/admin/teams")
def create_team(
    request: Request, db: DbSession, who: Admin, name: FormText = "", description: FormText = ""
) -> Response:
    typed = {"name": name, "description": description}
    try:
        payload = forms.parse(TeamCreate, typed)
        teams_service.create(db, who, payload, claim=None)
    except ValidationError as exc:
        errors = forms.from_validation(exc, {"name": "Enter the team's name"})
        return _teams_page(request, db, errors=errors, typed=typed, status_code=422)
    except AppError as exc:
        if exc.status_code != 409:
            raise
        errors = {"name": "A team of this name exists already; choose another name"}
        return _teams_page(request, db, errors=errors, typed=typed, status_code=409)
    return RedirectResponse("/admin/teams?added=true", status_code=303)


_ROLES = [(r.value, r.value.capitalize()) for r in Role]
_USER_MESSAGES = {
    "name": "Enter the person's name",
    "email": "Enter an email address like name@example.org",
    "password": f"Enter an initial password of at least {PASSWORD_MIN_LENGTH} characters",
}


def _users_page(
    request: Request,
    db: Session,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    users, _ = users_service.list_all(db, limit=MAX_LISTED, offset=0)
    teams, _ = teams_service.list_all(db, limit=MAX_LISTED, offset=0)
    names = {t.id: t.name for t in teams}
    reads = [users_service.to_read(db, u) for u in users]
    context = {
        "title": "Users",
        "users": [(u, ", ".join(names.get(t, "") for t in u.team_ids)) for u in reads],
        "teams": list(names.items()),
        "roles": _ROLES,
        "errors": errors or {},
        "typed": typed or {},
        "done": request.query_params.get("done"),
        "min_length": PASSWORD_MIN_LENGTH,
    }
    return render(request, "admin/users.html", context, status_code=status_code)


@router.get("/admin/users")
def users_page(request: Request, db: DbSession, who: Admin) -> Response:
    return _users_page(request, db)


@router.post("/admin/users")
def invite_user(
    request: Request,
    db: DbSession,
    who: Admin,
    name: FormText = "",
    email: FormText = "",
    role: FormText = "reader",
    team_id: FormText = "",
    password: FormText = "",
) -> Response:
    """A new person with an initial password to give them; they change it once signed in."""
    typed = {"name": name, "email": email, "role": role, "team_id": team_id}
    body: dict[str, object] = {"name": name, "email": email, "role": role, "password": password}
    if team_id.isdigit():
        body["team_ids"] = [int(team_id)]
    try:
        payload = forms.parse(UserCreate, body)
        users_service.create(db, who, payload, claim=None)
    except ValidationError as exc:
        errors = forms.from_validation(exc, _USER_MESSAGES)
        return _users_page(request, db, errors=errors, typed=typed, status_code=422)
    except AppError as exc:
        if exc.status_code == 409:
            errors = {"email": "Someone has this email address already"}
        elif exc.details:
            errors = {"team_id": "Choose a team from the list"}
        else:
            raise
        return _users_page(request, db, errors=errors, typed=typed, status_code=exc.status_code)
    return RedirectResponse("/admin/users?done=invited", status_code=303)


@router.post("/admin/users/{user_id}/role")
def set_role(
    request: Request, user_id: IdPath, db: DbSession, who: Admin, form: forms.PostedForm
) -> Response:
    """The role of one person, from their row of the list (`role-<id>`)."""
    raw = str(form.get(f"role-{user_id}") or "")
    user = users_service.get(db, who, user_id)
    try:
        patch = UserUpdate(role=Role(raw))
    except ValueError:
        errors = {f"role-{user_id}": "Choose a role from the list"}
        return _users_page(request, db, errors=errors, status_code=422)
    users_service.update_user(db, who, user_id, patch, expected_version=user.version)
    return RedirectResponse("/admin/users?done=role", status_code=303)
