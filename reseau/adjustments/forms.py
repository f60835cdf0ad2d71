"""Forms of the adjustments room, with French messages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from reseau.adjustments.models import TEXT_MAX
from reseau.core.lists import FilterForm, IdField, OneOfField

TOO_LONG = "2 000 caractères au plus."
STATES = {"ouvertes": "À traiter", "prevues": "Aménagement prévu"}


def _strip(text):
    return (text or "").strip()


def adjustment_field(label: str = "Avez-vous besoin d'un aménagement ? (facultatif)"):
    """The optional, confidential request at enrolment, for every enrol form."""
    return TextAreaField(
        label,
        description=(
            "Un handicap, une difficulté de santé, un besoin pour suivre la formation : "
            "seules la coordination et la référente ou le référent handicap le lisent."
        ),
        filters=[_strip],
        validators=[Optional(), Length(max=TEXT_MAX, message=TOO_LONG)],
    )


class AdjustmentFilterForm(FilterForm):
    """The list's filters (``?etat=ouvertes|prevues&session=``)."""

    etat = OneOfField(values=STATES.keys())
    session = IdField()


class ArrangementForm(FlaskForm):
    arranged = TextAreaField(
        "Ce qui est prévu",
        filters=[_strip],
        validators=[
            DataRequired("Écrivez ce qui est prévu pour cette personne."),
            Length(max=TEXT_MAX, message=TOO_LONG),
        ],
    )
