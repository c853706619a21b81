"""create the PostgreSQL search tables

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 03:00:00

`search_documents` and `search_vocabulary` serve the postgres search backend only; they are
derived data (rebuilt by `hindsight reindex`) and not SQLModel tables, so `alembic check`
ignores them (see env.py). On SQLite this revision does nothing: the embedded setup searches
with tantivy or whoosh.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _is_postgres():
        return
    op.create_table(
        "search_documents",
        sa.Column("doc_id", sa.String(length=40), primary_key=True),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("lesson", sa.Text(), nullable=False),
        sa.Column("recommendation", sa.Text(), nullable=False),
        sa.Column("observation", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=64), nullable=True),
        sa.Column("polarity", sa.String(length=64), nullable=True),
        sa.Column("impact", sa.String(length=64), nullable=True),
        sa.Column("root_cause_category", sa.String(length=64), nullable=True),
        sa.Column("topics", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("tags", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("owning_team_id", sa.Integer(), nullable=True),
        sa.Column("team_ids", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("is_published", sa.Boolean(), nullable=False),
        sa.Column("tsv", postgresql.TSVECTOR(), nullable=False),
    )
    op.create_index("ix_search_documents_tsv", "search_documents", ["tsv"], postgresql_using="gin")
    op.create_index("ix_search_documents_created_at", "search_documents", ["created_at"])
    op.create_index(
        "ix_search_documents_topics", "search_documents", ["topics"], postgresql_using="gin"
    )
    op.create_index(
        "ix_search_documents_tags", "search_documents", ["tags"], postgresql_using="gin"
    )
    # Words of the indexed text, for typo corrections and suggestions; "C" collation so that
    # LIKE 'pre%' walks the primary key.
    op.create_table(
        "search_vocabulary",
        sa.Column("word", sa.String(length=64, collation="C"), primary_key=True),
        sa.Column("doc_count", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    if not _is_postgres():
        return
    op.drop_table("search_vocabulary")
    op.drop_table("search_documents")
