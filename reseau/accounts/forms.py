"""Forms of the accounts room, with French messages."""

from __future__ import annotations

import email_validator
import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TelField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    Email,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from reseau.accounts.models import Category, Centre, Department, Role, User, UserStatus
from reseau.accounts.passwords import is_common_password, is_personal_password
from reseau.core.extensions import db
from reseau.core.forms import coerce_id
from reseau.core.lists import FilterForm, IdField, OneOfField, SearchField, enum_values

# The demo accounts live under the reserved ".test" domain (RFC 2606), which email-validator
# refuses by default; its documentation allows editing this list.
if "test" in email_validator.SPECIAL_USE_DOMAIN_NAMES:
    email_validator.SPECIAL_USE_DOMAIN_NAMES.remove("test")

REQUIRED = "Ce champ est obligatoire."
EMAIL_INVALID = "Saisissez une adresse e-mail valide, par exemple prenom.nom@exemple.fr."
PASSWORD_MIN = 10
# The handful of passwords tried first by every attacker; issue 8 widens this list.
COMMON_PASSWORDS = {
    "azertyuiop",
    "1234567890",
    "motdepasse",
    "password123",
    "0123456789",
    "qwertyuiop",
    "azerty1234",
    "1234567891",
    "motdepasse1",
    "password1234",
    "aaaaaaaaaa",
    "soleil1234",
}


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def select_choices(pairs) -> list[SelectChoice]:
    """Return ``(value, label)`` pairs as WTForms choices.

    WTForms 3.3 deprecates tuples as SelectField choices (3.4 removes them); the helpers
    below keep returning pairs because templates unpack them into filter options.
    """
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


def one_line_filter(value):
    """Strip, and fold line breaks and runs of spaces: names end up in e-mail subjects."""
    return " ".join(value.split()) if isinstance(value, str) else value


class NewPasswordMixin:
    password = PasswordField(
        "Nouveau mot de passe",
        validators=[
            InputRequired(REQUIRED),
            Length(
                min=PASSWORD_MIN,
                max=200,
                message="Le mot de passe doit compter au moins 10 caractères.",
            ),
        ],
    )
    password_confirm = PasswordField(
        "Confirmez le mot de passe",
        validators=[InputRequired(REQUIRED)],
    )

    # Whose password it is (``for_owner``): one made of their e-mail or names is refused.
    owner_email: str | None = None
    owner_names: tuple[str, ...] = ()

    def for_owner(self, *, email: str | None, first_name: str, last_name: str):
        self.owner_email, self.owner_names = email, (first_name, last_name)
        return self

    def validate_password(self, field):
        # One message at a time: a too short password is not also told it is common.
        if field.errors:
            return
        if field.data.lower() in COMMON_PASSWORDS or is_common_password(field.data):
            raise ValidationError("Ce mot de passe est trop courant : choisissez-en un autre.")
        if is_personal_password(field.data, email=self.owner_email, names=self.owner_names):
            raise ValidationError(
                "Ce mot de passe reprend votre nom ou votre adresse e-mail : "
                "choisissez-en un autre, que vos proches ne devineraient pas."
            )

    def validate_password_confirm(self, field):
        # Only once the password itself is accepted: a refused one is typed again anyway.
        if not self.password.errors and field.data != self.password.data:
            raise ValidationError("Les deux mots de passe ne sont pas identiques.")


