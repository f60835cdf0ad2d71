"""Forms of the imports room: the file to send, then the preview's columns and options."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, RadioField, SelectField
from wtforms.validators import Optional, ValidationError

from reseau.accounts.forms import centre_choices, select_choices
from reseau.accounts.models import Category, Centre
from reseau.core.extensions import db
from reseau.core.forms import coerce_id
from reseau.imports.columns import FIELDS
from reseau.imports.operations import Invitations

FROM_COLUMN = "— D'après la colonne « Centre social » du fichier —"


def _centre_field():
    return SelectField(
        "Centre social des personnes",
        coerce=coerce_id,
        validators=[Optional()],
        validate_choice=False,  # validate_centre_id says it in French
    )


def _check_centre(field):
    if field.data is not None and db.session.get(Centre, field.data) is None:
        raise ValidationError("Choisissez un centre dans la liste.")


def set_centre_choices(form, actor) -> None:
    """The coordinator chooses a centre or the file's column; a referent has only theirs."""
    if actor.is_coordinator:
        form.centre_id.choices = select_choices([("", FROM_COLUMN)] + centre_choices()[1:])
    else:
        del form.centre_id


class UploadForm(FlaskForm):
    file = FileField(
        "Fichier CSV ou XLSX",
        validators=[FileRequired("Choisissez le fichier à importer.")],
        render_kw={"accept": ".csv,.xlsx,.txt,text/csv"},
    )
    centre_id = _centre_field()

    def validate_centre_id(self, field):
        _check_centre(field)


INVITATION_CHOICES = [
    (Invitations.NOW, "Maintenant : chaque personne avec une adresse reçoit son invitation"),
    (
        Invitations.LATER,
        "Plus tard : les comptes sont créés, vous enverrez les invitations quand vous voudrez",
    ),
    (
        Invitations.NEVER,
        "Jamais : des personnes sans compte (inscrites et émargées par le centre)",
    ),
]
IGNORE = ""


class OptionsForm(FlaskForm):
    """The preview's form; ``build_options_form`` adds one select per column of the file."""

    centre_id = _centre_field()
    default_category = SelectField(
        "Catégorie des personnes nouvelles dont la cellule est vide",
        choices=select_choices(
            [("", "— Aucune : la ligne est ignorée —")] + [(c.value, c.label) for c in Category]
        ),
        validators=[Optional()],
        validate_choice=False,
    )
    invitations = RadioField(
        "Invitations à Réseau",
        choices=select_choices(INVITATION_CHOICES),
        default=Invitations.NOW,
        validate_choice=False,
    )
    digest = HiddenField()
    columns: list[str] = []

    def validate_centre_id(self, field):
        _check_centre(field)

    def validate_default_category(self, field):
        if field.data and field.data not in {c.value for c in Category}:
            raise ValidationError("Choisissez une catégorie dans la liste.")

    def validate_invitations(self, field):
        if field.data not in {value for value, _ in INVITATION_CHOICES}:
            raise ValidationError("Choisissez quand envoyer les invitations.")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        chosen: dict[str, str] = {}
        for name in self.columns:
            field = self[name]
            if field.data and field.data in chosen:
                field.errors.append(
                    f"« {FIELDS[field.data]} » est déjà choisi pour la colonne "
                    f"« {chosen[field.data]} »."
                )
                valid = False
            elif field.data:
                chosen[field.data] = field.label.text
        return valid

    def mapping(self) -> dict[int, str]:
        return {
            int(name.removeprefix("col_")): self[name].data
            for name in self.columns
            if self[name].data
        }


def build_options_form(header: list[str], *, with_centre: bool, **kwargs) -> OptionsForm:
    """The options form with one select per column (``col_<index>``): what it contains."""
    fields = [(name, label) for name, label in FIELDS.items() if with_centre or name != "centre"]
    choices = select_choices([(IGNORE, "— Ne pas importer —")] + fields)

    class ColumnsForm(OptionsForm):
        pass

    columns = []
    for index, title in enumerate(header):
        name = f"col_{index}"
        label = title or f"colonne {index + 1} (sans titre)"
        setattr(ColumnsForm, name, SelectField(label, choices=choices, validate_choice=False))
        columns.append(name)
    ColumnsForm.columns = columns
    form = ColumnsForm(**kwargs)
    for name in columns:  # an unknown value: not imported
        if form[name].data not in {c.value for c in choices}:
            form[name].data = IGNORE
    return form
