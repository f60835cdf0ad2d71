"""Forms of the proof room, with French messages."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from reseau.core.i18n import from_local, to_local

TIME = re.compile(r"^([01]?\d|2[0-3])[:h]([0-5]\d)$")
TIME_MESSAGE = "Une heure comme 9:45 ou 14h10."


class SignatureForm(FlaskForm):
    """A signature: path data from the pad (JavaScript), or the typed name and the box."""

    signature = HiddenField(validators=[Length(max=150_000)])
    signature_width = HiddenField()
    signature_height = HiddenField()
    typed_name = StringField(
        "Ou, sans dessiner : votre nom et prénom",
        validators=[Length(max=160, message="160 caractères au plus.")],
    )
    certified = BooleanField("Je certifie avoir été présent·e")

    def signature_input(self):
        from reseau.proof.operations import SignatureInput

        return SignatureInput(
            path=self.signature.data or "",
            width=self.signature_width.data,
            height=self.signature_height.data,
            typed_name=self.typed_name.data or "",
            certified=bool(self.certified.data),
        )


class PresenceSignatureForm(SignatureForm):
    """A participant's signature, with the times of a late arrival or an early departure."""

    arrived_at = StringField(
        "Arrivée après le début, à (heure)",
        validators=[Optional(), Regexp(TIME, message=TIME_MESSAGE)],
    )
    left_at = StringField(
        "Départ avant la fin, à (heure)",
        validators=[Optional(), Regexp(TIME, message=TIME_MESSAGE)],
    )

    def times(self, seance) -> tuple[datetime | None, datetime | None]:
        day = to_local(seance.starts_at).date()

        def at(value):
            match = TIME.match((value or "").strip())
            if not match:
                return None
            return from_local(datetime.combine(day, time(int(match[1]), int(match[2]))))

        return at(self.arrived_at.data), at(self.left_at.data)


class ValidationForm(SignatureForm):
    certified = BooleanField("Je certifie l'exactitude de cette feuille d'émargement")
    typed_name = StringField(
        "Ou, sans dessiner : votre nom et prénom",
        validators=[Length(max=160, message="160 caractères au plus.")],
    )


class CorrectionForm(FlaskForm):
    reason = TextAreaField(
        "Motif de la correction",
        validators=[
            InputRequired("Dites pourquoi la feuille est corrigée."),
            Length(min=5, max=1000, message="Entre 5 et 1 000 caractères."),
        ],
    )


class ProofSettingsForm(FlaskForm):
    provider_name = StringField(
        "Nom du dispensateur (organisme de formation)",
        validators=[InputRequired("Ce champ est obligatoire."), Length(max=200)],
    )
    provider_address = StringField("Adresse", validators=[Length(max=300)])
    provider_siret = StringField(
        "SIRET",
        validators=[Optional(), Regexp(r"^\d{14}$", message="14 chiffres, sans espaces.")],
    )
    provider_nda = StringField(
        "Numéro de déclaration d'activité (s'il y en a un)",
        validators=[Optional(), Regexp(r"^\d{11}$", message="11 chiffres, sans espaces.")],
    )
    signatory_name = StringField(
        "Nom de la personne qui signe",
        validators=[InputRequired("Ce champ est obligatoire."), Length(max=160)],
    )
    signatory_title = StringField(
        "Sa qualité (présidente, directeur…)",
        validators=[InputRequired("Ce champ est obligatoire."), Length(max=160)],
    )
    place = StringField("Fait à (ville)", validators=[Length(max=100)])
    stamp = FileField("Image de la signature ou du cachet (PNG ou JPEG, 1 Mo au plus)")
    remove_stamp = BooleanField("Retirer l'image actuelle")

    def validate_stamp(self, field):
        data = field.data
        if not data or not getattr(data, "filename", ""):
            return
        content = data.read(1_000_001)
        if len(content) > 1_000_000:
            raise ValidationError("L'image dépasse 1 Mo.")
        from reseau.proof.stamps import StampError, normalise_stamp

        try:
            field.png = normalise_stamp(content)
        except StampError as error:
            raise ValidationError(error.message) from error


DATE_MESSAGE = "Une date comme 2026-03-31."


def _day(value: str | None):
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


class PeriodForm(FlaskForm):
    """The referent's period (a GET filter: ``formdata=request.args``, no CSRF)."""

    class Meta:
        csrf = False

    start = StringField("Du", validators=[InputRequired("Choisissez une date de début.")])
    end = StringField("Au", validators=[InputRequired("Choisissez une date de fin.")])

    def validate_start(self, field):
        if _day(field.data) is None:
            raise ValidationError(DATE_MESSAGE)

    def validate_end(self, field):
        end = _day(field.data)
        if end is None:
            raise ValidationError(DATE_MESSAGE)
        start = _day(self.start.data)
        if start and end < start:
            raise ValidationError("La fin doit suivre le début.")
        if start and (end - start).days > 800:
            raise ValidationError("Deux ans au plus.")

    def period(self):
        return _day(self.start.data), _day(self.end.data)
