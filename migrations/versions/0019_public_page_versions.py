"""Issue 21, the public pages: the catalogue orders a page of upcoming sessions from an index
alone (status, end, start), and the public cycle page's ETag reads the latest change of a cold
answer (its published results count them) from an index.

``ix_training_session_upcoming`` replaces ``ix_training_session_status_ends`` (its first two
columns: every read of that one is served by this one).

Revision ID: 0016_public_page_versions
Revises: 0016_diagnostic_rates
"""

from alembic import op

revision = "0016_public_page_versions"
down_revision = "0016_diagnostic_rates"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_training_session_upcoming",
        "training_session",
        ["status", "ends_at", "starts_at", "id"],
    )
    op.drop_index("ix_training_session_status_ends", table_name="training_session")
    op.create_index("ix_cold_answer_updated_at", "cold_answer", ["updated_at"])


def downgrade():
    op.drop_index("ix_cold_answer_updated_at", table_name="cold_answer")
    op.create_index(
        "ix_training_session_status_ends", "training_session", ["status", "ends_at", "id"]
    )
    op.drop_index("ix_training_session_upcoming", table_name="training_session")
