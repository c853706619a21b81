"""Capture: a knowledge asset of any kind with its lessons, on one page, saved as a draft or
sent for review; and a quick form that logs one lesson on an existing asset.

The form works without JavaScript: "Add a step" and "Add a lesson" post the form back and
get it again with one more row, everything typed kept. Saving validates with the API's own
`AssetCreate` and writes through `assets_service.create`, the API's one write path.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from hindsight.schemas.assets import AssetCreate, AssetRead, AssetTransition, AssetUpdate
from hindsight.schemas.enums import (
    AssetKind,
    AssetStatus,
    Impact,
    OrganisationType,
    Phase,
    Polarity,
    RootCauseCategory,
    Visibility,
)
from hindsight.schemas.lessons import MAX_WHYS, LessonCreate, LessonFields, LessonUpdate
from hindsight.service.assets import service as assets_service
from hindsight.service.assets import workflow
from hindsight.service.auth import Principal
from hindsight.service.deps import DbSession, IdPath
from hindsight.service.errors import AppError, Conflict, NotFound, PreconditionFailed
from hindsight.service.lessons import service as lessons_service
from hindsight.service.projects import service as projects_service
from hindsight.service.teams import service as teams_service
from hindsight.service.web import capture_form as cf
from hindsight.service.web import forms
from hindsight.service.web.rendering import render
from hindsight.service.web.session import Contributor

router = APIRouter()

MAX_CHOICES = 200


def _choices(db: Session, who: Principal) -> dict[str, Any]:
    projects, _ = projects_service.list_visible(db, who, filters={}, limit=MAX_CHOICES, offset=0)
    team_ids = sorted(who.team_ids)
    if who.is_admin and not team_ids:
        teams, _ = teams_service.list_all(db, limit=MAX_CHOICES, offset=0)
        team_ids = [t.id for t in teams if t.id is not None]
    names = teams_service.names(db, team_ids)
    return {
        "projects": [(p.id, p.name) for p in projects],
        "teams": [(t, names.get(t, f"Team {t}")) for t in team_ids],
        "visibilities": [(v.value, _VISIBILITY[v]) for v in Visibility],
        "phases": [(p.value, p.value.capitalize()) for p in Phase],
        "organisation_types": [(o.value, o.value) for o in OrganisationType],
        "categories": [
            (c.value, c.value.replace("_", " ").capitalize()) for c in RootCauseCategory
        ],
        "polarities": [(p.value, _POLARITY[p]) for p in Polarity],
        "impacts": [(i.value, i.value.capitalize()) for i in Impact],
        "max_whys": MAX_WHYS,
    }


_VISIBILITY = {
    Visibility.public: "Public: anyone, also outside the organisation",
    Visibility.internal: "Internal: everyone who signs in",
    Visibility.restricted: "Restricted: only my team and the teams I name",
}
_POLARITY = {
    Polarity.success_factor: "Success factor: something to repeat",
    Polarity.barrier: "Barrier: something to avoid",
}


def _kind_or_404(kind: str) -> str:
    if kind not in cf.KINDS:
        raise NotFound(f"There is no kind of report called {kind!r}.")
    return kind


def _form_page(
    request: Request,
    db: Session,
    who: Principal,
    draft: cf.CaptureDraft,
    *,
    errors: dict[str, str],
    focus: str | None = None,
    status_code: int = 200,
    asset_id: int | None = None,
    version: str = "",
) -> Response:
    kind = draft.kind.replace("_", " ")
    context = {
        "title": f"Edit the {kind}" if asset_id else f"Record a {kind}",
        "action": f"/capture/{asset_id}/edit" if asset_id else f"/capture/new?kind={draft.kind}",
        "version": version,
        "draft": draft,
        "fields": cf.detail_fields(draft.kind),
        "errors": errors,
        "focus": focus,
        "choices": _choices(db, who),
    }
    return render(request, "capture/asset_form.html", context, status_code=status_code)


@router.get("/capture")
def choose_kind(request: Request, who: Contributor) -> Response:
    kinds = [(k.value, k.value.replace("_", " ").capitalize()) for k in AssetKind]
    return render(
        request, "capture/choose.html", {"title": "Record what you learned", "kinds": kinds}
    )


@router.get("/capture/new")
def new_asset(request: Request, db: DbSession, who: Contributor, kind: str = "") -> Response:
    if not kind:
        return RedirectResponse("/capture", status_code=303)
    draft = cf.CaptureDraft(kind=_kind_or_404(kind), values={})
    draft.values = {name: "" for name in cf.ASSET_TEXTS} | {
        part.id: "" for part in cf.detail_fields(kind)
    }
    return _form_page(request, db, who, draft, errors={})


def _grow(draft: cf.CaptureDraft, intent: str) -> str | None:
    """Applies an "add a row" button; returns the id of the field to focus, or None when
    the intent is not one of them."""
    if intent == "add_lesson" and len(draft.lessons) < cf.MAX_LESSONS_ON_FORM:
        draft.lessons.append(cf.empty_lesson())
        return f"lessons-{len(draft.lessons) - 1}-title"
    kind, _, raw = intent.partition(":")
    if not raw.isdigit() or int(raw) >= len(draft.lessons):
        return None
    index = int(raw)
    lesson = draft.lessons[index]
    if kind == "add_why" and len(lesson.whys) < MAX_WHYS:
        lesson.whys.append(("", ""))
        return f"lessons-{index}-five_whys-{len(lesson.whys) - 1}-question"
    if kind == "remove_lesson":
        del draft.lessons[index]
        return "add_lesson"
    return None


@router.post("/capture/new")
def post_asset(
    request: Request, db: DbSession, who: Contributor, form: forms.PostedForm, kind: str = ""
) -> Response:
    kind = _kind_or_404(kind)
    draft = cf.read_draft(kind, form)
    intent = str(form.get("intent") or "save")
    if intent not in ("save", "submit"):
        focus = _grow(draft, intent)
        return _form_page(request, db, who, draft, errors={}, focus=focus)
    try:
        payload = AssetCreate.model_validate(cf.to_body(draft))
    except ValidationError as exc:
        errors = cf.errors_from(draft, exc)
        return _form_page(request, db, who, draft, errors=errors, status_code=422)
    try:
        asset = assets_service.create(db, who, payload, claim=None)
    except AppError as exc:
        if not exc.details:
            raise
        errors = {
            cf.error_field(draft, tuple(d["field"].split("."))): d["message"] for d in exc.details
        }
        return _form_page(request, db, who, draft, errors=errors, status_code=exc.status_code)
    saved = "draft"
    if intent == "submit":
        move = AssetTransition(to=AssetStatus.in_review)
        workflow.transition(db, who, asset.id, move, expected_version=asset.version)
        saved = "in_review"
    return RedirectResponse(f"/assets/{asset.id}?saved={saved}", status_code=303)


def _draft_to_edit(db: Session, who: Principal, asset_id: int) -> AssetRead:
    asset = assets_service.to_read(db, assets_service.editable(db, who, asset_id))
    if asset.status is not AssetStatus.draft:
        raise Conflict(
            f"This report is {asset.status.value.replace('_', ' ')}: only drafts are edited. "
            "A reviewer sends a report in review back to draft."
        )
    return asset


@router.get("/capture/{asset_id}/edit")
def edit_asset(request: Request, asset_id: IdPath, db: DbSession, who: Contributor) -> Response:
    """A draft on the capture form again, its lessons with it: how its author answers a
    reviewer who sent it back."""
    asset = _draft_to_edit(db, who, asset_id)
    lessons, _ = lessons_service.list_visible(
        db, who, filters={"asset_id": asset_id}, limit=cf.MAX_LESSONS_ON_FORM, offset=0
    )
    draft = cf.draft_of(asset, sorted(lessons, key=lambda x: x.id))
    return _form_page(
        request, db, who, draft, errors={}, asset_id=asset_id, version=str(asset.version)
    )


def _lesson_patch(fields: LessonFields) -> LessonUpdate:
    values = fields.model_dump(mode="json")
    # None given: the lesson keeps what it has (its access follows its report unless narrowed
    # through the API; the capture form does not narrow it).
    for kept in ("root_cause", "visibility", "team_ids"):
        if values.get(kept) is None:
            values.pop(kept, None)
    return LessonUpdate.model_validate(values)


@router.post("/capture/{asset_id}/edit")
def post_edit(
    request: Request, asset_id: IdPath, db: DbSession, who: Contributor, form: forms.PostedForm
) -> Response:
    """Everything is validated first (the whole form, as on create); then the report and
    each lesson are saved through their services, each with its version check."""
    asset = _draft_to_edit(db, who, asset_id)
    draft = cf.read_draft(asset.kind.value, form)
    version = str(form.get("version") or asset.version)
    page = {"asset_id": asset_id, "version": version}
    intent = str(form.get("intent") or "save")
    if intent not in ("save", "submit"):
        focus = _grow(draft, intent)
        return _form_page(request, db, who, draft, errors={}, focus=focus, **page)
    body = cf.to_body(draft)
    try:
        payload = AssetCreate.model_validate(body)
    except ValidationError as exc:
        errors = cf.errors_from(draft, exc)
        return _form_page(request, db, who, draft, errors=errors, status_code=422, **page)
    patch = AssetUpdate.model_validate(
        {k: v for k, v in body.items() if k not in ("kind", "lessons", "owning_team_id")}
        | {"project_id": body.get("project_id")}
    )
    try:
        saved = assets_service.update_asset(
            db, who, asset_id, patch, expected_version=int(version) if version.isdigit() else 0
        )
        for held, fields in zip(draft.lessons, payload.lessons, strict=True):
            if held.lesson_id.isdigit():
                lessons_service.update_lesson(
                    db,
                    who,
                    int(held.lesson_id),
                    _lesson_patch(fields),
                    expected_version=int(held.version or 0),
                )
            else:
                create = LessonCreate.model_validate({**fields.model_dump(), "asset_id": asset_id})
                lessons_service.create(db, who, create, claim=None)
    except PreconditionFailed:
        errors = {
            "title": "Someone else changed this report while you edited it. Open it again to "
            "see their changes, then make yours."
        }
        return _form_page(request, db, who, draft, errors=errors, status_code=412, **page)
    moved = "saved"
    if intent == "submit":
        move = AssetTransition(to=AssetStatus.in_review)
        workflow.transition(db, who, asset_id, move, expected_version=saved.version)
        moved = move.to.value
    return RedirectResponse(f"/assets/{asset_id}/history?moved={moved}", status_code=303)


# The quick form: one lesson, standing alone (the person's team, internal) or on an asset of
# their team (a draft they are writing, or a published report it follows from).

QUICK_FIELDS = ("asset_id", *cf.LESSON_TEXTS)


def _editable_assets(db: Session, who: Principal) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for team_id in sorted(who.team_ids) or [None]:
        filters = {"team_id": team_id} if team_id is not None else {}
        assets, _ = assets_service.list_visible(
            db, who, filters=filters, limit=MAX_CHOICES, offset=0
        )
        found += [(a.id, a.title) for a in assets if a.status != AssetStatus.archived]
    return found


def _quick_page(
    request: Request,
    db: Session,
    who: Principal,
    draft: cf.LessonDraft,
    asset_id: str,
    *,
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = {
        "title": "Log a lesson",
        "lesson": draft,
        "asset_id": asset_id,
        "assets": _editable_assets(db, who),
        "errors": errors,
        "choices": _choices(db, who),
    }
    return render(request, "capture/quick.html", context, status_code=status_code)


@router.get("/capture/lesson")
def quick_lesson(request: Request, db: DbSession, who: Contributor, asset_id: str = "") -> Response:
    return _quick_page(request, db, who, cf.empty_lesson(), asset_id, errors={})


@router.post("/capture/lesson")
def post_quick_lesson(
    request: Request, db: DbSession, who: Contributor, form: forms.PostedForm
) -> Response:
    lesson = cf.read_lesson(form, "")
    asset_id = str(form.get("asset_id") or "")
    intent = str(form.get("intent") or "save")
    if intent == "add_why:0" and len(lesson.whys) < MAX_WHYS:
        lesson.whys.append(("", ""))
        return _quick_page(request, db, who, lesson, asset_id, errors={})
    holder = cf.CaptureDraft(kind=AssetKind.story.value, values={}, lessons=[lesson])
    body = {"asset_id": int(asset_id) if asset_id.isdigit() else None, **cf.lesson_body(lesson)}
    errors: dict[str, str] = {}
    try:
        payload = LessonCreate.model_validate(body)
    except ValidationError as exc:
        errors = _quick_errors(holder, exc)
        return _quick_page(request, db, who, lesson, asset_id, errors=errors, status_code=422)
    try:
        created = lessons_service.create(db, who, payload, claim=None)
    except AppError as exc:
        if not exc.details:
            raise
        errors = forms.from_app_error(exc)
        return _quick_page(request, db, who, lesson, asset_id, errors=errors, status_code=422)
    return RedirectResponse(f"/lessons/{created.id}?saved=lesson", status_code=303)


def _quick_errors(holder: cf.CaptureDraft, exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for item in exc.errors():
        loc = tuple(item["loc"])
        if loc[:1] == ("asset_id",):
            errors.setdefault("asset_id", "Choose one of the reports listed, or none")
            continue
        where = cf.error_field(holder, ("lessons", 0, *loc)).removeprefix("lessons-0-")
        errors.setdefault(where, cf.message_for(where, item))
    return errors
