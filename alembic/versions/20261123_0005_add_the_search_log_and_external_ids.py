"""Add the search log and external ids

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 09:16:45

`search_log` keeps every search for the learning metrics; `external_id` on projects, assets
and lessons makes imports (the NASA corpus, Hindsight's own export) idempotent.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_IMPORTABLE = ("projects", "assets", "lessons")


def upgrade() -> None:
    op.create_table(
        "search_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("query", sa.String(length=2000), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("result_count", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("team_ids", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("search_log") as batch_op:
        batch_op.create_index("ix_search_log_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_search_log_user_id", ["user_id"], unique=False)
    for table in _IMPORTABLE:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("external_id", sa.String(length=200), nullable=True))
            batch_op.create_unique_constraint(f"uq_{table}_external_id", ["external_id"])


def downgrade() -> None:
    for table in _IMPORTABLE:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_external_id", type_="unique")
            batch_op.drop_column("external_id")
    op.drop_table("search_log")
