"""Forms of the funding room: a funder, a session's funding line, the report's period."""

from __future__ import annotations

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from reseau.accounts.forms import REQUIRED, strip_filter
from reseau.core.extensions import db
from reseau.core.forms import WholeNumberField, coerce_id
from reseau.funding.models import Funder

AMOUNT_MAX = 10_000_000


def _amount(label: str) -> WholeNumberField:
    return WholeNumberField(
        label,
        validators=[Optional()],
        minimum=0,
        maximum=AMOUNT_MAX,
        message="Un montant en euros, sans centimes, entre 0 et 10 000 000.",
    )


class FunderForm(FlaskForm):
    name = StringField(
        "Nom du financeur",
        filters=[strip_filter],
        validators=[InputRequired(REQUIRED), Length(max=120)],
    )
    description = TextAreaField(
        "Description", filters=[strip_filter], validators=[Optional(), Length(max=2000)]
    )
    min_group_size = WholeNumberField(
        "Nombre minimum de participant·es par groupe",
        validators=[Optional()],
        minimum=1,
        maximum=1000,
        message="Un nombre entre 1 et 1000, ou rien s'il n'y a pas de minimum.",
    )
    volunteers_only = BooleanField("Ne finance que la formation des bénévoles")
    active = BooleanField("Proposé pour les nouvelles sessions", default=True)

    funder: Funder | None = None

    def validate_name(self, field):
        wanted = field.data.casefold()
        for funder_id, name in db.session.execute(sa.select(Funder.id, Funder.name)):
            if name.casefold() == wanted and (self.funder is None or funder_id != self.funder.id):
                raise ValidationError("Un financeur porte déjà ce nom.")


class SessionFundingForm(FlaskForm):
    funder_id = SelectField(
        "Financeur", coerce=coerce_id, validators=[InputRequired("Choisissez un financeur.")]
    )
    amount_asked = _amount("Montant demandé (€)")
    amount_granted = _amount("Montant accordé (€)")


class ReportForm(FlaskForm):
    """The report's period, read from the query string (no CSRF: a GET filter)."""

    class Meta:
        csrf = False

    du = DateField("Du", validators=[Optional()], format="%Y-%m-%d")
    au = DateField("Au", validators=[Optional()], format="%Y-%m-%d")

    def validate_au(self, field):
        if self.du.data and field.data and field.data < self.du.data:
            raise ValidationError("La fin de la période doit venir après son début.")
