"""Forms of the evaluation room."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from reseau.accounts.forms import strip_filter
from reseau.catalogue.forms import choices_of
from reseau.core.forms import WholeNumberField, coerce_id
from reseau.evaluation.models import ObjectivesReached, UseLevel


def _text(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip_filter],
        validators=[Optional(), Length(max=5000, message="5 000 caractères au plus.")],
    )


class ColdAnswerForm(FlaskForm):
    used = RadioField(
        "Avez-vous utilisé ce que vous avez appris ?",
        choices=choices_of(UseLevel.choices()),
        validators=[Optional()],
        validate_choice=False,
    )
    changes = _text("Qu'est-ce qui a changé dans votre centre, ou dans votre façon de faire ?")
    gained = _text("Ce que cela vous a apporté")
    missing = _text("Ce qui vous a manqué")
    needs = _text("Ce dont vous auriez besoin ensuite (une autre formation, un outil, un appui…)")

    def validate_used(self, field):
        if field.data and field.data not in {level.value for level in UseLevel}:
            field.data = None
            raise ValueError("Choisissez une des réponses proposées.")


class TrainerEvaluationForm(FlaskForm):
    group_notes = _text("Le groupe : dynamique, participation, niveau de départ")
    objectives = RadioField(
        "Les objectifs de la session ont-ils été atteints ?",
        choices=choices_of(ObjectivesReached.choices()),
        validators=[InputRequired("Dites si les objectifs ont été atteints.")],
    )
    objectives_notes = _text("Précisions sur les objectifs")
    to_change = _text("Ce qu'il faudrait changer la prochaine fois")


class CentreReviewForm(FlaskForm):
    brought = _text("Ce que les formations ont apporté à votre centre")
    missing = _text("Ce qui a manqué")
    needs = _text("Ce dont votre centre aurait besoin ensuite")


class ScheduleForm(FlaskForm):
    delay_days = WholeNumberField(
        "Envoi du questionnaire à froid, en jours après la fin de la session",
        validators=[InputRequired("Indiquez un nombre de jours.")],
        minimum=1,
        maximum=365,
        message="Entre 1 et 365 jours.",
    )
    reminder_days = WholeNumberField(
        "Relance des personnes sans réponse, en jours après l'envoi",
        validators=[InputRequired("Indiquez un nombre de jours.")],
        minimum=1,
        maximum=90,
        message="Entre 1 et 90 jours.",
    )


class ForwardNeedForm(FlaskForm):
    campaign_id = SelectField(
        "Campagne de diagnostic",
        coerce=coerce_id,
        validators=[InputRequired("Choisissez une campagne.")],
    )


class YearForm(FlaskForm):
    class Meta:
        csrf = False

    annee = WholeNumberField(
        "Année",
        validators=[Optional()],
        minimum=1990,
        maximum=2100,
        message="Une année entre 1990 et 2100.",
    )
