"""Projects: create, read, list and change them, with access inside every query."""

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, or_, select, true, update
from sqlmodel import Session

from hindsight.schemas.enums import Visibility
from hindsight.schemas.projects import ProjectCreate, ProjectRead, ProjectUpdate
from hindsight.schemas.versions import VersionRead
from hindsight.service import idempotency
from hindsight.service import ownership as own
from hindsight.service.auth import Principal
from hindsight.service.columns import utcnow
from hindsight.service.errors import NotFound, PreconditionFailed, ValidationFailed
from hindsight.service.history import service as history
from hindsight.service.outbox import service as outbox
from hindsight.service.pagination import fetch_page
from hindsight.service.projects.models import Project, ProjectTeam
from hindsight.service.search.scope import scope_for
from hindsight.service.teams import service as teams_service

ENTITY = "project"
_REQUIRED = ("name", "description", "organisation", "organisation_type", "phase", "status",
             "owning_team_id", "visibility", "team_ids", "team_context", "contacts", "tags",
             "topics")  # fmt: skip
_TIMESTAMPS = ("started_at", "ended_at")


def visible_to(who: Principal) -> ColumnElement[bool]:
    """Projects `who` may read: open ones, their teams' ones, and restricted ones shared with
    one of their teams. Projects have no review workflow, so there is no draft clause."""
    if who.is_admin:
        return true()
    teams = sorted(who.team_ids)
    granted = select(ProjectTeam.project_id).where(ProjectTeam.team_id.in_(teams))  # type: ignore[attr-defined]
    return or_(
        Project.visibility.in_([Visibility.public.value, Visibility.internal.value]),  # type: ignore[attr-defined]
        Project.owning_team_id.in_(teams),  # type: ignore[attr-defined]
        Project.id.in_(granted),  # type: ignore[union-attr]
    )


def visible_ids(who: Principal, *, team_id: int | None = None) -> Select[Any]:
    """Ids of the projects `who` may read (optionally of one owning team), for subqueries of
    other domains (applications, due diligence, metrics)."""
    stmt = select(Project.id).where(visible_to(who))
    if team_id is not None:
        stmt = stmt.where(Project.owning_team_id == team_id)
    return stmt


def get_linkable(db: Session, who: Principal, project_id: int, *, field: str) -> Project:
    """A visible project another item links to; a 422 naming `field` when there is none."""
    project = db.execute(
        select(Project).where(Project.id == project_id, visible_to(who))
    ).scalar_one_or_none()
    if project is None:
        raise ValidationFailed(field, f"there is no project {project_id}")
    return project


def to_read(db: Session, project: Project) -> ProjectRead:
    [read] = to_reads(db, [project])
    return read


def to_reads(db: Session, projects: list[Project]) -> list[ProjectRead]:
    """Read models of `projects`, their shared teams fetched in one query for them all."""
    ids = [project.id for project in projects]
    teams: dict[int, list[int]] = {pid: [] for pid in ids if pid is not None}
    if teams:
        stmt = select(ProjectTeam.project_id, ProjectTeam.team_id).where(
            ProjectTeam.project_id.in_(list(teams))  # type: ignore[attr-defined]
        )
        for project_id, team_id in db.execute(stmt):
            teams[project_id].append(team_id)
    return [
        ProjectRead.model_validate(
            {**project.model_dump(), "team_ids": sorted(teams.get(project.id or 0, []))}
        )
        for project in projects
    ]


def visible_reads(db: Session, who: Principal, project_ids: list[int]) -> dict[int, ProjectRead]:
    """The projects among `project_ids` that `who` may read, by id."""
    if not project_ids:
        return {}
    rows = db.execute(
        select(Project).where(Project.id.in_(project_ids), visible_to(who))  # type: ignore[union-attr]
    ).scalars()
    return {read.id: read for read in to_reads(db, list(rows))}


def get_visible(db: Session, who: Principal, project_id: int) -> Project:
    """Raises NotFound for a missing project and for one the caller may not see alike."""
    project = db.execute(
        select(Project).where(Project.id == project_id, visible_to(who))
    ).scalar_one_or_none()
    if project is None:
        raise NotFound(f"there is no project {project_id}")
    return project


def require_visible(db: Session, who: Principal, project_id: int, *, field: str) -> None:
    """For other domains linking to a project: a 422 naming `field` if the caller cannot see
    it (the same answer as for a missing one, so nothing leaks)."""
    found = db.execute(
        select(Project.id).where(Project.id == project_id, visible_to(who))
    ).scalar_one_or_none()
    if found is None:
        raise ValidationFailed(field, f"there is no project {project_id}")


