"""Figures without a global data version: drop ``data_version``.

Revision ID: 0006_rollups
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_rollups"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table("data_version")


def downgrade():
    op.create_table(
        "data_version",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_version")),
    )
