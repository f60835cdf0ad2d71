"""Issue 19 (Mon parcours): whether a person lets their centre's referent read their
training record (off by default: no row, not shared).

Revision ID: 0010_parcours
Revises: 0006_funders
"""

import sqlalchemy as sa
from alembic import op

import reseau.core.database

revision = "0010_parcours"
down_revision = "0006_funders"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "parcours_sharing",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("changed_at", reseau.core.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["user.id"],
            name=op.f("fk_parcours_sharing_person_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_parcours_sharing")),
    )


def downgrade():
    op.drop_table("parcours_sharing")
