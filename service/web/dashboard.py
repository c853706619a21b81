"""The knowledge manager's dashboard: lessons by status, the share actioned and learned,
median days to learned, overdue actions, the reuse rate, recurring root causes and the
searches that found nothing; for a team and a period, with a CSV download of the same
figures. Every figure is `metrics_service.learning`'s, counted over what the person may see.
"""

import csv
import io
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hindsight.schemas.enums import LessonStatus
from hindsight.schemas.metrics import LearningMetrics
from hindsight.service.deps import DbSession
from hindsight.service.metrics import service as metrics_service
from hindsight.service.teams import service as teams_service
from hindsight.service.web.charts import bar_chart
from hindsight.service.web.rendering import render
from hindsight.service.web.session import Viewer

router = APIRouter()

MAX_TEAMS = 200


def _filters(team_id: str, start: str, end: str) -> tuple[dict[str, object], dict[str, str]]:
    """The filters as the metrics take them, and a message per field that is not right."""
    errors: dict[str, str] = {}
    parsed: dict[str, object] = {"team_id": None, "from_date": None, "to_date": None}
    if team_id:
        if team_id.isdigit():
            parsed["team_id"] = int(team_id)
        else:
            errors["team_id"] = "Choose a team from the list"
    for name, key, raw in (("start", "from_date", start), ("end", "to_date", end)):
        if not raw:
            continue
        try:
            parsed[key] = date.fromisoformat(raw)
        except ValueError:
            errors[name] = f"Enter a real date, for example 2026-01-31 (not {raw!r})"
    start_day, end_day = parsed["from_date"], parsed["to_date"]
    if isinstance(start_day, date) and isinstance(end_day, date) and end_day < start_day:
        errors["end"] = "The end of the period must be on or after its start"
    return parsed, errors


def _percent(share: float | None) -> str:
    return "none yet" if share is None else f"{share * 100:.0f}%"


def _words(value: str) -> str:
    return value.replace("_", " ")


def _rows(m: LearningMetrics) -> list[tuple[str, str, str]]:
    """Every figure as (section, measure, value): the CSV's rows."""
    median = m.lessons.median_days_to_learned
    rows = [("Lessons", _words(status), str(n)) for status, n in m.lessons.by_status.items()]
    rows += [
        ("Lessons", "total", str(m.lessons.total)),
        ("Lessons", "share actioned or learned", _percent(m.lessons.actioned_share)),
        ("Lessons", "share learned", _percent(m.lessons.learned_share)),
        ("Lessons", "median days to learned", "" if median is None else f"{median:g}"),
        ("Actions", "open", str(m.actions.open)),
        ("Actions", "overdue", str(m.actions.overdue)),
        ("Reuse", "lessons applied or adapted at least once", _percent(m.reuse_rate)),
    ]
    outcomes = m.applications.by_outcome.items()
    rows += [("Applications", f"outcome {_words(k)}", str(v)) for k, v in outcomes]
    for cause in m.recurring_root_causes:
        counted = f"{cause.lessons} lessons, {cause.projects} projects"
        rows.append(("Recurring root causes", _words(cause.category), counted))
    rows += [
        ("Searches", "total", str(m.searches.total)),
        ("Searches", "found nothing", str(m.searches.zero_results)),
    ]
    for q in m.searches.top_zero_result_queries:
        rows.append(("Searches that found nothing", q.query, str(q.count)))
    return rows


@router.get("/dashboard")
def dashboard(
    request: Request, db: DbSession, who: Viewer, team_id: str = "", start: str = "", end: str = ""
) -> Response:
    teams, _ = teams_service.list_all(db, limit=MAX_TEAMS, offset=0)
    filters, errors = _filters(team_id, start, end)
    context: dict[str, object] = {
        "title": "How learning is going",
        "teams": [(t.id, t.name) for t in teams],
        "team_id": team_id,
        "start": start,
        "end": end,
        "errors": errors,
    }
    if errors:
        return render(request, "dashboard/page.html", context, status_code=422)
    m = metrics_service.learning(db, who, **filters)  # type: ignore[arg-type]
    statuses = [
        (_words(s.value).capitalize(), m.lessons.by_status.get(s.value, 0)) for s in LessonStatus
    ]
    causes = [(_words(r.category).capitalize(), r.projects) for r in m.recurring_root_causes]
    title = "Recurring root causes, by projects naming them"
    context |= {
        "m": m,
        "percent": _percent,
        "status_chart": bar_chart("chart-status", "Lessons by status", statuses),
        "cause_chart": bar_chart("chart-causes", title, causes, unit=" projects"),
        "csv_query": request.url.query,
    }
    return render(request, "dashboard/page.html", context)


@router.get("/dashboard.csv")
def dashboard_csv(
    db: DbSession, who: Viewer, team_id: str = "", start: str = "", end: str = ""
) -> Response:
    filters, errors = _filters(team_id, start, end)
    if errors:
        message = "; ".join(errors.values())
        return Response(message, status_code=422, media_type="text/plain; charset=utf-8")
    m = metrics_service.learning(db, who, **filters)  # type: ignore[arg-type]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "measure", "value"])
    for section, measure, value in _rows(m):
        # A cell starting with = + - @ would be a formula in a spreadsheet: a search as
        # typed by anyone must stay text.
        writer.writerow([_cell(section), _cell(measure), _cell(value)])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="hindsight-dashboard.csv"'},
    )


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
