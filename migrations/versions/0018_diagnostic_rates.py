"""The diagnostic's response rates from summary rows: people who may be asked per centre and
category, and per campaign, centre and category who answered; the index the latest free
texts read.

Revision ID: 0016_diagnostic_rates
Revises: 0016_people_counts
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_diagnostic_rates"
down_revision = "0016_people_counts"
branch_labels = None
depends_on = None

COUNT_EXISTING = (
    """INSERT INTO diagnostic_audience_count (centre_id, category, people)
    SELECT u.centre_id, u.category, COUNT(*) FROM "user" u
    WHERE u.status = 'active' AND u.email IS NOT NULL AND u.centre_id IS NOT NULL
    GROUP BY u.centre_id, u.category""",
    """INSERT INTO diagnostic_centre_count
        (campaign_id, centre_id, category, respondents, submitted, unlisted)
    SELECT r.campaign_id, u.centre_id, u.category, COUNT(*), COUNT(r.submitted_at),
        SUM(CASE WHEN u.status = 'active' AND u.email IS NOT NULL THEN 0 ELSE 1 END)
    FROM diagnostic_response r JOIN "user" u ON u.id = r.person_id
    WHERE r.started_at IS NOT NULL AND u.centre_id IS NOT NULL
    GROUP BY r.campaign_id, u.centre_id, u.category""",
)


def _centre_key() -> list:
    return [
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
    ]


def _has_rows(query: str) -> bool:
    return op.get_bind().execute(sa.text(query)).first() is not None


def upgrade():
    op.create_table(
        "diagnostic_audience_count",
        *_centre_key(),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centre.id"],
            name=op.f("fk_diagnostic_audience_count_centre_id_centre"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("centre_id", "category", name=op.f("pk_diagnostic_audience_count")),
    )
    op.create_table(
        "diagnostic_centre_count",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        *_centre_key(),
        sa.Column("respondents", sa.Integer(), nullable=False),
        sa.Column("submitted", sa.Integer(), nullable=False),
        sa.Column("unlisted", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["diagnostic_campaign.id"],
            name=op.f("fk_diagnostic_centre_count_campaign_id_diagnostic_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centre.id"],
            name=op.f("fk_diagnostic_centre_count_centre_id_centre"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "campaign_id", "centre_id", "category", name=op.f("pk_diagnostic_centre_count")
        ),
    )
    op.create_index(
        "ix_diagnostic_response_campaign_updated",
        "diagnostic_response",
        ["campaign_id", "updated_at"],
    )
    # Count the people and responses already there (what ``flask rebuild-rollups`` does).
    if _has_rows('SELECT 1 FROM "user" LIMIT 1'):
        op.execute(COUNT_EXISTING[0])
    if _has_rows("SELECT 1 FROM diagnostic_response LIMIT 1"):
        op.execute(COUNT_EXISTING[1])


def downgrade():
    op.drop_index("ix_diagnostic_response_campaign_updated", table_name="diagnostic_response")
    op.drop_table("diagnostic_centre_count")
    op.drop_table("diagnostic_audience_count")
