"""Shared form fields: whole numbers people type, ids chosen in lists, and the confirmation
of destructive actions.

A number field answers a French message next to itself for anything that is not a whole
number in its range, however long (a 40-digit capacity is a typing error, not a malformed
request), and the page shows again what was typed. Ids are kept within PostgreSQL's
``integer``, so an out-of-range choice is a refused choice, never a database error.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional, StopValidation

# PostgreSQL's ``integer``, the type of every id and count column.
DB_INT_MIN = -(2**31)
DB_INT_MAX = 2**31 - 1
NOT_A_NUMBER = "Saisissez un nombre entier, sans lettres ni virgule."
# What an out-of-range id becomes: in range for the databases, never the id of anything,
# so choice checks and ``validate_<field>`` lookups refuse it like any unknown choice.
NO_SUCH_ID = -1


def parse_int(value) -> int | None:
    """Return ``value`` as an int (surrounding spaces allowed), or None if it is not one.

    ``int()`` alone would accept « 1_000 » or « ٣ » and refuse 5,000 digits; a number longer
    than 40 digits is returned as ±10**40, beyond any range a field allows.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits or not digits.isascii() or not digits.isdigit():
        return None
    if len(digits) > 40:
        return -(10**40) if text[0] == "-" else 10**40
    return int(text)


def coerce_id(value) -> int | None:
    """Coerce a submitted id for a SelectField: None when empty or not a number, and
    ``NO_SUCH_ID`` when beyond the databases' integers."""
    if value in (None, "", "None"):
        return None
    number = parse_int(value)
    if number is None:
        return None
    return number if DB_INT_MIN <= number <= DB_INT_MAX else NO_SUCH_ID


class WholeNumberField(IntegerField):
    """An IntegerField with one French message per mistake and a mandatory range.

    ``minimum``/``maximum`` bound the value (a NumberRange with ``message``); letters, decimals
    or a number beyond the range give a single message next to the field, ``data`` is None
    then, and the input keeps the text as typed (``raw_data``).
    """

    def __init__(
        self, label=None, validators=None, *, minimum: int, maximum: int, message: str, **kwargs
    ):
        validators = [*(validators or []), NumberRange(min=minimum, max=maximum, message=message)]
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0]
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            self.data = None  # empty: InputRequired / Optional decide
            return
        number = parse_int(raw)
        if number is None:
            self.data = None
            raise ValueError(NOT_A_NUMBER)
        # Out of range: no number at all for the form's other checks (a uniqueness query
        # with a 20-digit year would fail in the database); NumberRange gives the message.
        self.data = number if self.minimum <= number <= self.maximum else None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # the parse message alone, not the range one as well


class ConfirmForm(FlaskForm):
    """The confirmation of a destructive action: the CSRF token, where to go back, and a
    reason (optional) that goes into the e-mail sent to the people concerned. Views that
    send no e-mail remove the reason (``del form.reason``)."""

    next = HiddenField()
    reason = TextAreaField(
        "Motif (facultatif, repris dans l'e-mail envoyé)",
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[Optional(), Length(max=500, message="Le motif tient en 500 caractères.")],
    )
