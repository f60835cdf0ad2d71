"""The file of an import between its preview and its confirmation."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.core.database import UTCDateTime, utcnow
from reseau.core.extensions import db


class PendingImport(db.Model):
    """An uploaded file waiting for its confirmation, bound to who sent it.

    Kept in the database rather than in ``instance/``: the confirmation may reach another
    worker or host. Only the token's SHA-256 is stored; rows expire (``tick`` purges them).
    """

    __tablename__ = "pending_import"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    actor_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    # The centre chosen for every row; None: the file's centre column (coordinator only).
    centre_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("centre.id", ondelete="CASCADE")
    )
    filename: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    content: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    # {column index: field name}, as matched from the headers or chosen in the form.
    mapping: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    default_category: so.Mapped[str] = so.mapped_column(sa.String(20), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)

    def __repr__(self) -> str:
        return f"<PendingImport {self.id} actor={self.actor_id} {self.filename!r}>"
