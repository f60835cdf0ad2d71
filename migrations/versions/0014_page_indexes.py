"""Indexes of the pages people use every day (issue 21): the catalogue's ETag, the
coordinator's dashboard.

Revision ID: 0010_page_indexes
Revises: 0006_funders
"""

from alembic import op

revision = "0010_page_indexes"
down_revision = "0010_adjustments"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_training_session_status_ends", "training_session", ["status", "ends_at", "id"]),
    ("ix_training_session_updated_at", "training_session", ["updated_at"]),
    ("ix_enrolment_updated_at", "enrolment", ["updated_at"]),
    ("ix_feedback_created_at", "feedback", ["created_at"]),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
