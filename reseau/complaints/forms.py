"""The public complaint form, the register's filters and the coordinator's handling forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from reseau.accounts.forms import (
    EMAIL_INVALID,
    REQUIRED,
    one_line_filter,
    select_choices,
    strip_filter,
)
from reseau.complaints.models import ComplaintCategory, ComplaintKind, ComplaintStatus
from reseau.core.forms import coerce_id
from reseau.core.lists import FilterForm, IdField, NumberField, OneOfField, enum_values

TEXT_MAX = 5000


def _choices(enum_class) -> list:
    return select_choices((member.value, member.label) for member in enum_class)


class ComplaintForm(FlaskForm):
    """Anyone's: a complaint or a difficulty, optionally about a session."""

    kind = RadioField(
        "Vous souhaitez",
        choices=_choices(ComplaintKind),
        default=ComplaintKind.COMPLAINT.value,
        validators=[InputRequired("Choisissez réclamation ou difficulté.")],
    )
    category = SelectField(
        "À quel sujet ?",
        choices=select_choices([("", "— Choisir —")]) + _choices(ComplaintCategory),
        validators=[InputRequired("Choisissez un sujet dans la liste.")],
    )
    session_id = SelectField(
        "Session concernée (facultatif)", coerce=coerce_id, validators=[Optional()]
    )
    name = StringField(
        "Votre nom",
        filters=[one_line_filter],
        validators=[InputRequired(REQUIRED), Length(max=200)],
    )
    email = EmailField(
        "Votre adresse e-mail",
        filters=[strip_filter],
        validators=[InputRequired(REQUIRED), Email(EMAIL_INVALID), Length(max=254)],
    )
    text = TextAreaField(
        "Votre message",
        filters=[strip_filter],
        validators=[
            InputRequired(REQUIRED),
            Length(min=10, max=TEXT_MAX, message="Entre 10 et 5 000 caractères."),
        ],
    )

    def with_sessions(self, sessions: list[tuple[int | str, str]]) -> ComplaintForm:
        """``sessions``: the choices, "none" first (queries.complaint_sessions)."""
        self.session_id.choices = select_choices(sessions)
        return self

    def validate_category(self, field):
        if field.data not in enum_values(ComplaintCategory):
            raise ValidationError("Choisissez un sujet dans la liste.")


class ComplaintPrefill(FilterForm):
    """What a link to the form may choose in advance (``?session=12&categorie=…``)."""

    session = IdField()
    categorie = OneOfField(values=enum_values(ComplaintCategory))


class RegisterFilterForm(FilterForm):
    statut = OneOfField(values=enum_values(ComplaintStatus))
    categorie = OneOfField(values=enum_values(ComplaintCategory))
    annee = NumberField(minimum=2000, maximum=2999)
    session = IdField()


class YearForm(FilterForm):
    """The export's year (the current one when missing or odd)."""

    annee = NumberField(minimum=2000, maximum=2999)


class HandlingForm(FlaskForm):
    """Who handles it, where it stands, and the improvement decided."""

    handler_id = SelectField("Traitée par", coerce=coerce_id, validators=[Optional()])
    status = SelectField(
        "Statut",
        choices=_choices(
            (ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS, ComplaintStatus.ANSWERED)
        ),
    )
    improvement = TextAreaField(
        "Amélioration décidée",
        filters=[strip_filter],
        validators=[Optional(), Length(max=TEXT_MAX)],
    )

    def with_handlers(self, handlers: list[tuple[int, str]]) -> HandlingForm:
        self.handler_id.choices = select_choices([("", "— Personne —"), *handlers])
        return self


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        "Réponse envoyée à la personne",
        filters=[strip_filter],
        validators=[DataRequired(REQUIRED), Length(max=TEXT_MAX)],
    )


class CloseForm(FlaskForm):
    improvement = TextAreaField(
        "Amélioration décidée (facultatif)",
        filters=[strip_filter],
        validators=[Optional(), Length(max=TEXT_MAX)],
    )
