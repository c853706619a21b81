"""The pre-project review: a team describes its project and gets the lessons, reports,
open actions and people most relevant to it; it records a decision on each lesson (apply,
adapt, not applicable, with a note). Each review is stored at its own address, to come
back to and to print for a project board."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from hindsight.schemas.due_diligence import DecisionCreate, DueDiligenceCreate, DueDiligenceRead
from hindsight.schemas.enums import Decision, OrganisationType, Phase, Role
from hindsight.service.applications import service as applications_service
from hindsight.service.auth import Principal
from hindsight.service.deps import DbSession, IdPath
from hindsight.service.due_diligence import service as due_diligence_service
from hindsight.service.errors import AppError
from hindsight.service.projects import service as projects_service
from hindsight.service.search.runtime import SearchRuntimeDep
from hindsight.service.web import forms
from hindsight.service.web.rendering import render, words
from hindsight.service.web.session import Contributor, Viewer

router = APIRouter()

FormText = Annotated[str, Form()]
MAX_PROJECTS = 100
_FIELDS = ("title", "description", "project_id", "phase", "topics", "organisation_type")
_MESSAGES = {
    "title": "Enter a name for the project",
    "description": "Describe the project: what it will do, for whom, and how",
    "project_id": "Choose a project from the list",
}
DECISIONS = [
    (Decision.apply.value, "Apply it as it is"),
    (Decision.adapt.value, "Adapt it to our project"),
    (Decision.not_applicable.value, "Not applicable to us"),
]


def _form_page(
    request: Request,
    db: Session,
    who: Principal,
    values: dict[str, str],
    errors: forms.FieldErrors,
    *,
    status_code: int = 200,
) -> Response:
    projects, _ = projects_service.list_visible(db, who, filters={}, limit=MAX_PROJECTS, offset=0)
    context = {
        "title": "Before you start a project",
        "values": values,
        "errors": {k: errors[k] for k in _FIELDS if k in errors},
        "projects": [(p.id, p.name) for p in projects],
        "phases": [(p.value, words(p)) for p in Phase],
        "organisation_types": [(o.value, words(o)) for o in OrganisationType],
    }
    return render(request, "review_new.html", context, status_code=status_code)


@router.get("/reviews/new")
def new_review(request: Request, db: DbSession, who: Viewer, project_id: str = "") -> Response:
    values = dict.fromkeys(_FIELDS, "") | {"project_id": project_id}
    return _form_page(request, db, who, values, {})


@router.post("/reviews")
def run_review(
    request: Request,
    db: DbSession,
    who: Viewer,
    runtime: SearchRuntimeDep,
    title: FormText = "",
    description: FormText = "",
    project_id: FormText = "",
    phase: FormText = "",
    topics: FormText = "",
    organisation_type: FormText = "",
) -> Response:
    """Runs the API's use case on the form; any role may (API.md "Due diligence")."""
    values = {
        "title": title,
        "description": description,
        "project_id": project_id,
        "phase": phase,
        "topics": topics,
        "organisation_type": organisation_type,
    }
    data: dict[str, Any] = {**values, "topics": [t for t in topics.split(",") if t.strip()]}
    try:
        payload = forms.parse(DueDiligenceCreate, data)
        check = due_diligence_service.run(
            db, who, runtime.backend, runtime.log, payload, claim=None
        )
    except ValidationError as exc:
        errors = forms.from_validation(exc, _MESSAGES)
        return _form_page(request, db, who, values, errors, status_code=422)
    except AppError as exc:
        errors = forms.from_app_error(exc) or {"description": exc.message}
        return _form_page(request, db, who, values, errors, status_code=exc.status_code)
    return RedirectResponse(f"/reviews/{check.id}", status_code=303)


def _review_page(
    request: Request,
    db: Session,
    who: Principal,
    check: DueDiligenceRead,
    *,
    errors: forms.FieldErrors | None = None,
    sent: dict[str, str] | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    recorded, _ = applications_service.list_visible(
        db, who, filters={"due_diligence_id": check.id}, limit=100, offset=0
    )
    decided = {a.lesson_id: a for a in recorded}
    project = None
    if check.project_id is not None:
        project = projects_service.visible_reads(db, who, [check.project_id]).get(check.project_id)
    context = {
        "title": f"Pre-project review: {check.title}",
        "check": check,
        "project": project,
        "decided": decided,
        "decisions": DECISIONS,
        "can_decide": who.has_role(Role.contributor) and check.project_id is not None,
        "errors": errors or {},
        "sent": sent or {},
        "saved": saved,
    }
    return render(request, "review.html", context, status_code=status_code)


@router.get("/reviews/{check_id}")
def review_page(
    request: Request, check_id: IdPath, db: DbSession, who: Viewer, saved: bool = False
) -> Response:
    check = due_diligence_service.get(db, who, check_id)
    return _review_page(request, db, who, check, saved=saved)


@router.get("/reviews")
def reviews_list(request: Request, db: DbSession, who: Viewer) -> Response:
    reviews, total = due_diligence_service.list_visible(
        db, who, project_id=None, limit=50, offset=0
    )
    context = {"title": "Pre-project reviews", "reviews": reviews, "total": total}
    return render(request, "reviews.html", context)


def _decisions(
    check: DueDiligenceRead, sent: dict[str, str]
) -> tuple[list[DecisionCreate], forms.FieldErrors]:
    """One decision per lesson given one; a note without a decision is a mistake to point
    at, not to drop."""
    chosen: list[DecisionCreate] = []
    errors: forms.FieldErrors = {}
    for result in check.results.lessons:
        lesson_id = result.lesson.id
        decision, note = sent.get(f"decision-{lesson_id}", ""), sent.get(f"note-{lesson_id}", "")
        if not decision:
            if note.strip():
                errors[f"decision-{lesson_id}"] = (
                    f"Choose apply, adapt or not applicable for “{result.lesson.title}”"
                )
            continue
        try:
            chosen.append(
                DecisionCreate(lesson_id=lesson_id, decision=decision, note=note)  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            for item in exc.errors():
                field = "decision" if item["loc"][0] == "decision" else "note"
                errors.setdefault(f"{field}-{lesson_id}", item["msg"])
    if not chosen and not errors:
        first = check.results.lessons[0].lesson.id if check.results.lessons else 0
        errors[f"decision-{first}"] = "Choose a decision for at least one lesson"
    return chosen, errors


@router.post("/reviews/{check_id}/decisions")
def record_decisions(
    request: Request, check_id: IdPath, db: DbSession, who: Contributor, form: forms.PostedForm
) -> Response:
    """Decisions need a contributor (API.md "Due diligence"); the service checks the rest
    (the project's team, a lesson the person can see)."""
    sent = {k: v for k, v in form.items() if isinstance(v, str)}
    check = due_diligence_service.get(db, who, check_id)
    chosen, errors = _decisions(check, sent)
    status = 422
    if not errors:
        try:
            due_diligence_service.decide(db, who, check_id, chosen)
        except AppError as exc:
            errors, status = {"decisions": exc.message}, exc.status_code
    if errors:
        return _review_page(request, db, who, check, errors=errors, sent=sent, status_code=status)
    return RedirectResponse(f"/reviews/{check_id}?saved=true#decisions", status_code=303)
