"""The bilan's GET filters, read with ``formdata=request.args`` (no CSRF: they change nothing)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from reseau.catalogue.models import SessionKind

ALL_KINDS = "Tous les types de session"


class BilanKindForm(FlaskForm):
    """Which kind of session the bilan counts: formations, rencontres régionales, journées
    départementales, or all of them (empty)."""

    class Meta:
        csrf = False

    kind = SelectField(
        "Type de session",
        name="type",
        choices=[SelectChoice("", ALL_KINDS)]
        + [SelectChoice(kind.value, kind.label) for kind in SessionKind],
        default="",
        validate_choice=False,  # validate_kind says it in French
    )

    def validate_kind(self, field):
        if field.data and field.data not in {kind.value for kind in SessionKind}:
            raise ValidationError("Choisissez un type de session dans la liste.")

    @property
    def chosen(self) -> SessionKind | None:
        """The kind asked for, or None (all kinds, or a value that is not one)."""
        if not self.kind.data or self.kind.errors:
            return None
        try:
            return SessionKind(self.kind.data)
        except ValueError:  # not validated yet
            return None
