"""Acting on a lesson: its lifecycle moves, its actions (created, assigned, given a due date,
done with evidence) and its applications (whether it helped a later project); "My actions";
and a team's overdue actions.

Every write goes through the API's service (lifecycle.transition, actions_service,
applications_service), so the rules and their checks are the API's; their messages are shown
beside the field they are about.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from hindsight.schemas.actions import ActionCreate, ActionRead, ActionUpdate
from hindsight.schemas.applications import ApplicationCreate, ApplicationUpdate
from hindsight.schemas.enums import ActionStatus, Decision, LessonStatus, Outcome
from hindsight.schemas.lessons import LessonTransition
from hindsight.service.actions import service as actions_service
from hindsight.service.applications import service as applications_service
from hindsight.service.auth import Principal
from hindsight.service.deps import DbSession, IdPath
from hindsight.service.errors import AppError
from hindsight.service.lessons import lifecycle
from hindsight.service.lessons import service as lessons_service
from hindsight.service.projects import service as projects_service
from hindsight.service.teams import service as teams_service
from hindsight.service.users import service as users_service
from hindsight.service.web import forms
from hindsight.service.web.rendering import render
from hindsight.service.web.session import Viewer

router = APIRouter()

FormText = Annotated[str, Form()]
MAX_LISTED = 200

_STATUS_WORDS = {
    LessonStatus.identified: "Identified: back to the start",
    LessonStatus.action_planned: "Action planned: an action is agreed",
    LessonStatus.actioned: "Actioned: every action is finished",
    LessonStatus.learned: "Learned: something changed, and you can show it",
    LessonStatus.not_actioned: "Not actioned: it will not be acted on",
}
_OUTCOME_WORDS = {
    Outcome.pending: "Not known yet",
    Outcome.helped: "It helped",
    Outcome.no_effect: "It made no difference",
    Outcome.hindered: "It made things worse",
}
_DECISION_WORDS = {
    Decision.apply: "Applied as it is",
    Decision.adapt: "Adapted to the project",
    Decision.not_applicable: "Not applicable",
}


def _lifecycle_message(exc: AppError, to: str) -> str:
    """The service's reasons name API calls; a page says what to do on the page."""
    text = exc.message
    if "planning needs an open action" in text:
        return "Add an action below first: a lesson is planned once an open action exists."
    return text[:1].upper() + text[1:] + "."


def _people(db: Session) -> list[tuple[int, str]]:
    users, _ = users_service.list_all(db, limit=MAX_LISTED, offset=0)
    return [(u.id, u.name) for u in users if u.is_active and u.id is not None]


