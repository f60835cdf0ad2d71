"""An adjustment request follows its enrolment: withdrawn when the enrolment is cancelled or
declined (adjustment_request.withdrawn_at), back when the person enrols again.

Revision ID: 0016_adjustment_withdrawn
Revises: 0010_bilan_rollups
"""
from alembic import op
import sqlalchemy as sa

import reseau.core.database


# revision identifiers, used by Alembic.
revision = '0016_adjustment_withdrawn'
down_revision = '0010_bilan_rollups'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('adjustment_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', reseau.core.database.UTCDateTime(), nullable=True))
    _withdraw_existing()


def _withdraw_existing() -> None:
    """Requests whose enrolment already ended: withdrawn as of that cancellation (or now).
    Runs only when there are requests (every new install has none)."""
    bind = op.get_bind()
    if not bind.execute(sa.text("SELECT 1 FROM adjustment_request LIMIT 1")).first():
        return
    bind.execute(
        sa.text(
            "UPDATE adjustment_request SET withdrawn_at = COALESCE("
            " (SELECT enrolment.cancelled_at FROM enrolment"
            "   WHERE enrolment.session_id = adjustment_request.session_id"
            "     AND enrolment.person_id = adjustment_request.person_id),"
            " adjustment_request.updated_at)"
            " WHERE NOT EXISTS (SELECT 1 FROM enrolment"
            "   WHERE enrolment.session_id = adjustment_request.session_id"
            "     AND enrolment.person_id = adjustment_request.person_id"
            "     AND enrolment.status NOT IN ('cancelled', 'declined'))"
        )
    )


def downgrade():
    with op.batch_alter_table('adjustment_request', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')
