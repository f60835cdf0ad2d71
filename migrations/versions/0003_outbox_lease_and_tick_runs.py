"""Issue 20: the outbox's lease, Message-ID and server reply; the record of tick runs.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

import reseau.core.database

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("outbox_mail", sa.Column("message_id", sa.String(length=250), nullable=True))
    op.add_column(
        "outbox_mail", sa.Column("lease_until", reseau.core.database.UTCDateTime(), nullable=True)
    )
    op.add_column("outbox_mail", sa.Column("server_reply", sa.String(length=500), nullable=True))
    op.create_table(
        "tick_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", reseau.core.database.UTCDateTime(), nullable=False),
        sa.Column("finished_at", reseau.core.database.UTCDateTime(), nullable=True),
        sa.Column("host", sa.String(length=120), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("failed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tick_run")),
    )
    with op.batch_alter_table("tick_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tick_run_started_at"), ["started_at"], unique=False)


def downgrade():
    with op.batch_alter_table("tick_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tick_run_started_at"))
    op.drop_table("tick_run")
    with op.batch_alter_table("outbox_mail", schema=None) as batch_op:
        batch_op.drop_column("server_reply")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("message_id")
