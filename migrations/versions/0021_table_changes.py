"""Issue 21, kept figures: ``table_change`` counts, table by table and backend by backend, the
transactions that wrote and committed (``reseau/core/changes.py``). The bilan and the
diagnostic results kept between requests (``reseau/core/cache.py``) are checked against it.

Revision ID: 0021_table_changes
Revises: 0020_bilan_tally
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_table_changes"
down_revision = "0020_bilan_tally"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "table_change",
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("slot", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("changes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "slot", name=op.f("pk_table_change")),
    )


def downgrade():
    op.drop_table("table_change")
