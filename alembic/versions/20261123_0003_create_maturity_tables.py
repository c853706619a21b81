"""create maturity tables and install the starter framework

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 02:49:51.437694

The starter framework is read from a frozen copy beside this revision
(data/0003_hindsight_starter_v1.json), not from the package: a revision must install the
same rows forever, while the package's copy may improve. An improved starter is a new
revision that inserts version 2 of the same key (tests/unit/test_maturity_starter.py fails
until it does).
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STARTER = Path(__file__).resolve().parent / "data" / "0003_hindsight_starter_v1.json"


def upgrade() -> None:
    op.create_table(
        "maturity_frameworks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", "version"),
    )
    with op.batch_alter_table("maturity_frameworks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_maturity_frameworks_key"), ["key"], unique=False)

    op.create_table(
        "maturity_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notes", sa.String(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["framework_id"], ["maturity_frameworks.id"]),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("maturity_assessments", schema=None) as batch_op:
        for column in ("assessed_at", "framework_id", "team_id"):
            batch_op.create_index(
                batch_op.f(f"ix_maturity_assessments_{column}"), [column], unique=False
            )
    _install_starter()


def _install_starter() -> None:
    doc = json.loads(STARTER.read_text(encoding="utf-8"))
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # the app stores naive UTC on SQLite (UTCDateTime)
    frameworks = sa.table(
        "maturity_frameworks",
        sa.column("key", sa.String()),
        sa.column("version", sa.Integer()),
        sa.column("name", sa.String()),
        sa.column("source", sa.String()),
        sa.column("document", sa.JSON()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(
        frameworks,
        [
            {
                "key": doc["key"],
                "version": 1,
                "name": doc["name"],
                "source": doc["source"],
                "document": {k: doc[k] for k in ("description", "levels", "outcomes")},
                "created_at": now,
            }
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("maturity_assessments", schema=None) as batch_op:
        for column in ("team_id", "framework_id", "assessed_at"):
            batch_op.drop_index(batch_op.f(f"ix_maturity_assessments_{column}"))
    op.drop_table("maturity_assessments")
    with op.batch_alter_table("maturity_frameworks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_maturity_frameworks_key"))
    op.drop_table("maturity_frameworks")
