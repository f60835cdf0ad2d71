"""A person's sub-category (élu municipal, agent CAF…), finer than the category.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("sub_category", sa.String(80), server_default="", nullable=False))
    # The server default only fills the existing rows; new rows get the model's default.
    with op.batch_alter_table("user") as batch:
        batch.alter_column("sub_category", existing_type=sa.String(80), server_default=None)


def downgrade():
    with op.batch_alter_table("user") as batch:
        batch.drop_column("sub_category")
