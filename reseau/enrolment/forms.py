"""Forms of the enrolment room, with French messages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, SelectField
from wtforms.validators import Email, InputRequired, ValidationError

from reseau.adjustments.forms import adjustment_field
from reseau.catalogue.models import Audience, SessionKind
from reseau.core.forms import WholeNumberField
from reseau.core.lists import (
    FilterForm,
    FlagField,
    IdField,
    MonthField,
    OneOfField,
    SearchField,
    enum_values,
)

REQUIRED = "Ce champ est obligatoire."


class CatalogueFilterForm(FilterForm):
    """The public catalogue's filters (``?q=&theme=&cycle=&type=&departement=&mois=…``)."""

    q = SearchField()
    theme = IdField()
    cycle = IdField()
    type = OneOfField(values=enum_values(SessionKind))
    departement = IdField()
    mois = MonthField()
    public = OneOfField(values=enum_values(Audience) - {Audience.TOUS.value})
    places = FlagField()
    fauteuil = FlagField()  # step-free places (a visio has none: left out)


class CentreEnrolmentsFilterForm(FilterForm):
    centre = IdField()  # the coordinator's choice; a referent sees their own centre


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""

    next = HiddenField()


class EnrolForm(ActionForm):
    confirm_overlap = BooleanField("Je confirme mon inscription malgré le chevauchement")
    adjustment = adjustment_field()


class CapacityForm(FlaskForm):
    capacity = WholeNumberField(
        "Nombre de places",
        validators=[InputRequired(REQUIRED)],
        minimum=0,
        maximum=10_000,
        message="Saisissez un nombre entre 0 et 10 000.",
    )


class EnrolPersonByEmailForm(FlaskForm):
    """The coordinator enrols anyone: the person is found by e-mail."""

    email = EmailField(
        "Adresse e-mail de la personne",
        validators=[InputRequired(REQUIRED), Email("Saisissez une adresse e-mail valide.")],
    )
    confirm_overlap = BooleanField("Inscrire malgré un chevauchement avec une autre session")
    adjustment = adjustment_field("Cette personne a-t-elle besoin d'un aménagement ? (facultatif)")


class EnrolMemberForm(FlaskForm):
    """A referent enrols a member of their centre, chosen in a list."""

    person = SelectField("Personne de votre centre", coerce=int, validate_choice=True)
    confirm_overlap = BooleanField("Inscrire malgré un chevauchement avec une autre session")
    adjustment = adjustment_field("Cette personne a-t-elle besoin d'un aménagement ? (facultatif)")

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.person.choices = [(0, "Choisir une personne…")] + [
            (member.id, member.sort_name) for member in members
        ]

    def validate_person(self, field):
        if not field.data:
            raise ValidationError("Choisissez une personne.")
