"""Helpers for enumerations stored as short strings, with their French labels."""

from __future__ import annotations

import enum

import sqlalchemy as sa

_LABELS: dict[tuple, str] = {}  # (enum class, value) -> translated label, in i18n.LOCALE


class LabelledEnum(enum.StrEnum):
    """A string enum whose members carry a French label for the UI."""

    @property
    def label(self) -> str:
        # Looked up once per process: a roster or a list shows hundreds of labels, and each
        # gettext call (or even asking Flask-Babel for the locale) walks its machinery. Every
        # page is in one locale (core.i18n.LOCALE, the locale selector's only answer).
        key = (type(self), self.value)
        label = _LABELS.get(key)
        if label is None:
            from flask_babel import gettext

            label = _LABELS[key] = gettext(self._labels().get(self.value, self.value))
        return label

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return getattr(cls, "__labels__", {})

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


def enum_column(enum_class: type[enum.Enum]) -> sa.Enum:
    """Return a portable column type for ``enum_class`` (a VARCHAR holding the values)."""
    return sa.Enum(
        enum_class,
        native_enum=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
