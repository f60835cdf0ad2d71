"""Imports of people: the uploaded file kept between the preview and the confirmation.

Revision ID: 0006_imports
Revises: 0006_rollups
"""

import sqlalchemy as sa
from alembic import op

import reseau.core.database

revision = "0006_imports"
down_revision = "0006_rollups"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pending_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("default_category", sa.String(20), nullable=False),
        sa.Column("created_at", reseau.core.database.UTCDateTime(), nullable=False),
        sa.Column("expires_at", reseau.core.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["centre_id"], ["centre.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_pending_import_actor_id", "pending_import", ["actor_id"])
    op.create_index("ix_pending_import_expires_at", "pending_import", ["expires_at"])


def downgrade():
    op.drop_index("ix_pending_import_expires_at", table_name="pending_import")
    op.drop_index("ix_pending_import_actor_id", table_name="pending_import")
    op.drop_table("pending_import")
