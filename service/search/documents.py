"""Database rows flattened into `IndexDoc`s, the only thing the search backends ever see.

A lesson's document carries the narrower of its own access and its asset's (see
`lessons.access.effective_scope`), and is released when it stands alone or its asset is; an
asset's change of access therefore re-enqueues its lessons (`lessons.service.follow_asset`)."""

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from hindsight.schemas.enums import AssetStatus
from hindsight.search.base import IndexDoc, doc_key
from hindsight.service.assets.access import team_ids_of
from hindsight.service.assets.models import Asset
from hindsight.service.attachments import service as attachments_service
from hindsight.service.lessons import access as lesson_access
from hindsight.service.lessons import service as lessons_service
from hindsight.service.lessons.models import Lesson
from hindsight.service.projects.models import Project, ProjectTeam

_RELEASED = frozenset({AssetStatus.published.value, AssetStatus.archived.value})
Ref = tuple[str, int]


def _join(*parts: Any) -> str:
    return "\n".join(str(p) for p in parts if p)


def _flatten(value: Any) -> Iterator[str]:
    """Every string inside a JSON value (an asset's per-kind details), in order."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _flatten(item)
    elif isinstance(value, list):
        for item in value:
            yield from _flatten(item)


# Only the columns the index needs, as plain rows: loading whole ORM entities (and each
# lesson's asset with its body) cost three times as much as the index commit on an import.
_LESSON_COLUMNS = (
    Lesson.id, Lesson.title, Lesson.lesson, Lesson.recommendation, Lesson.observation,
    Lesson.analysis, Lesson.five_whys, Lesson.root_cause_description, Lesson.status,
    Lesson.polarity, Lesson.impact, Lesson.root_cause_category, Lesson.applicability,
    Lesson.tags, Lesson.created_at, Lesson.asset_id, Lesson.project_id, Lesson.owning_team_id,
    Lesson.visibility, Asset.kind, Asset.visibility.label("asset_visibility"),  # type: ignore[attr-defined]
    Asset.status.label("asset_status"),  # type: ignore[attr-defined]
)  # fmt: skip
_ASSET_COLUMNS = (
    Asset.id, Asset.title, Asset.summary, Asset.body, Asset.details, Asset.kind, Asset.status,
    Asset.topics, Asset.tags, Asset.project_id, Asset.owning_team_id, Asset.created_at,
    Asset.visibility,
)  # fmt: skip


def _lesson_doc(row: Any, teams: Sequence[int], asset_teams: Sequence[int]) -> IndexDoc:
    applicability = row.applicability or {}
    in_asset = (row.asset_visibility, asset_teams) if row.asset_id is not None else None
    visibility, team_ids = lesson_access.effective_scope((row.visibility, teams), in_asset)
    whys = [step.get("answer", "") for step in row.five_whys or []]
    return IndexDoc(
        type="lesson",
        id=row.id,
        title=row.title,
        lesson=row.lesson,
        recommendation=row.recommendation,
        observation=row.observation,
        body=_join(row.analysis, *whys, row.root_cause_description),
        kind=row.kind,
        status=row.status,
        polarity=row.polarity,
        impact=row.impact,
        root_cause_category=row.root_cause_category,
        topics=tuple(applicability.get("topics") or ()),
        tags=tuple(row.tags or ()),
        project_id=row.project_id,
        owning_team_id=row.owning_team_id,
        created_at=row.created_at,
        visibility=visibility,  # type: ignore[arg-type]
        team_ids=team_ids,
        is_published=row.asset_id is None or row.asset_status in _RELEASED,
    )


def _asset_doc(asset: Any, teams: Sequence[int], attached: str = "") -> IndexDoc:
    """`attached` is the text of the asset's attachments: a word found only inside an
    attached PDF still finds the asset."""
    return IndexDoc(
        type="asset",
        id=asset.id,
        title=asset.title,
        body=_join(asset.summary, asset.body, *_flatten(asset.details), attached),
        kind=asset.kind,
        status=asset.status,
        topics=tuple(asset.topics or ()),
        tags=tuple(asset.tags or ()),
        project_id=asset.project_id,
        owning_team_id=asset.owning_team_id,
        created_at=asset.created_at,
        visibility=asset.visibility,
        team_ids=tuple(teams),
        is_published=asset.status in _RELEASED,
    )


def _project_doc(project: Project, teams: Sequence[int]) -> IndexDoc:
    people = [
        _join(m.get("role"), *m.get("specialisms", []), *m.get("training", []), m.get("note"))
        for m in project.team_context or []
    ]
    return IndexDoc(
        type="project",
        id=project.id or 0,
        title=project.name,
        body=_join(project.description, project.organisation, project.population, *people),
        status=project.status,
        topics=tuple(project.topics or ()),
        tags=tuple(project.tags or ()),
        project_id=project.id,
        owning_team_id=project.owning_team_id,
        created_at=project.created_at,
        visibility=project.visibility,  # type: ignore[arg-type]
        team_ids=tuple(teams),
        is_published=True,  # projects have no review workflow
    )


def _lessons(db: Session, ids: list[int]) -> list[IndexDoc]:
    if not ids:
        return []
    rows = db.execute(
        select(*_LESSON_COLUMNS)
        .outerjoin(Asset, Asset.id == Lesson.asset_id)  # type: ignore[arg-type]
        .where(Lesson.id.in_(ids))  # type: ignore[union-attr]
    ).all()
    teams = lessons_service.team_ids_of(db, [row.id for row in rows])
    asset_teams = team_ids_of(db, [row.asset_id for row in rows if row.asset_id is not None])
    return [
        _lesson_doc(row, teams.get(row.id, []), asset_teams.get(row.asset_id, [])) for row in rows
    ]


def _assets(db: Session, ids: list[int]) -> list[IndexDoc]:
    if not ids:
        return []
    assets = db.execute(select(*_ASSET_COLUMNS).where(Asset.id.in_(ids))).all()  # type: ignore[union-attr]
    teams = team_ids_of(db, ids)
    attached = attachments_service.texts_of(db, ids)
    return [
        _asset_doc(asset, teams.get(asset.id, []), attached.get(asset.id, "")) for asset in assets
    ]


def _projects(db: Session, ids: list[int]) -> list[IndexDoc]:
    if not ids:
        return []
    projects = db.execute(select(Project).where(Project.id.in_(ids))).scalars().all()  # type: ignore[union-attr]
    teams: dict[int, list[int]] = {}
    for project_id, team_id in db.execute(
        select(ProjectTeam.project_id, ProjectTeam.team_id).where(
            ProjectTeam.project_id.in_(ids)  # type: ignore[attr-defined]
        )
    ):
        teams.setdefault(project_id, []).append(team_id)
    return [_project_doc(p, sorted(teams.get(p.id or 0, []))) for p in projects]


_LOADERS = {"lesson": _lessons, "asset": _assets, "project": _projects}


def load(db: Session, refs: Iterable[Ref]) -> tuple[list[IndexDoc], list[str]]:
    """Documents for `refs`, and the index keys of refs whose row no longer exists (deleted
    since they were enqueued: the index must drop them)."""
    wanted: dict[str, set[int]] = {kind: set() for kind in _LOADERS}
    for kind, entity_id in refs:
        if kind in wanted:
            wanted[kind].add(entity_id)
    docs: list[IndexDoc] = []
    gone: list[str] = []
    for kind, ids in wanted.items():
        found = _LOADERS[kind](db, sorted(ids))
        docs.extend(found)
        present = {d.id for d in found}
        gone.extend(doc_key(kind, i) for i in sorted(ids - present))
    return docs, gone


def count_all(db: Session) -> int:
    return sum(
        int(db.execute(select(func.count()).select_from(model)).scalar_one())
        for model in (Lesson, Asset, Project)
    )


def iter_all(db: Session, batch: int = 1000) -> Iterator[list[IndexDoc]]:
    """Every searchable item, in batches, for `hindsight reindex`."""
    for kind, model in (("project", Project), ("asset", Asset), ("lesson", Lesson)):
        last = 0
        while True:
            ids = list(
                db.execute(
                    select(model.id).where(model.id > last).order_by(model.id).limit(batch)  # type: ignore[arg-type,operator]
                ).scalars()
            )
            if not ids:
                break
            yield _LOADERS[kind](db, ids)
            last = ids[-1]
