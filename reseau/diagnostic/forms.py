"""Forms of the diagnostic room (the coordinator's side), with French messages."""

from __future__ import annotations

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from reseau.accounts.forms import REQUIRED, coerce_optional_int, select_choices, strip_filter
from reseau.catalogue.models import Audience, Theme
from reseau.core.extensions import db
from reseau.core.i18n import short_date_fr
from reseau.core.lists import FilterForm, IdField
from reseau.diagnostic.models import DiagnosticCampaign

DATE_INVALID = "Saisissez une date valide, par exemple 15/09/2026."


def theme_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(
        sa.select(Theme.id, Theme.name).order_by(Theme.position, Theme.name)
    ).all()
    return [("", "— Choisir —")] + [(str(row.id), row.name) for row in rows]


def campaign_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(
        sa.select(
            DiagnosticCampaign.id,
            DiagnosticCampaign.title,
            DiagnosticCampaign.opens_on,
            DiagnosticCampaign.closes_on,
        ).order_by(DiagnosticCampaign.opens_on.desc(), DiagnosticCampaign.id.desc())
    ).all()
    # Its dates tell apart two campaigns of the same title.
    return [
        (
            str(row.id),
            f"{row.title} ({short_date_fr(row.opens_on)} – {short_date_fr(row.closes_on)})",
        )
        for row in rows
    ]


class CampaignForm(FlaskForm):
    title = StringField(
        "Titre",
        filters=[strip_filter],
        validators=[InputRequired(REQUIRED), Length(max=200, message="200 caractères au plus.")],
    )
    audience = SelectField(
        "Pour qui", choices=select_choices(Audience.choices()), default=Audience.TOUS.value
    )
    opens_on = DateField(
        "Ouverture des réponses", validators=[InputRequired(DATE_INVALID)], format="%Y-%m-%d"
    )
    closes_on = DateField(
        "Clôture des réponses", validators=[InputRequired(DATE_INVALID)], format="%Y-%m-%d"
    )
    introduction = TextAreaField(
        "Mot d'accueil (affiché en haut du questionnaire)",
        filters=[strip_filter],
        validators=[Optional(), Length(max=3000, message="3000 caractères au plus.")],
    )
    copy_from = SelectField(
        "Partir du questionnaire de", coerce=coerce_optional_int, validate_choice=False
    )
    submit = SubmitField("Enregistrer la campagne")

    def validate_closes_on(self, field):
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError("La clôture doit venir après l'ouverture.")

    def validate_copy_from(self, field):
        if field.data is not None and db.session.get(DiagnosticCampaign, field.data) is None:
            raise ValidationError("Choisissez une campagne de la liste.")


class SkillForm(FlaskForm):
    theme_id = SelectField(
        "Thématique", coerce=coerce_optional_int, validators=[InputRequired(REQUIRED)]
    )
    title = StringField(
        "Compétence (courte)",
        filters=[strip_filter],
        validators=[InputRequired(REQUIRED), Length(max=200, message="200 caractères au plus.")],
    )
    explanation = TextAreaField(
        "Ce que cela veut dire au quotidien dans un centre",
        filters=[strip_filter],
        validators=[Optional(), Length(max=2000, message="2000 caractères au plus.")],
    )
    submit = SubmitField("Enregistrer la compétence")

    def validate_theme_id(self, field):
        if field.data is None or db.session.get(Theme, field.data) is None:
            raise ValidationError("Choisissez une thématique.")


class QuestionForm(FlaskForm):
    prompt = StringField(
        "Question ouverte",
        filters=[strip_filter],
        validators=[InputRequired(REQUIRED), Length(max=300, message="300 caractères au plus.")],
    )
    submit = SubmitField("Ajouter la question")


class CampaignListFilterForm(FilterForm):
    """The campaign list has pages only."""


class FollowUpFilterForm(FilterForm):
    centre = IdField()  # the coordinator's choice; a referent follows their own centre
