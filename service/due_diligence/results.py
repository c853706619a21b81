"""What a due-diligence check shows: the candidates of the index, read back from the
database with the visibility predicate (the index may lag a change of access), reranked for
applicability and proof (`ranking`), each with what matched and why; and the people behind
the top results (`people`)."""

from sqlmodel import Session

from hindsight.schemas.due_diligence import (
    AssetBrief,
    AssetResult,
    LessonResult,
    PersonResult,
    SourceRef,
)
from hindsight.schemas.lessons import LessonRead
from hindsight.search.base import SearchBackend, SearchFilters, WeightedTerm
from hindsight.service.applications import service as applications_service
from hindsight.service.assets import service as assets_service
from hindsight.service.auth import Principal
from hindsight.service.due_diligence import ranking
from hindsight.service.due_diligence.people import AssetFacts, Behind, people_behind
from hindsight.service.due_diligence.terms import KeyTerm
from hindsight.service.lessons import service as lessons_service
from hindsight.service.projects import service as projects_service
from hindsight.service.search.scope import scope_for
from hindsight.service.teams import service as teams_service

# The index ranks this many candidates per type; only they are reranked and read back.
LESSON_CANDIDATES = 120
ASSET_CANDIDATES = 30
LESSONS_SHOWN = 20
ASSETS_SHOWN = 10
# People come from the results a reader looks at first.
PEOPLE_FROM_LESSONS = 10
PEOPLE_FROM_ASSETS = 5


def _query(terms: list[KeyTerm]) -> list[WeightedTerm]:
    return [(term.text, term.weight) for term in terms]


def _lesson_fields(lesson: LessonRead) -> dict[str, str]:
    whys = " ".join(step.answer for step in lesson.five_whys)
    cause = lesson.root_cause.description if lesson.root_cause else ""
    return {
        "title": lesson.title,
        "lesson": lesson.lesson,
        "recommendation": lesson.recommendation,
        "observation": lesson.observation,
        "analysis": f"{lesson.analysis} {whys} {cause}",
        "topics": " ".join([*lesson.applicability.topics, *lesson.tags]),
    }


def rank_lessons(
    db: Session,
    who: Principal,
    backend: SearchBackend,
    terms: list[KeyTerm],
    brief: ranking.Brief,
) -> list[LessonResult]:
    hits = backend.weighted_search(
        _query(terms), scope_for(who), SearchFilters(type="lesson"), LESSON_CANDIDATES
    )
    # The candidates' facts only; the text is read for the lessons shown.
    facts = lessons_service.visible_facts(db, who, [hit.id for hit in hits])
    scores = {hit.id: hit.score or 0.0 for hit in hits if hit.id in facts}
    tracks = applications_service.track_records(db, who, list(scores))
    fits: dict[int, list[ranking.Fit]] = {}
    for lesson_id in scores:
        fact = facts[lesson_id]
        where = ranking.Applicability(
            phases=fact.phases,
            topics=(*fact.topics, *fact.tags),
            organisation_types=fact.organisation_types,
        )
        fits[lesson_id] = [
            ranking.applicability_fit(brief, where),
            ranking.proven_fit(fact.status, tracks.get(lesson_id)),
        ]
    boosts = {i: sum(fit.boost for fit in f) for i, f in fits.items()}
    top = ranking.rerank(scores, boosts)[:LESSONS_SHOWN]
    lessons = lessons_service.visible_reads(db, who, [lesson_id for lesson_id, _ in top])
    shown = []
    for lesson_id, score in top:
        lesson = lessons.get(lesson_id)
        if lesson is None:
            continue  # deleted between the two reads
        found = ranking.matched_terms(terms, _lesson_fields(lesson))
        matched = [*found, *(m for fit in fits[lesson_id] for m in fit.matched)]
        notes = [n for fit in fits[lesson_id] for n in fit.notes]
        shown.append(
            LessonResult(
                lesson=lesson, score=score, matched=matched, reason=ranking.reason(found, notes)
            )
        )
    return shown


def rank_assets(
    db: Session,
    who: Principal,
    backend: SearchBackend,
    terms: list[KeyTerm],
    brief: ranking.Brief,
) -> list[AssetResult]:
    hits = backend.weighted_search(
        _query(terms), scope_for(who), SearchFilters(type="asset"), ASSET_CANDIDATES
    )
    assets = assets_service.visible_rows(db, who, [hit.id for hit in hits])
    scores = {hit.id: hit.score or 0.0 for hit in hits if hit.id in assets}
    projects = projects_service.visible_reads(
        db, who, sorted({a.project_id for a in assets.values() if a.project_id is not None})
    )
    fits = {}
    for asset_id in scores:
        asset = assets[asset_id]
        project = projects.get(asset.project_id) if asset.project_id is not None else None
        where = ranking.Applicability(
            phases=(project.phase.value,) if project else (),
            topics=(*(asset.topics or ()), *(asset.tags or ())),
            organisation_types=(project.organisation_type.value,) if project else (),
        )
        fits[asset_id] = ranking.applicability_fit(brief, where)
    boosts = {i: fit.boost for i, fit in fits.items()}
    shown = []
    for asset_id, score in ranking.rerank(scores, boosts)[:ASSETS_SHOWN]:
        asset = assets[asset_id]
        fields = {"title": asset.title, "summary": asset.summary, "body": asset.body}
        found = ranking.matched_terms(terms, fields)
        shown.append(
            AssetResult(
                asset=AssetBrief.model_validate(asset),
                score=score,
                matched=[*found, *fits[asset_id].matched],
                reason=ranking.reason(found, fits[asset_id].notes),
            )
        )
    return shown


def people(
    db: Session, who: Principal, lessons: list[LessonResult], assets: list[AssetResult]
) -> list[PersonResult]:
    top_lessons = [r.lesson for r in lessons[:PEOPLE_FROM_LESSONS]]
    top_assets = [r.asset for r in assets[:PEOPLE_FROM_ASSETS]]
    in_assets = {lesson.asset_id for lesson in top_lessons if lesson.asset_id is not None}
    asset_ids = sorted(in_assets | {a.id for a in top_assets})
    full_assets = {
        asset_id: AssetFacts(
            title=row.title,
            kind=row.kind,
            owning_team_id=row.owning_team_id,
            authors=list(row.authors or []),
            details=dict(row.details or {}),
        )
        for asset_id, row in assets_service.visible_rows(db, who, asset_ids).items()
    }
    project_ids = {lesson.project_id for lesson in top_lessons} | {a.project_id for a in top_assets}
    projects = projects_service.visible_reads(db, who, sorted(p for p in project_ids if p))
    behinds = [
        Behind(
            source=SourceRef(type="lesson", id=lesson.id),
            label=f"lesson '{lesson.title}'",
            asset=full_assets.get(lesson.asset_id) if lesson.asset_id else None,
            project=projects.get(lesson.project_id) if lesson.project_id else None,
        )
        for lesson in top_lessons
    ] + [
        Behind(
            source=SourceRef(type="asset", id=asset.id),
            label=f"'{asset.title}'",
            asset=full_assets.get(asset.id),
            project=projects.get(asset.project_id) if asset.project_id else None,
        )
        for asset in top_assets
    ]
    team_ids = [b.asset.owning_team_id for b in behinds if b.asset] + [
        b.project.owning_team_id for b in behinds if b.project
    ]
    return people_behind(behinds, teams_service.names(db, team_ids))
