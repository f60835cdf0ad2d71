"""Forms of the attendance room, with French messages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from reseau.accounts.forms import select_choices
from reseau.accounts.models import Category
from reseau.core.lists import FilterForm, SearchField

REQUIRED = "Ce champ est obligatoire."


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class GuestForm(FlaskForm):
    """A walk-in who is not in Réseau yet: a person without an account."""

    first_name = StringField(
        "Prénom",
        validators=[InputRequired(REQUIRED), Length(max=80, message="80 caractères au plus.")],
    )
    last_name = StringField(
        "Nom",
        validators=[InputRequired(REQUIRED), Length(max=80, message="80 caractères au plus.")],
    )
    centre = SelectField("Centre social", coerce=int)
    category = SelectField(
        "Catégorie",
        choices=select_choices([("", "Choisir…")] + [(c.value, c.label) for c in Category]),
        validators=[InputRequired("Choisissez une catégorie.")],
    )

    def __init__(self, *args, centres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.centre.choices = select_choices(
            [(0, "Aucun centre / autre structure")]
            + [(centre.id, f"{centre.name} ({centre.town})") for centre in centres]
        )

    def validate_first_name(self, field):
        if not field.data.strip():
            raise ValidationError(REQUIRED)

    def validate_last_name(self, field):
        if not field.data.strip():
            raise ValidationError(REQUIRED)


class FeedbackForm(FlaskForm):
    satisfaction = RadioField(
        "Dans l'ensemble, êtes-vous satisfait·e de cette formation ?",
        choices=select_choices(
            [
                ("5", "5 — Très satisfait·e"),
                ("4", "4 — Satisfait·e"),
                ("3", "3 — Moyennement"),
                ("2", "2 — Peu satisfait·e"),
                ("1", "1 — Pas du tout satisfait·e"),
            ]
        ),
        validators=[InputRequired("Choisissez une note de 1 à 5.")],
    )
    gained = TextAreaField(
        "Ce que cela vous a apporté",
        validators=[Length(max=4000, message="4 000 caractères au plus.")],
    )
    missing = TextAreaField(
        "Ce qui vous a manqué",
        validators=[Length(max=4000, message="4 000 caractères au plus.")],
    )
    would_recommend = RadioField(
        "Recommanderiez-vous cette formation à quelqu'un de votre centre ?",
        choices=select_choices([("oui", "Oui"), ("non", "Non")]),
        validators=[InputRequired("Répondez par oui ou par non.")],
    )


class WalkInSearchForm(FilterForm):
    q = SearchField(max_length=80)
