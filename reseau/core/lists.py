"""List pages: their query string read by one form, one search rule, one page size.

A list's filters are a ``FilterForm`` subclass built from ``request.args``. Its fields never
refuse: a value that is not one they know (``?page=²``, ``?cycle=abc``, an unknown status, a
number beyond the databases' integers) reads as absent, and the list shows unfiltered, as it
does for a filter nobody chose. ``form.filters`` gives the values the templates show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

import sqlalchemy as sa
from flask import request
from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.widgets import HiddenInput

from reseau.core.extensions import db
from reseau.core.forms import DB_INT_MAX, parse_int

# One page size for every list.
PAGE_SIZE = 25
# A search is a few words: longer text is cut, not refused.
SEARCH_MAX = 100
# Beyond this page number, the first page (no one pages that far; keeps OFFSET small).
PAGE_MAX = 99_999


class _QueryField(Field):
    """A field read from the query string: ``parse`` turns the first value into ``data``
    (``default`` when absent or unknown); it never has errors."""

    widget = HiddenInput()

    def __init__(self, label=None, *, default=None, **kwargs):
        super().__init__(label, default=default, **kwargs)

    def parse(self, text: str):
        raise NotImplementedError

    def process_formdata(self, valuelist):
        if valuelist:
            value = self.parse(valuelist[0])
            self.data = self.default if value is None else value

    def _value(self):
        return "" if self.data is None else str(self.data)


class SearchField(_QueryField):
    """Free text, stripped and cut to ``max_length``; "" when absent."""

    def __init__(self, label=None, *, max_length: int = SEARCH_MAX, **kwargs):
        super().__init__(label, default="", **kwargs)
        self.max_length = max_length

    def parse(self, text: str):
        return text.strip()[: self.max_length]


class IdField(_QueryField):
    """The id of a chosen object: a positive whole number within the databases' integers,
    else None (``²``, ``-3``, ``0`` and ``1e9999`` all read as no choice)."""

    def parse(self, text: str):
        number = parse_int(text)
        return number if number is not None and 0 < number <= DB_INT_MAX else None


class NumberField(_QueryField):
    """A whole number between ``minimum`` and ``maximum`` (a year), else ``default``."""

    def __init__(self, label=None, *, minimum: int, maximum: int, default=None, **kwargs):
        super().__init__(label, default=default, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def parse(self, text: str):
        number = parse_int(text)
        return number if number is not None and self.minimum <= number <= self.maximum else None


class PageField(NumberField):
    """The page number: 1 unless a whole number from 1 to ``PAGE_MAX``."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, minimum=1, maximum=PAGE_MAX, default=1, **kwargs)


class OneOfField(_QueryField):
    """One of ``values`` (a collection, or a callable giving one, for choices read at
    request time), else ``default``."""

    def __init__(
        self,
        label=None,
        *,
        values: Iterable[str] | Callable[[], Iterable[str]],
        default: str = "",
        **kwargs,
    ):
        super().__init__(label, default=default, **kwargs)
        self.values = values

    def parse(self, text: str):
        values = self.values() if callable(self.values) else self.values
        return text if text in set(values) else None


class MonthField(_QueryField):
    """A month as « YYYY-MM » (years 1900 to 2999), else ""."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, default="", **kwargs)

    def parse(self, text: str):
        year, _, month = text.partition("-")
        year_ok = len(year) == 4 and 1900 <= (parse_int(year) or 0) <= 2999
        month_ok = len(month) == 2 and 1 <= (parse_int(month) or 0) <= 12
        return text if year_ok and month_ok else None


class DayField(_QueryField):
    """A day as « YYYY-MM-DD » (what ``<input type=date>`` sends), else None."""

    def parse(self, text: str):
        try:
            day = date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            return None
        return day if day is not None and 1900 <= day.year <= 2999 else None


class FlagField(_QueryField):
    """A checkbox filter: True for ``1``, else False."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, default=False, **kwargs)

    def parse(self, text: str):
        return text == "1"


class FilterForm(FlaskForm):
    """The base of every list's GET filter form: no CSRF (a GET changes nothing), read from
    ``request.args``, and a page number."""

    class Meta:
        csrf = False

    page = PageField()

    def __init__(self, **kwargs):
        super().__init__(formdata=request.args, **kwargs)

    @property
    def filters(self) -> dict:
        """The filters as parsed, by parameter name (the page number left out)."""
        return {name: field.data for name, field in self._fields.items() if name != "page"}


def enum_values(enum) -> frozenset[str]:
    """The values of an enum's members, for a ``OneOfField``."""
    return frozenset(member.value for member in enum)


LIKE_ESCAPE = "/"


def like_text(text: str) -> str:
    """``text`` as ``contains`` compares it: lowered, with ``%``, ``_`` and the escape
    character made plain characters (what SQLAlchemy's ``autoescape`` does)."""
    return (
        text.lower()
        .replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


def contains(column, text):
    """A case-insensitive "``column`` contains ``text``" where ``%``, ``_`` and the escape
    character in ``text`` are plain characters, not wildcards. ``text``: the words, or a
    bound parameter that will hold ``like_text(words)`` (a statement compiled once)."""
    value = like_text(text) if isinstance(text, str) else text
    return sa.func.lower(column).contains(value, escape=LIKE_ESCAPE)


def paginate(select, form: FilterForm, *, per_page: int = PAGE_SIZE):
    """One page of ``select`` at the form's page number (past the last page: no rows)."""
    return db.paginate(select, page=form.page.data, per_page=per_page, error_out=False)


class ListPage:
    """A page of rows already read (``items``) out of ``total``, for the ``pagination``
    macro: what ``paginate`` gives, for a list that reads its rows and its total itself."""

    def __init__(self, items: list, total: int, page: int, per_page: int = PAGE_SIZE):
        self.items, self.total, self.page, self.per_page = items, total, page, per_page
        self.pages = max(-(-total // per_page), 1) if total else 0
        self.has_prev, self.prev_num = page > 1, page - 1
        self.has_next, self.next_num = page < self.pages, page + 1
