"""Issue 21, the bilan after a write: a period's sessions with their status, kind, theme and
module from one index (an index-only scan instead of reading a year of wide rows).

Revision ID: 0022_session_period_index
Revises: 0021_table_changes
"""

from alembic import op

revision = "0022_session_period_index"
down_revision = "0021_table_changes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_training_session_period",
        "training_session",
        ["starts_at", "status", "kind", "theme_id", "module_id", "id"],
    )


def downgrade():
    op.drop_index("ix_training_session_period", table_name="training_session")
