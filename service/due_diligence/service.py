"""Due diligence: a project's description in; the lessons, assets, open actions and people
worth talking to out, ranked and explained; the check stored with exactly what it showed.

The steps: the key terms of the text (`terms`), one weighted OR query per item type over
those terms only, inside the caller's access scope (`SearchBackend.weighted_search`), the
candidates reranked and explained (`results`), then the open actions on the shown lessons
and the people behind the top results.
"""

from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from hindsight.schemas.applications import ApplicationRead
from hindsight.schemas.due_diligence import (
    CheckedBy,
    DecisionCreate,
    DueDiligenceCreate,
    DueDiligenceRead,
    DueDiligenceResults,
    KeyTermRead,
)
from hindsight.schemas.enums import WebhookEvent
from hindsight.search.base import SearchBackend
from hindsight.service import idempotency
from hindsight.service.actions import service as actions_service
from hindsight.service.applications import service as applications_service
from hindsight.service.assets import service as assets_service
from hindsight.service.auth import Principal
from hindsight.service.due_diligence import access, ranking
from hindsight.service.due_diligence import results as shown
from hindsight.service.due_diligence.models import DueDiligenceCheck
from hindsight.service.due_diligence.terms import key_terms
from hindsight.service.errors import Conflict, NotFound, ValidationFailed
from hindsight.service.events import service as events
from hindsight.service.lessons import service as lessons_service
from hindsight.service.pagination import fetch_page
from hindsight.service.projects import service as projects_service
from hindsight.service.search.search_log import SearchLog

_RESULTS = TypeAdapter(DueDiligenceResults)


def _team_for(who: Principal, project_owner: int | None) -> int | None:
    """The team a check is run for: the project's owning team when the caller is in it, else
    the caller's first team (none for the bootstrap key)."""
    if project_owner is not None and who.in_team(project_owner):
        return project_owner
    return min(who.team_ids) if who.team_ids else None


def run(
    db: Session,
    who: Principal,
    backend: SearchBackend,
    search_log: SearchLog,
    payload: DueDiligenceCreate,
    *,
    claim: idempotency.Claim | None,
) -> DueDiligenceRead:
    """Run the check and store it with what it showed. With `project_id`, the project's
    phase, topics and organisation type stand in for the ones not given. Raises NotFound
    for a project the caller cannot see (or that does not exist)."""
    request = payload.model_dump(mode="json")
    project_owner = None
    if payload.project_id is not None:
        # A 404, not a 422: the check is about that project, as a path would name it.
        project = projects_service.get_visible(db, who, payload.project_id)
        project_owner = project.owning_team_id
        request["phase"] = request["phase"] or project.phase
        request["topics"] = request["topics"] or list(project.topics)
        request["organisation_type"] = request["organisation_type"] or project.organisation_type
    brief = ranking.Brief(
        phase=request["phase"],
        topics=tuple(request["topics"]),
        organisation_type=request["organisation_type"],
    )
    terms = key_terms(payload.title, payload.description, brief.topics, backend.doc_freq)
    lessons = shown.rank_lessons(db, who, backend, terms, brief) if terms else []
    assets = shown.rank_assets(db, who, backend, terms, brief) if terms else []
    results = DueDiligenceResults(
        lessons=lessons,
        assets=assets,
        open_actions=actions_service.open_for_lessons(db, who, [r.lesson.id for r in lessons]),
        people=shown.people(db, who, lessons, assets),
    )
    # Only terms that matched something shown: a term known only from hidden items must not
    # surface (the weights came from the whole index).
    matched = {t for r in [*lessons, *assets] for t in r.matched}
    used = [KeyTermRead(term=t.text, weight=t.weight) for t in terms if t.text in matched]
    check = DueDiligenceCheck(
        title=payload.title,
        project_id=payload.project_id,
        team_id=_team_for(who, project_owner),
        request=request,
        results={
            "terms": [t.model_dump() for t in used],
            **results.model_dump(mode="json"),
        },
        created_by_id=who.user_id,
        created_by_name=who.name,
    )
    db.add(check)
    db.flush()
    assert check.id is not None
    events.emit(
        db,
        WebhookEvent.due_diligence_created,
        item_type="due_diligence",
        item_id=check.id,
        data={"title": check.title, "project_id": check.project_id, "lessons_shown": len(lessons)},
    )
    read = idempotency.commit_created(db, claim, _to_read(check, terms=used, results=results))
    search_log.record(
        query=payload.title,
        filters={"project_id": payload.project_id} if payload.project_id else {},
        result_count=len(lessons),
        user_id=who.user_id,
        team_ids=who.team_ids,
        source="due_diligence",
    )
    return read


