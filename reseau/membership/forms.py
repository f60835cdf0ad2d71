"""Forms of the membership room: a centre's year, a year's fee rate, the list's year."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, Field
from wtforms.validators import InputRequired, Optional, ValidationError
from wtforms.widgets import TextInput

from reseau.core.database import utcnow
from reseau.core.i18n import to_local
from reseau.core.lists import FilterForm, NumberField
from reseau.membership.queries import YEAR_MAX, YEAR_MIN

BUDGET_MAX = Decimal("1000000000")


class FrenchDecimalField(Field):
    """A decimal number as people type it in French: « 1 234 567,89 », « 0,1 » or « 0.1 ».

    ``places`` decimals at most, between ``minimum`` and ``maximum``; anything else gives
    ``message`` next to the field, and the input keeps what was typed."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, *, places: int, minimum: Decimal,
                 maximum: Decimal, message: str, **kwargs):  # fmt: skip
        super().__init__(label, validators, **kwargs)
        self.places, self.minimum, self.maximum, self.message = places, minimum, maximum, message

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = "".join(str(valuelist[0]).split()).replace("\u202f", "").replace(",", ".")
        text = text.removesuffix("€").removesuffix("%")
        if not text:
            self.data = None
            return
        try:
            value = Decimal(text)
        except InvalidOperation:
            self.data = None
            raise ValueError(self.message) from None
        if not value.is_finite() or -value.as_tuple().exponent > self.places:
            self.data = None
            raise ValueError(self.message)
        if not self.minimum <= value <= self.maximum:
            self.data = None
            raise ValueError(self.message)
        self.data = value

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data).replace(".", ",")


class FrenchDateField(DateField):
    """A date (jj/mm/aaaa in the browser's picker) with a French message when it is not one."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Date invalide : choisissez une date (jj/mm/aaaa).") from None


class MembershipForm(FlaskForm):
    is_member = BooleanField("Adhérent au réseau cette année")
    budget = FrenchDecimalField(
        "Budget déclaré (€)",
        validators=[Optional()],
        places=2,
        minimum=Decimal(0),
        maximum=BUDGET_MAX,
        message="Un montant en euros, au centime près (par exemple 245 000,50).",
    )
    paid_on = FrenchDateField("Cotisation payée le", validators=[Optional()], format="%Y-%m-%d")

    def validate_paid_on(self, field):
        if field.data and not self.is_member.data:
            raise ValidationError("Seul un centre adhérent paie une cotisation.")
        if field.data and field.data > utcnow().date():
            raise ValidationError("La date de paiement ne peut pas être dans le futur.")


class FeeRateForm(FlaskForm):
    percent = FrenchDecimalField(
        "Taux de cotisation (% du budget)",
        validators=[InputRequired("Indiquez le taux, par exemple 0,10.")],
        places=4,
        minimum=Decimal(0),
        maximum=Decimal(100),
        message="Un pourcentage entre 0 et 100, quatre décimales au plus (par exemple 0,10).",
    )


class YearFilter(FilterForm):
    annee = NumberField("Année", minimum=YEAR_MIN, maximum=YEAR_MAX)


def this_year() -> int:
    return to_local(utcnow()).year
