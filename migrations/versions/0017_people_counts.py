"""People counts (issue 21): how many people each centre has in each status.

The coordinator's home reads them instead of counting every person. Filled here from the
people already there (the same figures as ``flask rebuild-rollups``), in plain SQL of this
revision.

Revision ID: 0016_people_counts
Revises: 0016_adjustment_withdrawn
"""

import sqlalchemy as sa
from alembic import op

revision = '0016_people_counts'
down_revision = '0016_adjustment_withdrawn'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('people_count',
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('status', 'centre_id', name=op.f('pk_people_count'))
    )
    _count_existing()


def _count_existing() -> None:
    bind = op.get_bind()
    user = sa.table("user", sa.column("id"), sa.column("status"), sa.column("centre_id"))
    if not bind.execute(sa.select(user.c.id).limit(1)).first():
        return
    centre = sa.func.coalesce(user.c.centre_id, 0)
    counts = sa.table(
        "people_count", sa.column("status"), sa.column("centre_id"), sa.column("people")
    )
    bind.execute(
        counts.insert().from_select(
            ["status", "centre_id", "people"],
            sa.select(user.c.status, centre, sa.func.count()).group_by(
                user.c.status, user.c.centre_id
            ),
        )
    )


def downgrade():
    op.drop_table('people_count')
