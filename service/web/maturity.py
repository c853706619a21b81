"""The knowledge-management maturity self-assessment as pages: a team scores itself on a
framework (each sub-outcome with its level descriptors: the score now and the target in a
year, the evidence, whether it is a priority, the actions), sees an assessment's chart with
the live evidence figures beside its self-scores, and follows its progress over time.

Scores are checked by `maturity.service.create` (scoring.check), as the API's are.
"""

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from hindsight.schemas.maturity import AssessmentCreate
from hindsight.service.auth import Principal
from hindsight.service.deps import DbSession, IdPath
from hindsight.service.errors import AppError, NotFound
from hindsight.service.maturity import framework_service, progress, reports
from hindsight.service.maturity import service as assessments_service
from hindsight.service.teams import service as teams_service
from hindsight.service.web import forms
from hindsight.service.web.charts import bar_chart
from hindsight.service.web.rendering import render
from hindsight.service.web.session import Viewer

router = APIRouter()

MAX_LISTED = 100


def _team_choices(db: Session, who: Principal) -> list[tuple[int, str]]:
    teams, _ = teams_service.list_all(db, limit=MAX_LISTED, offset=0)
    return [
        (t.id, t.name) for t in teams if t.id is not None and (who.is_admin or who.in_team(t.id))
    ]


def _team(who: Principal, choices: list[tuple[int, str]], raw: str) -> int | None:
    if raw.isdigit() and int(raw) in dict(choices):
        return int(raw)
    return choices[0][0] if choices else None


@router.get("/maturity")
def maturity_home(request: Request, db: DbSession, who: Viewer, team_id: str = "") -> Response:
    choices = _team_choices(db, who)
    chosen = _team(who, choices, team_id)
    frameworks, _ = framework_service.list_all(
        db, key=None, latest_only=True, limit=MAX_LISTED, offset=0
    )
    context: dict[str, Any] = {
        "title": "Knowledge management maturity",
        "teams": choices,
        "team_id": chosen,
        "frameworks": frameworks,
        "assessments": [],
        "progress": None,
        "progress_chart": "",
    }
    if chosen is not None:
        found, _ = assessments_service.list_visible(
            db, who, team_id=chosen, framework_id=None, limit=MAX_LISTED, offset=0
        )
        team_progress = progress.team_progress(db, who, chosen, framework_key=None)
        bars = [(p.assessed_at.date().isoformat(), p.mean_current) for p in team_progress.overall]
        context |= {
            "assessments": found,
            "progress": team_progress,
            "progress_chart": bar_chart(
                "chart-progress", "Mean score now, assessment by assessment", bars
            )
            if bars
            else "",
        }
    return render(request, "maturity/home.html", context)


