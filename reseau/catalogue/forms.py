"""Forms of the catalogue's administration, with French messages."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from reseau.accounts.forms import (
    REQUIRED,
    MultiCheckboxField,
    centre_choices,
    coerce_optional_int,
    department_choices,
    strip_filter,
)
from reseau.accounts.models import Centre, Department, Role, User, UserRole, UserStatus
from reseau.catalogue.models import (
    Audience,
    Cycle,
    Module,
    PlaceKind,
    PromotionMode,
    SessionKind,
    SessionStatus,
    Theme,
    TrainingSession,
)
from reseau.core.extensions import db
from reseau.core.forms import WholeNumberField
from reseau.core.lists import FilterForm, IdField, NumberField, OneOfField, SearchField, enum_values


class FrenchDecimalField(DecimalField):
    """A decimal number typed the French way (« 2,5 ») or with a dot."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].replace(",", ".").strip()]
        super().process_formdata(valuelist)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return f"{float(self.data):g}".replace(".", ",")


def choices_of(pairs) -> list[SelectChoice]:
    """Return ``(value, label)`` pairs as WTForms choices (3.3 deprecates plain tuples)."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def theme_choices(blank: str = "— Choisir —") -> list[tuple[str, str]]:
    rows = db.session.execute(
        sa.select(Theme.id, Theme.name).order_by(Theme.position, Theme.name)
    ).all()
    return [("", blank)] + [(str(row.id), row.name) for row in rows]


def module_choices() -> list[SelectChoice]:
    """Return the modules grouped by « Thème · Cycle (année) », newest cycles first."""
    rows = db.session.execute(
        sa.select(Module.id, Module.title, Cycle.title, Cycle.year, Theme.name)
        .join(Module.cycle)
        .join(Cycle.theme)
        .order_by(Cycle.year.desc(), Theme.position, Theme.name, Cycle.title, Module.position)
    ).all()
    return [SelectChoice(value="", label="— Aucun module (événement ponctuel) —")] + [
        # The year in the label too: the closed list shows the label alone, and the same
        # module comes back in each year's cycle.
        SelectChoice(
            value=str(row[0]),
            label=f"{row[1]} ({row[3]})",
            optgroup=f"{row[4]} · {row[2]} ({row[3]})",
        )
        for row in rows
    ]


def trainer_choices(current: list[User] = ()) -> list[SelectChoice]:
    """Return the active people holding the trainer role, plus ``current`` (already assigned)."""
    people = db.session.scalars(
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.TRAINER, User.status == UserStatus.ACTIVE)
        .order_by(User.last_name, User.first_name)
    ).all()
    known = {person.id for person in people}
    people = list(people) + [person for person in current if person.id not in known]
    return [SelectChoice(value=person.id, label=person.full_name) for person in people]


def enum_choices(enum_class) -> list[SelectChoice]:
    return choices_of((member.value, member.label) for member in enum_class)


class ThemeForm(FlaskForm):
    name = StringField(
        "Nom de la thématique",
        filters=[strip_filter],
        validators=[InputRequired(REQUIRED), Length(max=160)],
    )
    description = TextAreaField(
        "Description", filters=[strip_filter], validators=[Optional(), Length(max=5000)]
    )
    position = WholeNumberField(
        "Ordre d'affichage",
        default=0,
        validators=[Optional()],
        minimum=0,
        maximum=999,
        message="Entre 0 et 999.",
    )
    submit = SubmitField("Enregistrer")

    theme: Theme | None = None

    def validate_name(self, field):
        # Compared in Python: SQLite's lower() leaves accented capitals (« É ») alone.
        wanted = field.data.casefold()
        for theme_id, name in db.session.execute(sa.select(Theme.id, Theme.name)):
            if name.casefold() == wanted and (self.theme is None or theme_id != self.theme.id):
                raise ValidationError("Une thématique porte déjà ce nom.")


class CycleForm(FlaskForm):
    theme_id = SelectField(
        "Thématique", coerce=coerce_optional_int, validators=[InputRequired(REQUIRED)]
    )
    title = StringField(
        "Titre du cycle",
        filters=[strip_filter],
        validators=[InputRequired(REQUIRED), Length(max=200)],
    )
    year = WholeNumberField(
        "Année",
        validators=[InputRequired(REQUIRED)],
        minimum=2000,
        maximum=2100,
        message="Saisissez une année, par exemple 2026.",
    )
    audience = SelectField("Public", choices=enum_choices(Audience), default=Audience.TOUS.value)
    description = TextAreaField(
        "Description en langage simple",
        filters=[strip_filter],
        validators=[Optional(), Length(max=5000)],
    )
    objectives = TextAreaField(
        "Objectifs", filters=[strip_filter], validators=[Optional(), Length(max=5000)]
    )
    submit = SubmitField("Enregistrer")

    cycle: Cycle | None = None

    def validate_theme_id(self, field):
        if field.data is None or db.session.get(Theme, field.data) is None:
            raise ValidationError("Choisissez une thématique dans la liste.")

    def validate_audience(self, field):
        if field.data not in {a.value for a in Audience}:
            raise ValidationError("Choisissez un public dans la liste.")

    def validate_title(self, field):
        if self.theme_id.data is None or not isinstance(self.year.data, int):
            return
        rows = db.session.execute(
            sa.select(Cycle.id, Cycle.title).where(
                Cycle.theme_id == self.theme_id.data, Cycle.year == self.year.data
            )
        )
        wanted = field.data.casefold()
        for cycle_id, title in rows:
            if title.casefold() == wanted and (self.cycle is None or cycle_id != self.cycle.id):
                raise ValidationError("Ce cycle existe déjà pour cette thématique et cette année.")


def _programme_text(label: str) -> TextAreaField:
    return TextAreaField(label, filters=[strip_filter], validators=[Optional(), Length(max=5000)])


class ModuleForm(FlaskForm):
    title = StringField(
        "Titre du module",
        filters=[strip_filter],
        validators=[InputRequired(REQUIRED), Length(max=200)],
    )
    objectives = TextAreaField(
        "Objectifs opérationnels",
        filters=[strip_filter],
        validators=[Optional(), Length(max=5000)],
    )
    duration_hours = FrenchDecimalField(
        "Durée (en heures)",
        places=1,
        default=3,
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=0.5, max=200, message="Une durée entre 0,5 et 200 heures."),
        ],
    )
    # The programme sheet (fiche programme).
    prerequisites = _programme_text("Prérequis")
    content = _programme_text("Contenu")
    methods = _programme_text("Méthodes pédagogiques")
    assessment = _programme_text("Évaluation des acquis")
    access_delay = StringField(
        "Délai d'accès", filters=[strip_filter], validators=[Optional(), Length(max=300)]
    )
    free_for_members = BooleanField("Gratuit pour les membres du réseau", default=True)
    cost = _programme_text("Coût (précisions)")
    accessibility = _programme_text("Accessibilité")
    contact = StringField(
        "Contact", filters=[strip_filter], validators=[Optional(), Length(max=300)]
    )
    submit = SubmitField("Enregistrer")


class SessionForm(FlaskForm):
    kind = SelectField("Type", choices=enum_choices(SessionKind), default="formation")
    module_id = SelectField("Module du cycle", coerce=coerce_optional_int, validators=[Optional()])
    # No Optional() on the fields checked against others: it would skip the inline check.
    theme_id = SelectField("Thématique", coerce=coerce_optional_int)
    title = StringField("Titre", filters=[strip_filter], validators=[Length(max=200)])
    description = TextAreaField(
        "Description", filters=[strip_filter], validators=[Optional(), Length(max=5000)]
    )
    objectives = TextAreaField(
        "Objectifs", filters=[strip_filter], validators=[Optional(), Length(max=5000)]
    )
    audience = SelectField("Public", choices=enum_choices(Audience), default=Audience.TOUS.value)
    capacity = WholeNumberField(
        "Nombre de places",
        default=12,
        validators=[InputRequired(REQUIRED)],
        minimum=0,
        maximum=10000,
        message="Le nombre de places va de 0 à 10 000.",
    )
    centre_cap = WholeNumberField(
        "Places au plus par centre (facultatif)",
        validators=[Optional()],
        minimum=1,
        maximum=10000,
        message="Au moins 1 place par centre, ou laissez vide.",
    )
    enrolment_deadline = DateTimeLocalField(
        "Date limite d'inscription (facultatif)",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        validators=[Optional()],
    )
    place_kind = RadioField("Lieu", choices=enum_choices(PlaceKind), default=PlaceKind.CENTRE.value)
    host_centre_id = SelectField("Centre d'accueil", coerce=coerce_optional_int)
    place_name = StringField(
        "Nom du lieu", filters=[strip_filter], validators=[Optional(), Length(max=200)]
    )
    address = StringField("Adresse", filters=[strip_filter], validators=[Length(max=200)])
    postcode = StringField(
        "Code postal", filters=[strip_filter], validators=[Optional(), Length(max=10)]
    )
    town = StringField("Commune", filters=[strip_filter], validators=[Length(max=100)])
    visio_url = StringField(
        "Lien de la visio", filters=[strip_filter], validators=[Length(max=500)]
    )
    department_id = SelectField(
        "Département (par défaut celui du centre d'accueil)",
        coerce=coerce_optional_int,
        validators=[Optional()],
    )
    trainer_ids = MultiCheckboxField("Formateurs et formatrices", coerce=int)
    requires_validation = BooleanField("Les inscriptions doivent être validées avant confirmation")
    promotion_mode = SelectField(
        "Quand une place se libère",
        choices=choices_of(
            [
                ("automatic", "La première personne en liste d'attente est inscrite"),
                ("offer", "La place lui est proposée, à accepter dans un délai"),
            ]
        ),
        default=PromotionMode.AUTOMATIC.value,
    )
    offer_hours = WholeNumberField(
        "Délai pour accepter (en heures)",
        default=48,
        validators=[InputRequired(REQUIRED)],
        minimum=1,
        maximum=720,
        message="Un délai entre 1 et 720 heures.",
    )
    what_to_bring = TextAreaField(
        "À apporter", filters=[strip_filter], validators=[Optional(), Length(max=2000)]
    )
    submit = SubmitField("Enregistrer")

    session: TrainingSession | None = None

    def fill_choices(self, session: TrainingSession | None = None) -> None:
        self.module_id.choices = module_choices()
        self.theme_id.choices = choices_of(theme_choices("— Aucune thématique —"))
        self.host_centre_id.choices = choices_of(centre_choices())
        self.department_id.choices = choices_of(department_choices("— Celui du centre d'accueil —"))
        self.trainer_ids.choices = trainer_choices(session.trainers if session else [])

    def validate_kind(self, field):
        if field.data not in {k.value for k in SessionKind}:
            raise ValidationError("Choisissez un type dans la liste.")

    def validate_audience(self, field):
        if field.data not in {a.value for a in Audience}:
            raise ValidationError("Choisissez un public dans la liste.")

    def validate_place_kind(self, field):
        if field.data not in {p.value for p in PlaceKind}:
            raise ValidationError("Choisissez où a lieu la session.")

    def validate_promotion_mode(self, field):
        if field.data not in {p.value for p in PromotionMode}:
            raise ValidationError("Choisissez une option dans la liste.")

    def validate_module_id(self, field):
        if field.data is not None and db.session.get(Module, field.data) is None:
            raise ValidationError("Choisissez un module dans la liste.")

    def validate_theme_id(self, field):
        if field.data is not None and db.session.get(Theme, field.data) is None:
            raise ValidationError("Choisissez une thématique dans la liste.")
        if (
            field.data is None
            and self.module_id.data is None
            and self.kind.data == SessionKind.FORMATION
        ):
            raise ValidationError("Une formation porte sur un module ou une thématique.")

    def validate_title(self, field):
        if not field.data and self.module_id.data is None:
            raise ValidationError("Donnez un titre à la session (ou choisissez un module).")

    def validate_host_centre_id(self, field):
        if field.data is not None and db.session.get(Centre, field.data) is None:
            raise ValidationError("Choisissez un centre dans la liste.")
        if self.place_kind.data == PlaceKind.CENTRE and field.data is None:
            raise ValidationError("Choisissez le centre qui accueille la session.")

    def validate_address(self, field):
        if self.place_kind.data == PlaceKind.ADDRESS and not field.data:
            raise ValidationError("Indiquez l'adresse du lieu.")

    def validate_town(self, field):
        if self.place_kind.data == PlaceKind.ADDRESS and not field.data:
            raise ValidationError("Indiquez la commune.")

    def validate_postcode(self, field):
        if field.data and not (field.data.isdigit() and len(field.data) == 5):
            raise ValidationError("Le code postal compte 5 chiffres, par exemple 36300.")

    def validate_visio_url(self, field):
        if self.place_kind.data == PlaceKind.VISIO and not field.data:
            raise ValidationError("Indiquez le lien de la visio.")
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError(
                "Le lien commence par https://, par exemple https://visio.exemple.fr/salle."
            )

    def validate_department_id(self, field):
        if field.data is not None and db.session.get(Department, field.data) is None:
            raise ValidationError("Choisissez un département dans la liste.")

    def validate_trainer_ids(self, field):
        allowed = {choice.value for choice in self.trainer_ids.choices}
        if any(value not in allowed for value in field.data or []):
            raise ValidationError("Choisissez les formateurs et formatrices dans la liste.")


REASON_HELP = "Facultatif. Il figure dans l'e-mail envoyé aux personnes inscrites."


def reason_field() -> StringField:
    """The optional reason of a change, told to the people concerned (one line)."""
    return StringField(
        "Motif du changement",
        filters=[lambda value: " ".join(value.split()) if value else value],
        validators=[Optional(), Length(max=300, message="300 caractères au plus.")],
    )


class SeanceForm(FlaskForm):
    day = DateField("Date", validators=[InputRequired(REQUIRED)], format="%Y-%m-%d")
    start_time = TimeField("Début", validators=[InputRequired(REQUIRED)], format="%H:%M")
    end_time = TimeField("Fin", validators=[InputRequired(REQUIRED)], format="%H:%M")
    reason = reason_field()  # moving a séance only
    submit = SubmitField("Enregistrer la séance")

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError("L'heure de fin doit être après l'heure de début.")

    def local_span(self) -> tuple[datetime, datetime]:
        """Return the séance's naive Europe/Paris start and end."""
        return (
            datetime.combine(self.day.data, self.start_time.data),
            datetime.combine(self.day.data, self.end_time.data),
        )


class SeanceCancelForm(FlaskForm):
    """Cancelling one séance: the optional reason the e-mail gives."""

    reason = reason_field()


# --- List filters (GET) -----------------------------------------------------------------------

PERIODS = {"a-venir": "À venir", "passees": "Passées", "toutes": "Toutes les dates"}


class ThemeFilterForm(FilterForm):
    q = SearchField()


class CycleFilterForm(FilterForm):
    q = SearchField()
    thematique = IdField()
    annee = NumberField(minimum=1900, maximum=2999)


class SessionFilterForm(FilterForm):
    q = SearchField()
    statut = OneOfField(values=enum_values(SessionStatus))
    type = OneOfField(values=enum_values(SessionKind))
    thematique = IdField()
    departement = IdField()
    periode = OneOfField(values=PERIODS, default="a-venir")
