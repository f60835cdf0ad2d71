"""Issue 21, the bilan at national scale: each session's tally holds its own figures too —
its scheduled séances and their minutes, its feedback by score — and ``bilan_session_month``
its minutes by month, so that the bilan reads no séance and no feedback row; and two covering
indexes let a year's people be added up by category and by centre from an index alone.

The rows are then counted from what the database holds (``flask rebuild-rollups``, the
application's code), which ``0010_bilan_rollups`` did before: it no longer does, since the
code it ran now writes these columns too.

Revision ID: 0020_bilan_tally
Revises: 0016_public_page_versions
"""

import sqlalchemy as sa
import sqlalchemy.orm as so
from alembic import op

revision = "0020_bilan_tally"
down_revision = "0016_public_page_versions"
branch_labels = None
depends_on = None

COLUMNS = ("seances", "seance_minutes", *(f"feedback_{score}" for score in range(1, 6)))


def upgrade():
    with op.batch_alter_table("bilan_session_tally") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("bilan_session_tally") as batch:
        for name in COLUMNS:
            batch.alter_column(name, server_default=None)
    op.create_table(
        "bilan_session_month",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_session.id"],
            name=op.f("fk_bilan_session_month_session_id_training_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "month", name=op.f("pk_bilan_session_month")),
    )
    op.create_index(
        "ix_bilan_year_count_categories",
        "bilan_year_count",
        ["year", "kind", "category", "sub_category", "participants", "first_timers", "waitlisted"],
    )
    op.create_index(
        "ix_bilan_year_count_centres",
        "bilan_year_count",
        ["year", "kind", "centre_id", "participants"],
    )
    _count_existing()


def _count_existing() -> None:
    """Count what the database holds already (what ``flask rebuild-rollups`` does).

    This runs the application's code, so it reads the models as they are at the head: when a
    later migration changes a table read or written here (training_session, seance,
    enrolment, attendance, feedback, user, the bilan's rows), move this call to it. A
    database without any session (every new install) has nothing to count."""
    bind = op.get_bind()
    if not bind.execute(sa.text("SELECT 1 FROM training_session LIMIT 1")).first():
        return
    from reseau.attendance import rollups

    with so.Session(bind=bind) as session:
        rollups.rebuild(session)
        session.flush()


def downgrade():
    op.drop_table("bilan_session_month")
    op.drop_index("ix_bilan_year_count_centres", table_name="bilan_year_count")
    op.drop_index("ix_bilan_year_count_categories", table_name="bilan_year_count")
    with op.batch_alter_table("bilan_session_tally") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
