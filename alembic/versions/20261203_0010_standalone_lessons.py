"""Let lessons stand alone, with their own owning team, project, visibility and teams

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 15:30:00

A lesson may now be logged on its own (no asset), or be narrower than its asset (one
sensitive lesson in a shared review). So it carries its own access: `owning_team_id`,
`project_id`, `visibility` and the teams of `lesson_teams`. Existing lessons get their
asset's values, which is exactly the access they had.

Downgrading refuses while standalone lessons exist (the earlier schema has no place for
them, and dropping them would lose what was acknowledged); narrower lessons go back to
their asset's access.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FROM_ASSET = "(SELECT assets.{0} FROM assets WHERE assets.id = lessons.asset_id)"


def upgrade() -> None:
    with op.batch_alter_table("lessons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owning_team_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("project_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("visibility", sa.String(length=20), nullable=True))
    op.execute(
        "UPDATE lessons SET "
        f"owning_team_id = {_FROM_ASSET.format('owning_team_id')}, "
        f"project_id = {_FROM_ASSET.format('project_id')}, "
        f"visibility = {_FROM_ASSET.format('visibility')}"
    )
    with op.batch_alter_table("lessons", schema=None) as batch_op:
        batch_op.alter_column("asset_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("owning_team_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("visibility", existing_type=sa.String(length=20), nullable=False)
        batch_op.create_foreign_key(
            "fk_lessons_owning_team_id_teams", "teams", ["owning_team_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_lessons_project_id_projects", "projects", ["project_id"], ["id"]
        )
        batch_op.create_index(
            batch_op.f("ix_lessons_owning_team_id"), ["owning_team_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_lessons_project_id"), ["project_id"], unique=False)

    op.create_table(
        "lesson_teams",
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["lesson_id"], ["lessons.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("lesson_id", "team_id"),
    )
    with op.batch_alter_table("lesson_teams", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lesson_teams_team_id"), ["team_id"], unique=False)
    op.execute(
        "INSERT INTO lesson_teams (lesson_id, team_id) "
        "SELECT lessons.id, asset_teams.team_id FROM lessons "
        "JOIN asset_teams ON asset_teams.asset_id = lessons.asset_id"
    )


def downgrade() -> None:
    standalone = (
        op.get_bind()
        .execute(sa.text("SELECT count(*) FROM lessons WHERE asset_id IS NULL"))
        .scalar_one()
    )
    if standalone:
        raise RuntimeError(
            f"{standalone} lessons stand alone (no asset) and revision 0009 cannot hold them: "
            "export them (hindsight export) and delete them, or attach them to assets, first"
        )
    with op.batch_alter_table("lesson_teams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lesson_teams_team_id"))
    op.drop_table("lesson_teams")
    with op.batch_alter_table("lessons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lessons_project_id"))
        batch_op.drop_index(batch_op.f("ix_lessons_owning_team_id"))
        batch_op.drop_constraint("fk_lessons_project_id_projects", type_="foreignkey")
        batch_op.drop_constraint("fk_lessons_owning_team_id_teams", type_="foreignkey")
        batch_op.drop_column("visibility")
        batch_op.drop_column("project_id")
        batch_op.drop_column("owning_team_id")
        batch_op.alter_column("asset_id", existing_type=sa.Integer(), nullable=False)