def _act_page(
    request: Request,
    db: Session,
    who: Principal,
    lesson_id: int,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    lesson = lessons_service.to_read(db, lessons_service.get_visible(db, who, lesson_id))
    actions, _ = actions_service.list_visible(
        db, who, filters={"lesson_id": lesson_id}, limit=MAX_LISTED, offset=0
    )
    applications, _ = applications_service.list_visible(
        db, who, filters={"lesson_id": lesson_id}, limit=MAX_LISTED, offset=0
    )
    projects, _ = projects_service.list_visible(db, who, filters={}, limit=MAX_LISTED, offset=0)
    names = {p.id: p.name for p in projects}
    context = {
        "title": f"Act on: {lesson.title}",
        "lesson": lesson,
        "moves": [(s.value, _STATUS_WORDS[s]) for s in lifecycle.ALLOWED[lesson.status]],
        "actions": actions,
        "applications": [a for a in applications if a.project_id in names],
        "project_names": names,
        "projects": list(names.items()),
        "people": _people(db),
        "statuses": [(s.value, s.value.replace("_", " ").capitalize()) for s in ActionStatus],
        "decisions": [(d.value, _DECISION_WORDS[d]) for d in Decision],
        "outcomes": [(o.value, _OUTCOME_WORDS[o]) for o in Outcome],
        "errors": errors or {},
        "typed": typed or {},
        "done": request.query_params.get("done"),
    }
    return render(request, "act/lesson.html", context, status_code=status_code)


@router.get("/lessons/{lesson_id}/act")
def act_page(request: Request, lesson_id: IdPath, db: DbSession, who: Viewer) -> Response:
    return _act_page(request, db, who, lesson_id)


def _back(lesson_id: int, done: str, anchor: str) -> RedirectResponse:
    return RedirectResponse(f"/lessons/{lesson_id}/act?done={done}#{anchor}", status_code=303)


@router.post("/lessons/{lesson_id}/move")
def move_lesson(
    request: Request,
    lesson_id: IdPath,
    db: DbSession,
    who: Viewer,
    to: FormText = "",
    reason: FormText = "",
    evidence_of_change: FormText = "",
    version: FormText = "",
) -> Response:
    typed = {"to": to, "reason": reason, "evidence_of_change": evidence_of_change}
    if not to:
        errors = {"to": "Choose where the lesson moves to"}
        return _act_page(request, db, who, lesson_id, errors=errors, typed=typed, status_code=422)
    try:
        move = forms.parse(
            LessonTransition,
            {"to": to, "reason": reason, "evidence_of_change": evidence_of_change},
        )
    except ValidationError as exc:
        errors = forms.from_validation(exc)
        return _act_page(request, db, who, lesson_id, errors=errors, typed=typed, status_code=422)
    if not version.isdigit():
        version = str(lessons_service.get_visible(db, who, lesson_id).version)
    try:
        lifecycle.transition(db, who, lesson_id, move, expected_version=int(version))
    except AppError as exc:
        if exc.status_code == 403:
            raise
        field = "to"
        if move.to is LessonStatus.learned and "evidence_of_change" in exc.message:
            field = "evidence_of_change"
        elif move.to is LessonStatus.not_actioned and "reason" in exc.message:
            field = "reason"
        errors = {field: _lifecycle_message(exc, to)}
        return _act_page(
            request, db, who, lesson_id, errors=errors, typed=typed, status_code=exc.status_code
        )
    return _back(lesson_id, "moved", "status")


def _owner(db: Session, owner_user_id: str, owner_name: str) -> dict[str, Any]:
    """A chosen person is the owner by name too; a name alone is someone without an account."""
    if owner_user_id.isdigit():
        user_id = int(owner_user_id)
        named = dict(_people(db)).get(user_id)
        return {"owner_user_id": user_id, "owner_name": owner_name or named or ""}
    return {"owner_name": owner_name}


_ACTION_MESSAGES = {
    "title": "Enter what will be done",
    "owner_name": "Choose the person who will do it, or type their name",
    "due_date": "Enter the date it is due, for example 2027-03-31",
}


@router.post("/lessons/{lesson_id}/actions")
def add_action(
    request: Request,
    lesson_id: IdPath,
    db: DbSession,
    who: Viewer,
    title: FormText = "",
    description: FormText = "",
    owner_user_id: FormText = "",
    owner_name: FormText = "",
    due_date: FormText = "",
) -> Response:
    typed = {
        "title": title,
        "description": description,
        "owner_user_id": owner_user_id,
        "owner_name": owner_name,
        "due_date": due_date,
    }
    body = {
        "lesson_id": lesson_id,
        "title": title,
        "description": description,
        "due_date": due_date,
        **_owner(db, owner_user_id, owner_name),
    }
    try:
        payload = forms.parse(ActionCreate, body)
        actions_service.create(db, who, payload, claim=None)
    except (ValidationError, AppError) as exc:
        errors = forms.field_errors(exc, _ACTION_MESSAGES)
        return _act_page(request, db, who, lesson_id, errors=errors, typed=typed, status_code=422)
    return _back(lesson_id, "action", "actions")


@router.post("/actions/{action_id}/progress")
def action_progress(
    request: Request,
    action_id: IdPath,
    db: DbSession,
    who: Viewer,
    form: forms.PostedForm,
    version: FormText = "",
    back: FormText = "",
) -> Response:
    """The status of an action, and the evidence it needs when done; from the lesson's act
    page or from "My actions" (`back`). Its fields are named after the action (a page holds
    many), `action-<id>-status` and `action-<id>-evidence`."""
    status = str(form.get(f"action-{action_id}-status") or "")
    evidence = str(form.get(f"action-{action_id}-evidence") or "")
    action = actions_service.get_visible(db, who, action_id)
    prefix = f"action-{action_id}-"
    errors: dict[str, str] = {}
    try:
        patch = forms.parse(ActionUpdate, {"status": status, "evidence": evidence})
        actions_service.update_action(
            db, who, action_id, patch, expected_version=int(version or action.version)
        )
    except ValidationError:
        errors = {prefix + "status": "Choose the action's status"}
    except AppError as exc:
        if exc.status_code == 403:
            raise
        name = (
            "evidence" if any(d.get("field") == "body.evidence" for d in exc.details) else "status"
        )
        text = exc.message
        if name == "evidence":
            text = "Say what was done and where it can be seen: an action is done with evidence"
        errors = {prefix + name: text}
    typed = {prefix + "status": status, prefix + "evidence": evidence}
    if errors and back == "mine":
        return _mine_page(request, db, who, errors=errors, typed=typed, status_code=422)
    if errors:
        return _act_page(
            request, db, who, action.lesson_id, errors=errors, typed=typed, status_code=422
        )
    if back == "mine":
        return RedirectResponse("/actions/mine?done=progress", status_code=303)
    return _back(action.lesson_id, "progress", f"action-{action_id}")


@router.post("/lessons/{lesson_id}/applications")
def add_application(
    request: Request,
    lesson_id: IdPath,
    db: DbSession,
    who: Viewer,
    project_id: FormText = "",
    decision: FormText = "",
    note: FormText = "",
    outcome: FormText = "",
    outcome_note: FormText = "",
) -> Response:
    typed = {
        "project_id": project_id,
        "decision": decision,
        "note": note,
        "outcome": outcome,
        "outcome_note": outcome_note,
    }
    body = {"lesson_id": lesson_id, **typed}
    messages = {"project_id": "Choose the project", "decision": "Choose what the project decided"}
    try:
        payload = forms.parse(ApplicationCreate, body)
        applications_service.create(db, who, payload, claim=None)
    except (ValidationError, AppError) as exc:
        errors = forms.field_errors(exc, messages)
        return _act_page(request, db, who, lesson_id, errors=errors, typed=typed, status_code=422)
    return _back(lesson_id, "application", "applications")


@router.post("/applications/{application_id}/outcome")
def application_outcome(
    request: Request,
    application_id: IdPath,
    db: DbSession,
    who: Viewer,
    form: forms.PostedForm,
    version: FormText = "",
) -> Response:
    """Months later: whether the lesson helped. Fields named `application-<id>-outcome` and
    `application-<id>-outcome_note`, one pair per application on the page."""
    outcome = str(form.get(f"application-{application_id}-outcome") or "")
    outcome_note = str(form.get(f"application-{application_id}-outcome_note") or "")
    found = applications_service.get_visible(db, who, application_id)
    prefix = f"application-{application_id}-"
    try:
        patch = forms.parse(ApplicationUpdate, {"outcome": outcome, "outcome_note": outcome_note})
        applications_service.update_application(
            db, who, application_id, patch, expected_version=int(version or found.version)
        )
    except (ValidationError, AppError) as exc:
        if isinstance(exc, AppError) and exc.status_code == 403:
            raise
        text = exc.message if isinstance(exc, AppError) else "Choose how it worked out"
        typed = {prefix + "outcome": outcome, prefix + "outcome_note": outcome_note}
        return _act_page(
            request,
            db,
            who,
            found.lesson_id,
            errors={prefix + "outcome": text},
            typed=typed,
            status_code=422,
        )
    return _back(found.lesson_id, "outcome", f"application-{application_id}")


def _mine_page(
    request: Request,
    db: Session,
    who: Principal,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    actions, _ = actions_service.list_visible(
        db, who, filters={"owner_user_id": who.user_id}, limit=MAX_LISTED, offset=0
    )
    lessons = lessons_service.visible_reads(db, who, sorted({a.lesson_id for a in actions}))
    context = {
        "title": "My actions",
        "open": [a for a in actions if a.status in actions_service.OPEN],
        "finished": [a for a in actions if a.status not in actions_service.OPEN],
        "lessons": lessons,
        "statuses": [(s.value, s.value.replace("_", " ").capitalize()) for s in ActionStatus],
        "errors": errors or {},
        "typed": typed or {},
        "done": request.query_params.get("done"),
    }
    return render(request, "act/mine.html", context, status_code=status_code)


@router.get("/actions/mine")
def my_actions(request: Request, db: DbSession, who: Viewer) -> Response:
    return _mine_page(request, db, who)


@router.get("/actions/overdue")
def overdue(request: Request, db: DbSession, who: Viewer, team_id: str = "") -> Response:
    """A team's overdue actions: those on the team's lessons, soonest due first."""
    teams, _ = teams_service.list_all(db, limit=MAX_LISTED, offset=0)
    choices = [(t.id, t.name) for t in teams if t.id is not None]
    chosen = int(team_id) if team_id.isdigit() else (min(who.team_ids) if who.team_ids else None)
    actions: list[ActionRead] = []
    if chosen is not None:
        actions, _ = actions_service.list_visible(
            db, who, filters={"overdue": True, "team_id": chosen}, limit=MAX_LISTED, offset=0
        )
    lessons = lessons_service.visible_reads(db, who, sorted({a.lesson_id for a in actions}))
    context = {
        "title": "Overdue actions",
        "teams": choices,
        "team_id": chosen,
        "team_name": dict(choices).get(chosen or 0, ""),
        "actions": actions,
        "lessons": lessons,
    }
    return render(request, "act/overdue.html", context)
