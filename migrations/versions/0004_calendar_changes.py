"""Issue 14: what calendars need to follow every change.

- ``updated_at`` on themes, cycles, modules and centres: their names and addresses appear in
  calendar events, so they are part of the feeds' fingerprints;
- ``sent_invitation``: the last iTIP message each person got for each séance, so that SEQUENCE
  never goes down for a UID;
- ``calendar_setting``: values fixed at first start (the host part of event UIDs).

Revision ID: 0004
Revises: 0003
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import reseau.core.database

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

STAMPED = ("theme", "cycle", "module", "centre")


def upgrade():
    now = datetime.now(UTC).replace(tzinfo=None)
    for table in STAMPED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("updated_at", reseau.core.database.UTCDateTime(), nullable=True))
        op.execute(sa.table(table, sa.column("updated_at")).update().values(updated_at=now))
        with op.batch_alter_table(table) as batch:
            batch.alter_column("updated_at", existing_type=sa.DateTime(), nullable=False)
    op.create_table(
        "sent_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("seance_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("sent_at", reseau.core.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["user.id"], name=op.f("fk_sent_invitation_person_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seance_id"], ["seance.id"], name=op.f("fk_sent_invitation_seance_id_seance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_invitation")),
        sa.UniqueConstraint(
            "person_id", "seance_id", name=op.f("uq_sent_invitation_person_id_seance_id")
        ),
    )
    op.create_index(
        op.f("ix_sent_invitation_seance_id"), "sent_invitation", ["seance_id"], unique=False
    )
    op.create_table(
        "calendar_setting",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_calendar_setting")),
    )


def downgrade():
    op.drop_table("calendar_setting")
    op.drop_index(op.f("ix_sent_invitation_seance_id"), table_name="sent_invitation")
    op.drop_table("sent_invitation")
    for table in reversed(STAMPED):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("updated_at")
