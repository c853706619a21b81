"""Add the audit log, and the state of attachment text extraction

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-03 15:30:00

`audit_events` is append-only: the service has no path to change or remove a row, and on
PostgreSQL a trigger refuses UPDATE and DELETE outright (TRUNCATE too), so not even a
mistaken script rewrites history. SQLite has triggers as well; the same rule is kept there.

Attachments gain `text_status` (pending, done, skipped), its reason and a worker's lease:
text is now read in a worker process after the upload. Rows that exist already had their
text read at upload, so they are `done` (with text) or `skipped` (without).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REFUSE_PG = """
CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % is refused', TG_OP;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("resource_type", sa.String(length=40), nullable=False),
        sa.Column("resource_id", sa.String(length=64), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_events") as batch_op:
        batch_op.create_index("ix_audit_events_at", ["at"], unique=False)
        batch_op.create_index("ix_audit_events_actor_user_id", ["actor_user_id"], unique=False)
        batch_op.create_index("ix_audit_events_action", ["action"], unique=False)
        batch_op.create_index(
            "ix_audit_events_resource", ["resource_type", "resource_id"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_REFUSE_PG)
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                f"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: {verb} is refused'); END"
            )

    with op.batch_alter_table("attachments") as batch_op:
        batch_op.add_column(
            sa.Column("text_status", sa.String(length=16), nullable=False, server_default="pending")
        )
        batch_op.add_column(sa.Column("text_status_reason", sa.String(length=300), nullable=True))
        batch_op.add_column(
            sa.Column("text_lease_until", sa.DateTime(timezone=True), nullable=True)
        )
    attachments = sa.table(
        "attachments",
        sa.column("has_text", sa.Boolean()),
        sa.column("text_status", sa.String()),
        sa.column("text_status_reason", sa.String()),
    )
    op.execute(attachments.update().where(attachments.c.has_text).values(text_status="done"))
    op.execute(
        attachments.update()
        .where(sa.not_(attachments.c.has_text))
        .values(text_status="skipped", text_status_reason="no text was found at upload")
    )
    with op.batch_alter_table("attachments") as batch_op:
        batch_op.alter_column("text_status", server_default=None)
        batch_op.create_index("ix_attachments_text_status", ["text_status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("attachments") as batch_op:
        batch_op.drop_index("ix_attachments_text_status")
        batch_op.drop_column("text_lease_until")
        batch_op.drop_column("text_status_reason")
        batch_op.drop_column("text_status")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_refuse_change()")
    op.drop_table("audit_events")