def _form_page(
    request: Request,
    db: Session,
    who: Principal,
    framework_id: int,
    team_id: int,
    *,
    typed: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    framework = framework_service.read(db, framework_service.get(db, framework_id))
    context = {
        "title": f"Score your team: {framework.name}",
        "framework": framework,
        "levels": [(str(lv.level), f"{lv.level}: {lv.label}") for lv in framework.levels],
        "team_id": team_id,
        "team_name": assessments_service.team_name(db, team_id),
        "typed": typed,
        "errors": errors,
        "today": date.today().isoformat(),
    }
    return render(request, "maturity/form.html", context, status_code=status_code)


@router.get("/maturity/new")
def new_assessment(
    request: Request, db: DbSession, who: Viewer, framework_id: int, team_id: int
) -> Response:
    if team_id not in dict(_team_choices(db, who)):
        raise NotFound(f"there is no team {team_id} you can assess")
    return _form_page(request, db, who, framework_id, team_id, typed={}, errors={})


def _score_key(field: str, keys: list[str]) -> str:
    """`body.scores[3].current` -> "score-<key of the 4th sub-outcome>-current"."""
    tail = field.removeprefix("body.").removeprefix("scores")
    if tail.startswith("[") and "]" in tail:
        index = int(tail[1 : tail.index("]")])
        part = tail[tail.index("]") + 1 :].lstrip(".") or "current"
        if index < len(keys):
            return f"score-{keys[index]}-{part}"
    return "assessed_at"


@router.post("/maturity/new")
def post_assessment(
    request: Request, db: DbSession, who: Viewer, form: forms.PostedForm
) -> Response:
    framework_id = int(str(form.get("framework_id") or 0) or 0)
    team_id = int(str(form.get("team_id") or 0) or 0)
    framework = framework_service.read(db, framework_service.get(db, framework_id))
    keys = [sub.key for outcome in framework.outcomes for sub in outcome.sub_outcomes]
    typed: dict[str, Any] = {name: form.get(name) for name in form}
    scores = []
    for key in keys:
        p = f"score-{key}-"
        actions = str(form.get(p + "actions") or "")
        score: dict[str, Any] = {
            "sub_outcome_key": key,
            "evidence": str(form.get(p + "evidence") or "").strip(),
            "priority": form.get(p + "priority") == "yes",
            "actions": [line.strip() for line in actions.splitlines() if line.strip()],
        }
        for part in ("current", "target"):
            raw = str(form.get(p + part) or "")
            if raw:
                score[part] = int(raw) if raw.isdigit() else raw
        scores.append(score)
    body = {
        "framework_id": framework_id,
        "team_id": team_id,
        "assessed_at": str(form.get("assessed_at") or ""),
        "notes": str(form.get("notes") or ""),
        "scores": scores,
    }
    errors: dict[str, str] = {}
    try:
        payload = AssessmentCreate.model_validate(body)
        created = assessments_service.create(db, who, payload, claim=None)
    except ValidationError as exc:
        for item in exc.errors():
            loc = [str(p) for p in item["loc"]]
            if loc[:1] == ["scores"] and len(loc) >= 3:
                where = _score_key(f"scores[{loc[1]}].{loc[2]}", keys)
                message = "Choose a level" if loc[2] in ("current", "target") else item["msg"]
            else:
                where = loc[0] if loc else "assessed_at"
                message = "Enter the date of the assessment, for example 2026-03-31"
            errors.setdefault(where, message)
    except AppError as exc:
        if exc.status_code == 403 or not exc.details:
            raise
        for detail in exc.details:
            where = _score_key(detail["field"], keys)
            message = detail["message"]
            if detail["field"] == "body.scores":
                where = f"score-{keys[0]}-current"
            errors.setdefault(where, message[:1].upper() + message[1:])
    if errors:
        return _form_page(
            request, db, who, framework_id, team_id, typed=typed, errors=errors, status_code=422
        )
    return RedirectResponse(f"/maturity/{created.id}", status_code=303)


@router.get("/maturity/{assessment_id}")
def assessment_page(
    request: Request, assessment_id: IdPath, db: DbSession, who: Viewer
) -> Response:
    """An assessment: the chart (drawn by maturity/chart.py with xml.etree, which escapes
    every label), each self-score with its evidence and the live figures beside it."""
    assessment = assessments_service.get_visible(db, who, assessment_id)
    read = assessments_service.read(db, who, assessment, with_evidence=True)
    _, doc = assessments_service.framework_of(db, assessment)
    titles = {sub.key: sub.title for outcome in doc.outcomes for sub in outcome.sub_outcomes}
    labels = {lv.level: lv.label for lv in doc.levels}
    context = {
        "title": "Maturity assessment",
        "assessment": read,
        "team_name": assessments_service.team_name(db, assessment.team_id),
        "chart": reports.chart_svg(db, who, assessment_id),
        "titles": titles,
        "labels": labels,
        "outcome_titles": {o.key: o.title for o in doc.outcomes},
    }
    return render(request, "maturity/assessment.html", context)
