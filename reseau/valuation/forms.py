"""Forms of the valuation room: a year's rate, a session's preparation, the page's filters."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length, Optional

from reseau.accounts.forms import strip_filter
from reseau.core.forms import WholeNumberField
from reseau.core.lists import FilterForm, IdField, NumberField
from reseau.membership.forms import FrenchDecimalField
from reseau.membership.queries import YEAR_MAX, YEAR_MIN


class RateForm(FlaskForm):
    year = WholeNumberField(
        "Année",
        validators=[InputRequired("Indiquez l'année.")],
        minimum=YEAR_MIN,
        maximum=YEAR_MAX,
        message=f"Une année entre {YEAR_MIN} et {YEAR_MAX}.",
    )
    rate = FrenchDecimalField(
        "Taux horaire (€ par heure)",
        validators=[InputRequired("Indiquez le taux horaire, par exemple 17,43.")],
        places=2,
        minimum=Decimal(0),
        maximum=Decimal(1000),
        message="Un montant en euros entre 0 et 1 000, au centime près (par exemple 17,43).",
    )
    note = StringField(
        "Source (facultatif)", filters=[strip_filter], validators=[Optional(), Length(max=200)]
    )


class PreparationForm(FlaskForm):
    hours = FrenchDecimalField(
        "Heures de préparation par formateur·rice bénévole",
        validators=[Optional()],
        places=2,
        minimum=Decimal(0),
        maximum=Decimal(500),
        message="Un nombre d'heures entre 0 et 500 (par exemple 3 ou 2,5).",
    )


class ValuationFilter(FilterForm):
    annee = NumberField("Année", minimum=YEAR_MIN, maximum=YEAR_MAX)
    centre = IdField("Centre social")
