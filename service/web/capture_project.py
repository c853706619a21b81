"""A project recorded from the browser, with its team context: each person (or role) with
their years of experience, specialisms, training and what they did, in actions (what
"supportive leadership" or "effective administration" meant here), one row at a time.

"Add a person" posts the form back with one more row, as the capture form's whys do. Saving
validates with the API's `ProjectCreate` and writes through `projects_service.create`.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from hindsight.schemas.enums import OrganisationType, Phase, ProjectStatus
from hindsight.schemas.projects import ProjectCreate
from hindsight.service.auth import Principal
from hindsight.service.deps import DbSession
from hindsight.service.errors import AppError
from hindsight.service.projects import service as projects_service
from hindsight.service.teams import service as teams_service
from hindsight.service.web import forms
from hindsight.service.web.capture_form import message_for
from hindsight.service.web.rendering import render
from hindsight.service.web.session import Contributor

router = APIRouter()

MAX_PEOPLE_ON_FORM = 30
PROJECT_TEXTS = (
    "name",
    "description",
    "organisation",
    "organisation_type",
    "phase",
    "status",
    "owning_team_id",
    "topics",
    "contacts",
)
PERSON_TEXTS = ("role", "years_experience", "specialisms", "training", "note")


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _list(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\n", ",").split(",") if p.strip()]


def _read(form: Any) -> tuple[dict[str, str], list[dict[str, str]]]:
    values = {name: _text(form, name) for name in PROJECT_TEXTS}
    raw = _text(form, "person_count")
    count = max(1, min(MAX_PEOPLE_ON_FORM, int(raw))) if raw.isdigit() else 1
    people = [
        {name: _text(form, f"team_context-{i}-{name}") for name in PERSON_TEXTS}
        for i in range(count)
    ]
    return values, people


def _contact(line: str) -> dict[str, Any]:
    parts = [p.strip() for p in line.split(",")]
    person: dict[str, Any] = {"name": parts[0], "role": parts[1] if len(parts) > 1 else ""}
    if len(parts) > 2 and parts[2]:
        person["email"] = parts[2]
    return person


def _body(values: dict[str, str], people: list[dict[str, str]]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": values["name"],
        "description": values["description"],
        "organisation": values["organisation"],
        "topics": _list(values["topics"]),
        "contacts": [_contact(line) for line in values["contacts"].splitlines() if line.strip()],
        "team_context": [
            {
                "role": p["role"],
                "years_experience": p["years_experience"] or None,
                "specialisms": _list(p["specialisms"]),
                "training": _list(p["training"]),
                "note": p["note"],
            }
            for p in people
            if any(p.values())  # a row not filled in is not a person
        ],
    }
    for name in ("organisation_type", "phase", "status"):
        if values[name]:
            body[name] = values[name]
    if values["owning_team_id"].isdigit():
        body["owning_team_id"] = int(values["owning_team_id"])
    return body


def _errors(people: list[dict[str, str]], exc: ValidationError) -> dict[str, str]:
    filled = [i for i, p in enumerate(people) if any(p.values())]
    errors: dict[str, str] = {}
    for item in exc.errors():
        loc = [str(p) for p in item["loc"]]
        if loc[:1] == ["team_context"] and len(loc) >= 3 and int(loc[1]) < len(filled):
            where = f"team_context-{filled[int(loc[1])]}-{loc[2]}"
            message = {
                "role": "Enter the person's role",
                "years_experience": "Enter their years of experience as a whole number",
            }.get(loc[2], message_for(where, item))
        elif loc[:1] == ["contacts"]:
            where, message = "contacts", "Write each contact as: name, role, email"
        else:
            where = loc[0] if loc else "name"
            message = "Enter the project's name" if where == "name" else message_for(where, item)
        errors.setdefault(where, message)
    return errors


def _page(
    request: Request,
    db: Session,
    who: Principal,
    values: dict[str, str],
    people: list[dict[str, str]],
    *,
    errors: dict[str, str],
    focus: str | None = None,
    status_code: int = 200,
) -> Response:
    names = teams_service.names(db, sorted(who.team_ids))
    context = {
        "title": "Record a project",
        "values": values,
        "people": people,
        "errors": errors,
        "focus": focus,
        "teams": list(names.items()),
        "organisation_types": [
            (o.value, o.value.replace("_", " ").capitalize()) for o in OrganisationType
        ],
        "phases": [(p.value, p.value.capitalize()) for p in Phase],
        "statuses": [(s.value, s.value.replace("_", " ").capitalize()) for s in ProjectStatus],
    }
    return render(request, "capture/project.html", context, status_code=status_code)


@router.get("/capture/project")
def new_project(request: Request, db: DbSession, who: Contributor) -> Response:
    values = dict.fromkeys(PROJECT_TEXTS, "")
    return _page(request, db, who, values, [dict.fromkeys(PERSON_TEXTS, "")], errors={})


@router.post("/capture/project")
def post_project(
    request: Request, db: DbSession, who: Contributor, form: forms.PostedForm
) -> Response:
    values, people = _read(form)
    if form.get("intent") == "add_person" and len(people) < MAX_PEOPLE_ON_FORM:
        people.append(dict.fromkeys(PERSON_TEXTS, ""))
        focus = f"team_context-{len(people) - 1}-role"
        return _page(request, db, who, values, people, errors={}, focus=focus)
    try:
        payload = ProjectCreate.model_validate(_body(values, people))
        created = projects_service.create(db, who, payload, claim=None)
    except ValidationError as exc:
        return _page(request, db, who, values, people, errors=_errors(people, exc), status_code=422)
    except AppError as exc:
        if not exc.details:
            raise
        errors = {"owning_team_id": "Choose your team"}
        return _page(request, db, who, values, people, errors=errors, status_code=422)
    return RedirectResponse(f"/projects/{created.id}", status_code=303)