def list_visible(
    db: Session, who: Principal, *, filters: dict[str, Any], limit: int, offset: int
) -> tuple[list[ProjectRead], int]:
    stmt: Select[Any] = select(Project).where(visible_to(who))
    for name in ("status", "phase", "organisation_type", "owning_team_id"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(Project, name) == filters[name])
    rows, total = fetch_page(
        db,
        stmt,
        order_by=(Project.created_at.desc(), Project.id.desc()),
        limit=limit,
        offset=offset,  # type: ignore[attr-defined,union-attr]
    )
    return to_reads(db, list(rows)), total


def create(
    db: Session, who: Principal, payload: ProjectCreate, *, claim: idempotency.Claim | None
) -> ProjectRead:
    owning_team_id = own.resolve_owning_team(db, who, payload.owning_team_id)
    team_ids = teams_service.require_existing(db, payload.team_ids, field="body.team_ids")
    values = payload.model_dump(mode="json", exclude={"team_ids", "owning_team_id", *_TIMESTAMPS})
    project = Project(
        **values,
        owning_team_id=owning_team_id,
        started_at=payload.started_at,
        ended_at=payload.ended_at,
    )
    db.add(project)
    db.flush()
    assert project.id is not None
    db.add_all(ProjectTeam(project_id=project.id, team_id=team_id) for team_id in team_ids)
    outbox.enqueue(db, entity_type=ENTITY, entity_id=project.id)
    db.flush()
    return idempotency.commit_created(db, claim, to_read(db, project))


def update_project(
    db: Session, who: Principal, project_id: int, patch: ProjectUpdate, *, expected_version: int
) -> ProjectRead:
    """Apply `patch` if the project is still at `expected_version` (412 otherwise)."""
    project = get_visible(db, who, project_id)
    own.require_edit(who, project.owning_team_id, "project")
    changes = patch.model_dump(mode="json", exclude_unset=True)
    own.reject_nulls(changes, _REQUIRED)
    for name in _TIMESTAMPS:
        if name in changes:
            changes[name] = getattr(patch, name)
    _check_dates(changes.get("started_at", project.started_at),
                 changes.get("ended_at", project.ended_at))  # fmt: skip
    if "owning_team_id" in changes and changes["owning_team_id"] != project.owning_team_id:
        own.resolve_owning_team(db, who, changes["owning_team_id"])
    team_ids = changes.pop("team_ids", None)
    if team_ids is not None:
        team_ids = teams_service.require_existing(db, team_ids, field="body.team_ids")
    if project.version != expected_version:
        raise _stale(project_id, expected_version)
    before = to_read(db, project)
    # The version test is part of the UPDATE, so two concurrent writers cannot both pass it.
    result = db.execute(
        update(Project)
        .where(Project.id == project_id, Project.version == expected_version)  # type: ignore[arg-type]
        .values(**changes, version=expected_version + 1, updated_at=utcnow())
    )
    if result.rowcount == 0:
        raise _stale(project_id, expected_version)
    if team_ids is not None:
        db.execute(delete(ProjectTeam).where(ProjectTeam.project_id == project_id))  # type: ignore[arg-type]
        db.add_all(ProjectTeam(project_id=project_id, team_id=team_id) for team_id in team_ids)
    db.flush()
    db.expire_all()
    after = to_read(db, db.get_one(Project, project_id))
    fields = history.changed_fields(before.model_dump(), after.model_dump())
    history.record(db, who, entity_type=ENTITY, earlier=before, fields=fields)
    outbox.enqueue(db, entity_type=ENTITY, entity_id=project_id)
    db.commit()
    return after


def list_versions(
    db: Session, who: Principal, project_id: int, *, limit: int, offset: int
) -> tuple[list[VersionRead], int]:
    get_visible(db, who, project_id)
    scope = scope_for(who)

    def readable(snapshot: dict[str, Any]) -> bool:
        # Projects have no review workflow: every state of one counts as released.
        return scope.may_read(
            snapshot["owning_team_id"], snapshot.get("team_ids") or [], snapshot["visibility"], True
        )

    return history.list_versions(
        db, entity_type=ENTITY, entity_id=project_id, limit=limit, offset=offset, readable=readable
    )


def _check_dates(started_at: datetime | None, ended_at: datetime | None) -> None:
    if started_at is not None and ended_at is not None and ended_at < started_at:
        raise ValidationFailed("body.ended_at", "ended_at must not be before started_at")


def _stale(project_id: int, expected_version: int) -> PreconditionFailed:
    return PreconditionFailed(
        f"project {project_id} changed since version {expected_version}; read it again"
    )
