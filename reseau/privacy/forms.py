"""Forms of the privacy room, with French messages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from reseau.core.lists import DayField, FilterForm, SearchField

CONFIRM_DELETION = "Cochez la case pour confirmer votre demande."
CONFIRM_ANONYMISE = "Cochez la case pour confirmer l'anonymisation."


class DeletionRequestForm(FlaskForm):
    reason = TextAreaField(
        "Motif (facultatif)",
        validators=[Optional(), Length(max=500, message="500 caractères au plus.")],
    )
    confirm = BooleanField(
        "Je demande la suppression de mon compte et de mes informations personnelles.",
        validators=[InputRequired(CONFIRM_DELETION)],
    )
    submit = SubmitField("Envoyer ma demande")


class AnonymiseForm(FlaskForm):
    confirm = BooleanField(
        "J'ai compris : le nom, l'adresse e-mail et le téléphone seront effacés définitivement.",
        validators=[InputRequired(CONFIRM_ANONYMISE)],
    )
    submit = SubmitField("Anonymiser cette personne")


class AuditFilterForm(FilterForm):
    action = SearchField(max_length=60)
    auteur = SearchField()
    du = DayField()
    au = DayField()
