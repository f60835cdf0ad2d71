"""Figures without a global data version: drop ``data_version``; the diagnostic's summary rows.

Revision ID: 0006_rollups
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_rollups"
down_revision = "0005"
branch_labels = None
depends_on = None


def _counts(name: str, key: list, values: list) -> None:
    op.create_table(
        name,
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        *key,
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        *values,
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["diagnostic_campaign.id"],
            name=op.f(f"fk_{name}_campaign_id_diagnostic_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "campaign_id",
            *(column.name for column in key),
            "department_id",
            "category",
            name=op.f(f"pk_{name}"),
        ),
    )


def _people_columns() -> list:
    return [
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
    ]


def upgrade():
    op.drop_table("data_version")
    _counts(
        "diagnostic_theme_count",
        [
            sa.Column("theme_id", sa.Integer(), nullable=False),
        ],
        [
            *_people_columns(),
            sa.ForeignKeyConstraint(
                ["theme_id"], ["theme.id"], name=op.f("fk_diagnostic_theme_count_theme_id_theme")
            ),
        ],
    )
    _counts(
        "diagnostic_skill_count",
        [sa.Column("skill_id", sa.Integer(), nullable=False)],
        [
            *_people_columns(),
            sa.ForeignKeyConstraint(
                ["skill_id"],
                ["diagnostic_skill.id"],
                name=op.f("fk_diagnostic_skill_count_skill_id_diagnostic_skill"),
                ondelete="CASCADE",
            ),
        ],
    )
    _counts(
        "diagnostic_respondent_count",
        [],
        [sa.Column("respondents", sa.Integer(), nullable=False)],
    )
    # Existing answers are counted by ``flask rebuild-rollups`` (see the README).


def downgrade():
    op.drop_table("diagnostic_respondent_count")
    op.drop_table("diagnostic_skill_count")
    op.drop_table("diagnostic_theme_count")
    op.create_table(
        "data_version",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_version")),
    )
