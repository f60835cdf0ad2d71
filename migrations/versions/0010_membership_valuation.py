"""Issue 19: membership of the network per centre and year (with the year's fee rate), and
the valuation of volunteer time (hourly rate per year, preparation hours per session).

Revision ID: 0010_membership_valuation
Revises: 0006_funders
"""

import sqlalchemy as sa
from alembic import op

import reseau.core.database

revision = "0010_membership_valuation"
down_revision = "0006_funders"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "membership_fee_rate",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("percent", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("updated_at", reseau.core.database.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "percent >= 0 AND percent <= 100", name=op.f("ck_membership_fee_rate_percent_in_range")
        ),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_membership_fee_rate")),
    )
    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("is_member", sa.Boolean(), nullable=False),
        sa.Column("budget", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("updated_at", reseau.core.database.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "budget IS NULL OR budget >= 0", name=op.f("ck_membership_budget_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centre.id"],
            name=op.f("fk_membership_centre_id_centre"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership")),
        sa.UniqueConstraint("centre_id", "year", name=op.f("uq_membership_centre_id_year")),
    )
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_membership_centre_id"), ["centre_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_membership_year"), ["year"], unique=False)
    op.create_table(
        "valuation_hourly_rate",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("rate", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("updated_at", reseau.core.database.UTCDateTime(), nullable=False),
        sa.CheckConstraint("rate >= 0", name=op.f("ck_valuation_hourly_rate_rate_not_negative")),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_valuation_hourly_rate")),
    )
    op.create_table(
        "session_preparation",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("updated_at", reseau.core.database.UTCDateTime(), nullable=False),
        sa.CheckConstraint("hours >= 0", name=op.f("ck_session_preparation_hours_not_negative")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_session.id"],
            name=op.f("fk_session_preparation_session_id_training_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_session_preparation")),
    )


def downgrade():
    op.drop_table("session_preparation")
    op.drop_table("valuation_hourly_rate")
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_year"))
        batch_op.drop_index(batch_op.f("ix_membership_centre_id"))
    op.drop_table("membership")
    op.drop_table("membership_fee_rate")