class LoginForm(FlaskForm):
    email = EmailField(
        "Adresse e-mail",
        filters=[strip_filter],
        validators=[InputRequired(REQUIRED), Email(EMAIL_INVALID)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Mot de passe",
        validators=[InputRequired(REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Rester connecté·e sur cet appareil")
    submit = SubmitField("Se connecter")


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Adresse e-mail",
        filters=[strip_filter],
        validators=[InputRequired(REQUIRED), Email(EMAIL_INVALID)],
        render_kw={"autocomplete": "email"},
    )
    submit = SubmitField("Recevoir un lien")


class SetPasswordForm(NewPasswordMixin, FlaskForm):
    submit = SubmitField("Enregistrer mon mot de passe")


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(
        "Mot de passe actuel",
        validators=[InputRequired(REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Changer mon mot de passe")


def centre_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(
        sa.select(Centre.id, Centre.name, Centre.town).order_by(Centre.name)
    ).all()
    return [("", "— Choisir —")] + [(str(row.id), f"{row.name} ({row.town})") for row in rows]


def department_choices(blank: str = "— Choisir —") -> list[tuple[str, str]]:
    rows = db.session.execute(
        sa.select(Department.id, Department.code, Department.name).order_by(Department.code)
    ).all()
    return [("", blank)] + [(str(row.id), f"{row.code} – {row.name}") for row in rows]


# Select fields' ids: an id beyond the databases' integers becomes an unknown choice.
coerce_optional_int = coerce_id


class PersonFieldsMixin:
    first_name = StringField(
        "Prénom", filters=[one_line_filter], validators=[InputRequired(REQUIRED), Length(max=80)]
    )
    last_name = StringField(
        "Nom", filters=[one_line_filter], validators=[InputRequired(REQUIRED), Length(max=80)]
    )
    email = EmailField(
        "Adresse e-mail",
        filters=[strip_filter],
        validators=[InputRequired(REQUIRED), Email(EMAIL_INVALID), Length(max=254)],
    )
    phone = TelField(
        "Téléphone (facultatif)", filters=[strip_filter], validators=[Optional(), Length(max=30)]
    )
    category = SelectField(
        "Vous êtes",
        choices=select_choices([("", "— Choisir —")] + [(c.value, c.label) for c in Category]),
        validators=[InputRequired(REQUIRED)],
    )
    # Finer than the category ("élu municipal", "agent CAF"): the bilan counts them.
    sub_category = StringField(
        "Précision (facultatif)",
        filters=[one_line_filter],
        validators=[Optional(), Length(max=80, message="80 caractères au plus.")],
    )

    # The e-mail must be unique; an edit form sets ``person`` to skip the person themself.
    person: User | None = None

    def validate_email(self, field):
        existing = db.session.scalar(sa.select(User.id).where(User.email == field.data.lower()))
        if existing is not None and (self.person is None or existing != self.person.id):
            raise ValidationError("Une personne utilise déjà cette adresse e-mail.")

    def validate_category(self, field):
        if field.data not in {c.value for c in Category}:
            raise ValidationError("Choisissez une catégorie dans la liste.")


class RegisterForm(PersonFieldsMixin, FlaskForm):
    """Ask for an account; the password is chosen from the link sent to the address."""

    centre_id = SelectField(
        "Votre centre social", coerce=coerce_optional_int, validators=[InputRequired(REQUIRED)]
    )
    submit = SubmitField("Demander mon compte")

    def validate_email(self, field):
        # A known address gets the same answer as a new one (its owner is told by e-mail):
        # the page must not reveal who has an account.
        pass

    def validate_centre_id(self, field):
        if field.data is None or db.session.get(Centre, field.data) is None:
            raise ValidationError("Choisissez votre centre dans la liste.")


class ProfileForm(FlaskForm):
    first_name = StringField(
        "Prénom", filters=[one_line_filter], validators=[InputRequired(REQUIRED), Length(max=80)]
    )
    last_name = StringField(
        "Nom", filters=[one_line_filter], validators=[InputRequired(REQUIRED), Length(max=80)]
    )
    phone = TelField(
        "Téléphone (facultatif)", filters=[strip_filter], validators=[Optional(), Length(max=30)]
    )
    directory_consent = BooleanField(
        "J'accepte que mon nom apparaisse dans les listes montrées aux autres participant·es"
    )
    submit = SubmitField("Enregistrer")


class PersonForm(PersonFieldsMixin, FlaskForm):
    """Invite or edit a person (coordinator: any centre and roles; referent: own centre)."""

    centre_id = SelectField("Centre social", coerce=coerce_optional_int, validators=[Optional()])
    roles = MultiCheckboxField(
        "Rôles",
        choices=select_choices((r.value, r.label) for r in Role if r != Role.PARTICIPANT),
    )
    submit = SubmitField("Enregistrer")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Someone else fills this in: the category is the invitee's, not "Vous êtes".
        self.category.label.text = "Catégorie de la personne"

    def validate_centre_id(self, field):
        if field.data is not None and db.session.get(Centre, field.data) is None:
            raise ValidationError("Choisissez un centre dans la liste.")

    def validate_roles(self, field):
        # Without a centre, a referent would see nobody (access.visible_people).
        if Role.REFERENT.value in (field.data or []) and self.centre_id.data is None:
            raise ValidationError("Un·e référent·e de centre doit être rattaché·e à un centre.")


class CentreForm(FlaskForm):
    name = StringField(
        "Nom du centre",
        filters=[one_line_filter],
        validators=[InputRequired(REQUIRED), Length(max=160)],
    )
    address = StringField(
        "Adresse", filters=[one_line_filter], validators=[Optional(), Length(max=200)]
    )
    postcode = StringField(
        "Code postal", filters=[strip_filter], validators=[Optional(), Length(max=10)]
    )
    town = StringField(
        "Commune", filters=[one_line_filter], validators=[InputRequired(REQUIRED), Length(max=100)]
    )
    department_id = SelectField(
        "Département", coerce=coerce_optional_int, validators=[InputRequired(REQUIRED)]
    )
    is_member = BooleanField("Adhérent au réseau", default=True)
    member_since = DateField("Adhérent depuis le", validators=[Optional()], format="%Y-%m-%d")
    email = EmailField(
        "E-mail du centre",
        filters=[strip_filter],
        validators=[Optional(), Email(EMAIL_INVALID), Length(max=254)],
    )
    phone = TelField("Téléphone", filters=[strip_filter], validators=[Optional(), Length(max=30)])
    submit = SubmitField("Enregistrer")

    centre: Centre | None = None

    def validate_department_id(self, field):
        if field.data is None or db.session.get(Department, field.data) is None:
            raise ValidationError("Choisissez un département dans la liste.")

    def validate_postcode(self, field):
        if field.data and not (field.data.isdigit() and len(field.data) == 5):
            raise ValidationError("Le code postal compte 5 chiffres, par exemple 36300.")

    def validate_name(self, field):
        query = sa.select(Centre.id).where(
            sa.func.lower(Centre.name) == field.data.lower(),
            sa.func.lower(Centre.town) == (self.town.data or "").strip().lower(),
        )
        existing = db.session.scalar(query)
        if existing is not None and (self.centre is None or existing != self.centre.id):
            raise ValidationError("Un centre porte déjà ce nom dans cette commune.")


class DepartmentForm(FlaskForm):
    code = StringField(
        "Code",
        filters=[strip_filter],
        validators=[
            InputRequired(REQUIRED),
            Length(min=2, max=3, message="Le code compte 2 ou 3 caractères (36, 2A, 971)."),
            # Only real codes: letters such as "ß" would grow past 3 characters in upper().
            Regexp(
                r"^(\d{2,3}|2[AaBb])$",
                message="Le code d'un département est fait de chiffres (36, 971) ou vaut 2A ou 2B.",
            ),
        ],
    )
    name = StringField(
        "Nom", filters=[one_line_filter], validators=[InputRequired(REQUIRED), Length(max=80)]
    )
    submit = SubmitField("Enregistrer")

    department: Department | None = None

    def validate_code(self, field):
        existing = db.session.scalar(
            sa.select(Department.id).where(Department.code == field.data.upper())
        )
        if existing is not None and (self.department is None or existing != self.department.id):
            raise ValidationError("Ce code de département existe déjà.")

    def validate_name(self, field):
        existing = db.session.scalar(sa.select(Department.id).where(Department.name == field.data))
        if existing is not None and (self.department is None or existing != self.department.id):
            raise ValidationError("Ce département existe déjà.")


# --- List filters (GET) -----------------------------------------------------------------------


class PersonFilterForm(FilterForm):
    q = SearchField()
    categorie = OneOfField(values=enum_values(Category))
    role = OneOfField(values=enum_values(Role))
    statut = OneOfField(values=enum_values(UserStatus))
    centre = IdField()  # the coordinator's filter; a referent sees their centre only


class CentreFilterForm(FilterForm):
    q = SearchField()
    departement = IdField()
    adhesion = OneOfField(values=("adherent", "non-adherent"))
