"""Frameworks: create a version, read, list; load the starter framework shipped with us.

Versions are immutable. POSTing an existing key makes version n+1 and leaves earlier
versions, and the assessments scored on them, untouched: that is how an organisation
replaces the starter framework, or revises its own.
"""

import json
from importlib import resources
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session

from hindsight.schemas.maturity import FrameworkCreate, FrameworkRead, FrameworkSummary
from hindsight.service import idempotency
from hindsight.service.auth import Principal
from hindsight.service.errors import Conflict, NotFound
from hindsight.service.maturity import evidence, frameworks
from hindsight.service.maturity.models import Framework
from hindsight.service.maturity.scoring import invalid
from hindsight.service.pagination import fetch_page

STARTER_KEY = "hindsight-starter"


def starter_document() -> dict[str, Any]:
    """The starter framework as shipped in this package (the migration installs a frozen
    copy of its first version; see alembic/versions/data/)."""
    text = (
        resources.files("hindsight.service.maturity").joinpath("starter_framework.json").read_text()
    )
    return json.loads(text)


def check(doc: FrameworkCreate) -> None:
    """Raises ValidationFailed naming every structural problem of `doc`."""
    found = frameworks.problems(doc, known_figures=evidence.FIGURES.keys())
    if found:
        raise invalid(found)


def document(framework: Framework) -> FrameworkCreate:
    """The stored version as the validated document it was created from."""
    return FrameworkCreate.model_validate(
        {
            "key": framework.key,
            "name": framework.name,
            "source": framework.source,
            **framework.document,
        }
    )


def _latest_version(db: Session, key: str) -> int:
    return int(
        db.execute(select(func.max(Framework.version)).where(Framework.key == key)).scalar() or 0
    )


def _latest_only() -> ColumnElement[bool]:
    newer = aliased(Framework)
    newest = select(func.max(newer.version)).where(newer.key == Framework.key)
    return Framework.version == newest.scalar_subquery()


def _latest_by_key(db: Session, keys: set[str]) -> dict[str, int]:
    if not keys:
        return {}
    rows = db.execute(
        select(Framework.key, func.max(Framework.version))
        .where(Framework.key.in_(keys))
        .group_by(Framework.key)
    ).all()
    return {key: int(version) for key, version in rows}


def summary(framework: Framework, latest: dict[str, int]) -> FrameworkSummary:
    return FrameworkSummary(
        id=framework.id or 0,
        key=framework.key,
        version=framework.version,
        name=framework.name,
        source=framework.source,
        is_latest=latest.get(framework.key, framework.version) <= framework.version,
        created_at=framework.created_at,
    )


def read(db: Session, framework: Framework) -> FrameworkRead:
    doc = document(framework)
    head = summary(framework, _latest_by_key(db, {framework.key}))
    return FrameworkRead(
        **head.model_dump(),
        description=doc.description,
        levels=doc.levels,
        outcomes=doc.outcomes,
    )


def get(db: Session, framework_id: int) -> Framework:
    framework = db.get(Framework, framework_id)
    if framework is None:
        raise NotFound(f"there is no maturity framework {framework_id}")
    return framework


def list_all(
    db: Session, *, key: str | None, latest_only: bool, limit: int, offset: int
) -> tuple[list[FrameworkSummary], int]:
    """Framework versions, by key and newest version first. Frameworks are not secret: any
    caller may read them (a team needs the text to score itself)."""
    stmt = select(Framework)
    if key is not None:
        stmt = stmt.where(Framework.key == key)
    if latest_only:
        stmt = stmt.where(_latest_only())
    rows, total = fetch_page(
        db,
        stmt,
        order_by=(Framework.key, Framework.version.desc(), Framework.id),
        limit=limit,
        offset=offset,
    )
    latest = _latest_by_key(db, {row.key for row in rows})
    return [summary(row, latest) for row in rows], total


def add_version(db: Session, doc: FrameworkCreate) -> Framework:
    """Insert `doc` as the next version of its key (does not commit). Raises
    ValidationFailed for a structurally broken document, Conflict when a concurrent create
    took the same version number."""
    check(doc)
    framework = Framework(
        key=doc.key,
        version=_latest_version(db, doc.key) + 1,
        name=doc.name,
        source=doc.source,
        document=doc.model_dump(mode="json", include={"description", "levels", "outcomes"}),
    )
    db.add(framework)
    try:
        db.flush()
    except IntegrityError as exc:
        raise Conflict(
            f"another version of framework {doc.key!r} was created at the same time; retry"
        ) from exc
    return framework


def create(
    db: Session, who: Principal, payload: FrameworkCreate, *, claim: idempotency.Claim | None
) -> FrameworkRead:
    """Create a framework, or the next version of an existing key (admins; the route gates)."""
    framework = add_version(db, payload)
    return idempotency.commit_created(db, claim, read(db, framework))
