"""One way to run a paged query: the total and the page come from the same WHERE clause."""

from typing import Any

from sqlalchemy import Select, func, select
from sqlmodel import Session


def fetch_page(
    db: Session, stmt: Select[Any], *, order_by: tuple[Any, ...], limit: int, offset: int
) -> tuple[list[Any], int]:
    """Rows of `stmt` ordered by `order_by` (which must end with the id, so pages never
    overlap) and the total count before paging."""
    total = db.execute(
        select(func.count()).select_from(stmt.order_by(None).subquery())
    ).scalar_one()
    rows = db.execute(stmt.order_by(*order_by).limit(limit).offset(offset)).scalars().all()
    return list(rows), int(total)
