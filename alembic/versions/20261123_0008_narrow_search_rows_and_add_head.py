"""Narrow the search rows and add a tsvector of the title

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 12:45:00

Counting and faceting every match of a common word visits the heap row of each match. With
the texts stored inline a row took ~1.5 kB (146 MB at 100,000 lessons, beyond PostgreSQL's
default 128 MB of shared buffers); with `toast_tuple_target = 128` the long texts and the
tsvector move to the TOAST table and a row takes ~400 bytes (41 MB). Title, topics, tags and
team ids stay inline (STORAGE MAIN): facets, scope and the first ranking stage read them.

`head` is the title's tsvector, under its own GIN index: for a short query matching tens of
thousands of rows, the rows whose title holds a query word are found through the index and
ranked without reading any long tsvector (search/pg_rank.py).

Existing rows are rewritten by the UPDATE filling `head`, which also moves their texts out;
the space they leave is reused by later writes (VACUUM FULL returns it at once). On SQLite
this revision does nothing, as 0004.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INLINE = ("title", "topics", "tags", "team_ids")


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _is_postgres():
        return
    op.execute("ALTER TABLE search_documents SET (toast_tuple_target = 128)")
    for column in _INLINE:
        op.execute(f"ALTER TABLE search_documents ALTER COLUMN {column} SET STORAGE MAIN")
    op.add_column("search_documents", sa.Column("head", postgresql.TSVECTOR(), nullable=True))
    op.execute("ALTER TABLE search_documents ALTER COLUMN head SET STORAGE MAIN")
    op.execute("UPDATE search_documents SET head = to_tsvector('english', title)")
    op.alter_column("search_documents", "head", nullable=False)
    op.create_index(
        "ix_search_documents_head", "search_documents", ["head"], postgresql_using="gin"
    )


def downgrade() -> None:
    if not _is_postgres():
        return
    op.drop_index("ix_search_documents_head", table_name="search_documents")
    op.drop_column("search_documents", "head")
    for column in _INLINE:
        op.execute(f"ALTER TABLE search_documents ALTER COLUMN {column} SET STORAGE EXTENDED")
    op.execute("ALTER TABLE search_documents RESET (toast_tuple_target)")
