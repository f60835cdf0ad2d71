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


_FROM = """
    FROM skill_answer a
    JOIN diagnostic_response r ON r.id = a.response_id
    JOIN "user" u ON u.id = r.person_id
    LEFT JOIN centre c ON c.id = u.centre_id
    JOIN diagnostic_skill s ON s.id = a.skill_id
    WHERE a.wants_training IN ('yes', 'priority')
"""
_WEIGHT = "CASE a.wants_training WHEN 'priority' THEN 2 WHEN 'yes' THEN 1 ELSE 0 END"
COUNT_EXISTING = (
    f"""INSERT INTO diagnostic_theme_count
        (campaign_id, theme_id, department_id, category, people, priority, score)
    SELECT campaign_id, theme_id, department_id, category, COUNT(*),
        SUM(CASE WHEN weight = 2 THEN 1 ELSE 0 END), SUM(weight)
    FROM (SELECT r.campaign_id, s.theme_id, COALESCE(c.department_id, 0) AS department_id,
            u.category, MAX({_WEIGHT}) AS weight {_FROM}
          GROUP BY r.campaign_id, s.theme_id, c.department_id, u.category, r.id) AS per_person
    GROUP BY campaign_id, theme_id, department_id, category""",
    f"""INSERT INTO diagnostic_skill_count
        (campaign_id, skill_id, department_id, category, people, priority, score)
    SELECT r.campaign_id, a.skill_id, COALESCE(c.department_id, 0), u.category, COUNT(*),
        SUM(CASE WHEN a.wants_training = 'priority' THEN 1 ELSE 0 END), SUM({_WEIGHT}) {_FROM}
    GROUP BY r.campaign_id, a.skill_id, c.department_id, u.category""",
    """INSERT INTO diagnostic_respondent_count (campaign_id, department_id, category, respondents)
    SELECT r.campaign_id, COALESCE(c.department_id, 0), u.category, COUNT(*)
    FROM diagnostic_response r
    JOIN "user" u ON u.id = r.person_id
    LEFT JOIN centre c ON c.id = u.centre_id
    WHERE r.started_at IS NOT NULL
    GROUP BY r.campaign_id, c.department_id, u.category""",
)


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
    # Count the answers already there (what ``flask rebuild-rollups`` does, in plain SQL).
    for statement in COUNT_EXISTING:
        op.execute(statement)


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