def _to_read(
    check: DueDiligenceCheck, *, terms: list[KeyTermRead], results: DueDiligenceResults
) -> DueDiligenceRead:
    assert check.id is not None
    return DueDiligenceRead(
        id=check.id,
        created_at=check.created_at,
        title=check.title,
        description=check.request.get("description", ""),
        project_id=check.project_id,
        phase=check.request.get("phase"),
        topics=check.request.get("topics") or [],
        organisation_type=check.request.get("organisation_type"),
        team_id=check.team_id,
        created_by=CheckedBy(user_id=check.created_by_id, name=check.created_by_name),
        terms=terms,
        results=results,
    )


def _as_seen_by(db: Session, who: Principal, check: DueDiligenceCheck) -> DueDiligenceRead:
    [read] = _all_as_seen_by(db, who, [check])
    return read


def _all_as_seen_by(
    db: Session, who: Principal, checks: list[DueDiligenceCheck]
) -> list[DueDiligenceRead]:
    """The stored checks, less anything the reader may not see now (a result shown to its
    creator may be restricted from another reader, or restricted since). What a page of
    checks links to is looked up in one query per kind, for all of them at once."""
    stored = [dict(check.results) for check in checks]
    terms = [[KeyTermRead.model_validate(t) for t in one.pop("terms", [])] for one in stored]
    results = [_RESULTS.validate_python(one) for one in stored]
    if not who.is_admin:
        lesson_ids = [r.lesson.id for res in results for r in res.lessons]
        asset_ids = [r.asset.id for res in results for r in res.assets]
        project_ids = [
            s.id for res in results for p in res.people for s in p.sources if s.type == "project"
        ]
        lessons = set(lessons_service.visible_reads(db, who, lesson_ids))
        assets = set(assets_service.visible_rows(db, who, asset_ids))
        projects = set(projects_service.visible_reads(db, who, project_ids))
        seen = {"lesson": lessons, "asset": assets, "project": projects}
        for res in results:
            res.lessons = [r for r in res.lessons if r.lesson.id in lessons]
            res.assets = [r for r in res.assets if r.asset.id in assets]
            res.open_actions = [a for a in res.open_actions if a.lesson_id in lessons]
            for person in res.people:
                person.sources = [s for s in person.sources if s.id in seen.get(s.type, set())]
            res.people = [p for p in res.people if p.sources]
    return [
        _to_read(check, terms=t, results=r)
        for check, t, r in zip(checks, terms, results, strict=True)
    ]


def _visible(who: Principal) -> Select[Any]:
    return select(DueDiligenceCheck).where(access.visible_to(who))


def get(db: Session, who: Principal, check_id: int) -> DueDiligenceRead:
    """Raises NotFound for a missing check and for one the caller may not read alike."""
    check = db.execute(_visible(who).where(DueDiligenceCheck.id == check_id)).scalar_one_or_none()
    if check is None:
        raise NotFound(f"there is no due-diligence check {check_id}")
    return _as_seen_by(db, who, check)


def list_visible(
    db: Session, who: Principal, *, project_id: int | None, limit: int, offset: int
) -> tuple[list[DueDiligenceRead], int]:
    """Checks the caller may read, newest first (optionally of one project)."""
    stmt = _visible(who)
    if project_id is not None:
        stmt = stmt.where(DueDiligenceCheck.project_id == project_id)
    rows, total = fetch_page(
        db,
        stmt,
        order_by=(DueDiligenceCheck.created_at.desc(), DueDiligenceCheck.id.desc()),  # type: ignore[attr-defined,union-attr]
        limit=limit,
        offset=offset,
    )
    return _all_as_seen_by(db, who, list(rows)), total


def decide(
    db: Session, who: Principal, check_id: int, decisions: list[DecisionCreate]
) -> list[ApplicationRead]:
    """Record the team's decisions on a check's lessons as applications of its project, one
    per lesson (re-posting updates them). Raises NotFound (hidden check), Conflict (a check
    without a project), ValidationFailed (a lesson twice, or one the caller cannot see) and
    Forbidden (only the project's editors decide)."""
    check = db.execute(_visible(who).where(DueDiligenceCheck.id == check_id)).scalar_one_or_none()
    if check is None:
        raise NotFound(f"there is no due-diligence check {check_id}")
    if check.project_id is None:
        raise Conflict(
            f"due-diligence check {check_id} names no project, so there is nothing to apply the "
            "lessons to; run the check again with project_id"
        )
    seen: set[int] = set()
    for i, item in enumerate(decisions):
        if item.lesson_id in seen:
            raise ValidationFailed(
                f"body[{i}].lesson_id", f"lesson {item.lesson_id} is decided twice; send it once"
            )
        seen.add(item.lesson_id)
    items = [
        applications_service.DecisionInput(
            lesson_id=item.lesson_id, decision=item.decision.value, note=item.note
        )
        for item in decisions
    ]
    try:
        recorded = applications_service.record_decisions(
            db, who, check_id=check_id, project_id=check.project_id, items=items
        )
        db.commit()
    except IntegrityError as exc:  # another request recorded the same lessons meanwhile
        db.rollback()
        raise Conflict(
            f"decisions on check {check_id} were recorded by another request meanwhile; "
            "post yours again to update them"
        ) from exc
    return recorded
