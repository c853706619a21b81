"""The search page: results with their marked snippets, facets as filter links with counts,
did-you-mean, paging and sort, every choice in the URL so that a search can be shared.

And `/search/suggest`, the search box's completions for the page's script: a read, so a
session may ask it (API tokens go to /v1/search/suggest).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from hindsight.schemas.enums import AssetKind, Polarity, RootCauseCategory
from hindsight.search.base import SearchFilters
from hindsight.service.errors import AppError
from hindsight.service.search import service as search_service
from hindsight.service.search.runtime import SearchRuntimeDep
from hindsight.service.search.scope import scope_for
from hindsight.service.web.forms import from_app_error
from hindsight.service.web.rendering import render
from hindsight.service.web.session import Viewer

router = APIRouter()

PAGE_SIZE = 20
MAX_PAGE = search_service.MAX_OFFSET // PAGE_SIZE + 1
# Facet (as the backends name it) -> the URL parameter that filters by it, and its heading.
FACETS: dict[str, tuple[str, str]] = {
    "type": ("type", "Type"),
    "kind": ("kind", "Kind of report"),
    "polarity": ("polarity", "Lesson"),
    "status": ("status", "Status"),
    "topics": ("topic", "Topic"),
    "tags": ("tag", "Tag"),
    "root_cause_category": ("root_cause_category", "Root cause"),
    "year": ("year", "Year"),
}
FACETS_BY_PARAM = {param: heading for param, heading in FACETS.values()}
_TYPES = ("lesson", "asset", "project")
_CHOICES: dict[str, tuple[str, ...]] = {
    "type": _TYPES,
    "kind": tuple(k.value for k in AssetKind),
    "polarity": tuple(p.value for p in Polarity),
    "root_cause_category": tuple(c.value for c in RootCauseCategory),
}
_SORTS = {"relevance": "Best match", "newest": "Newest"}
Param = Annotated[str, Query(max_length=100)]


@dataclass(frozen=True)
class Filter:
    param: str
    heading: str
    value: str


def _filters(params: dict[str, str]) -> tuple[SearchFilters, list[str]]:
    """The search filters in the URL, and a message per value that cannot be one."""
    problems = []
    for name, allowed in _CHOICES.items():
        if params.get(name) and params[name] not in allowed:
            problems.append(f"There is no {FACETS_BY_PARAM[name].lower()} “{params[name]}”.")
            params[name] = ""
    created_from = created_to = None
    if params.get("year"):
        year = params["year"]
        if year.isdigit() and 1900 <= int(year) <= 2200:
            created_from = datetime(int(year), 1, 1, tzinfo=UTC)
            created_to = datetime(int(year), 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
        else:
            problems.append(f"“{year}” is not a year.")
            params["year"] = ""
    filters = SearchFilters(
        type=params.get("type") or None,  # type: ignore[arg-type]
        kind=params.get("kind") or None,
        topic=" ".join(params.get("topic", "").split()).lower() or None,
        tag=" ".join(params.get("tag", "").split()).lower() or None,
        polarity=params.get("polarity") or None,
        status=params.get("status") or None,
        root_cause_category=params.get("root_cause_category") or None,
        created_from=created_from,
        created_to=created_to,
    )
    return filters, problems


@router.get("/search")
def search_page(
    request: Request,
    who: Viewer,
    runtime: SearchRuntimeDep,
    q: str = "",
    type: Param = "",
    kind: Param = "",
    topic: Param = "",
    tag: Param = "",
    polarity: Param = "",
    status: Param = "",
    root_cause_category: Param = "",
    year: Param = "",
    sort: Param = "relevance",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    params = {
        "q": q.strip(),
        "type": type,
        "kind": kind,
        "topic": topic,
        "tag": tag,
        "polarity": polarity,
        "status": status,
        "root_cause_category": root_cause_category,
        "year": year,
        "sort": sort if sort in _SORTS and sort != "relevance" else "",
    }
    filters, problems = _filters(params)
    context: dict[str, Any] = {
        "title": f"Search results for {params['q']}" if params["q"] else "Search",
        "q": params["q"],
        "params": params,
        "problems": problems,
        "sorts": _SORTS,
        "sort": params["sort"] or "relevance",
        "facet_names": FACETS,
        "active": [
            Filter(param, heading, params[param])
            for param, heading in FACETS.values()
            if params.get(param)
        ],
        "page_number": page,
        "page_size": PAGE_SIZE,
    }
    try:
        found = search_service.search(
            runtime.backend,
            runtime.log,
            who,
            q=params["q"],
            filters=filters,
            sort=context["sort"],
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    except AppError as exc:
        # A query the engine cannot read is the person's to fix: say so on the same page.
        errors = from_app_error(exc) or {"q": exc.message}
        context |= {"errors": {"q": next(iter(errors.values()))}, "found": None}
        return render(request, "search.html", context, status_code=exc.status_code)
    last_page = max(1, min(MAX_PAGE, -(-found.total // PAGE_SIZE)))
    context |= {"found": found, "last_page": last_page, "errors": {}}
    return render(request, "search.html", context)


@router.get("/search/suggest")
def suggest(
    who: Viewer,
    runtime: SearchRuntimeDep,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """Completions from the titles and words the signed-in person may see."""
    suggestions = runtime.backend.suggest(q, scope_for(who), limit=8) if q.strip() else []
    return JSONResponse({"suggestions": suggestions})
