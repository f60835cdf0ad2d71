"""Issue 21, the catalogue generated afresh: a page's upcoming sessions in date order from one
index (status, starts_at, id, ends_at), walked in ORDER BY starts_at, id without reading the
table nor sorting; it replaces ix_training_session_status_starts, its prefix.

Revision ID: 0023_catalogue_upcoming_order
Revises: 0022_session_period_index
"""

from alembic import op

revision = "0023_catalogue_upcoming_order"
down_revision = "0022_session_period_index"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_training_session_upcoming_order",
        "training_session",
        ["status", "starts_at", "id", "ends_at"],
    )
    op.drop_index("ix_training_session_status_starts", table_name="training_session")


def downgrade():
    op.create_index(
        "ix_training_session_status_starts", "training_session", ["status", "starts_at"]
    )
    op.drop_index("ix_training_session_upcoming_order", table_name="training_session")
