"""Issue 19 (Mon parcours): whether a person lets their centre's referent read their
training record (``user.parcours_shared``, off by default).

Revision ID: 0010_parcours
Revises: 0006_funders
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_parcours"
down_revision = "0010_complaints_programme"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user") as batch:
        batch.add_column(
            sa.Column("parcours_shared", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # The server default only fills the existing rows; new rows get the model's default.
    with op.batch_alter_table("user") as batch:
        batch.alter_column("parcours_shared", existing_type=sa.Boolean(), server_default=None)


def downgrade():
    with op.batch_alter_table("user") as batch:
        batch.drop_column("parcours_shared")
