"""French dates and times in Europe/Paris, for templates and e-mails."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import has_app_context
from flask_babel import get_translations

from reseau.core.database import utcnow

PARIS = ZoneInfo("Europe/Paris")
LOCALE = "fr"  # every page, e-mail and file is French (the locale selector below)
# The locale of every page, e-mail and script: the locale selector always gives LOCALE, so
# dates and numbers use it directly instead of asking Flask-Babel per date (once per row).
FRENCH = Locale.parse(LOCALE)


def to_local(value: datetime) -> datetime:
    """Return ``value`` (aware, or naive UTC) in Europe/Paris."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(PARIS)


def today_paris(now: datetime | None = None) -> date:
    """Today in Europe/Paris (at ``now``), whatever the server's own time zone."""
    return to_local(now or utcnow()).date()


def from_local(value: datetime) -> datetime:
    """Return the aware UTC datetime for a naive wall-clock time in Europe/Paris."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=PARIS)
    return value.astimezone(UTC)


LONG_DATE = "EEEE d MMMM y"


def date_fr(value: date | datetime | None, style: str = LONG_DATE) -> str:
    """« jeudi 24 mars 2011 »."""
    if value is None:
        return ""
    # Babel directly, with the zone fixed: lists show hundreds of dates, and Flask-Babel's
    # wrappers look the locale and zone up again for each (twice the cost, measured).
    return _formatted_date(value, style, FRENCH)


@lru_cache(maxsize=4096)
def _formatted_date(value: date | datetime, style: str, locale: Locale) -> str:
    # Babel's formatting is the dearest part of a list's row; a page shows the same dates
    # again and again (every line of a session, every request of the day), and the answer
    # depends only on these three.
    if isinstance(value, datetime):
        return babel_dates.format_datetime(value, style, tzinfo=PARIS, locale=locale)
    return babel_dates.format_date(value, style, locale=locale)


def short_date_fr(value: date | datetime | None) -> str:
    """« 24/03/2011 »."""
    return date_fr(value, "dd/MM/y")


def time_fr(value: datetime | None) -> str:
    """« 9 h 30 », « 14 h »."""
    if value is None:
        return ""
    local = to_local(value)
    return f"{local.hour} h {local.minute:02d}" if local.minute else f"{local.hour} h"


def datetime_fr(value: datetime | None) -> str:
    """« jeudi 24 mars 2011 à 9 h 30 »."""
    if value is None:
        return ""
    return f"{date_fr(value)} à {time_fr(value)}"


def span_fr(starts_at: datetime, ends_at: datetime) -> str:
    """« jeudi 24 mars 2011, 9 h 30 – 12 h 30 » for a séance."""
    if to_local(starts_at).date() == to_local(ends_at).date():
        return f"{date_fr(starts_at)}, {time_fr(starts_at)} – {time_fr(ends_at)}"
    return f"du {datetime_fr(starts_at)} au {datetime_fr(ends_at)}"


def number(value: float | int | None, style: str = "decimal") -> str:
    """« 1 234 », « 4,5 », « 87 % »: every number a page shows, written by Babel.

    ``style="percent"`` takes a percentage (87 for 87 %), as the reports compute them. One
    decimal at most, none when it is zero."""
    if value is None:
        return ""
    if style == "decimal" and type(value) is int and 0 <= value < 1000:
        return str(value)  # no separator, no decimals: what Babel writes, without Babel
    return _formatted_number(value, style)


@lru_cache(maxsize=4096)
def _formatted_number(value: float | int, style: str) -> str:
    # Pages show the same few numbers again and again (hours followed: 3, 6, 3.5…), and
    # Babel's formatting of one costs more than the rest of its line.
    if style == "percent":
        return babel_numbers.format_percent(value / 100, "#,##0.# %", locale=FRENCH)
    return babel_numbers.format_decimal(value, "#,##0.#", locale=FRENCH)


_TRANSLATIONS: list = []  # LOCALE's message catalogue, looked up once per process


def _translations():
    """Flask-Babel's translations of LOCALE. The files do not change while the process runs
    and every page is in LOCALE, so the first lookup in an application serves them all:
    Flask-Babel's walks the request context, the domain and the locale at every call (a
    catalogue page makes a few dozen: a tenth of its time, measured)."""
    if _TRANSLATIONS:
        return _TRANSLATIONS[0]
    translations = get_translations()
    if has_app_context():
        _TRANSLATIONS.append(translations)
    return translations


def plural_form(singular: str, plural: str, num: float | int) -> str:
    """The form of ``num``: French gives the singular to 0 and 1 (« 0 personne a répondu »).

    A catalogue that translates the message decides with its own rule; untranslated, the
    French source is chosen here (gettext's fallback would say « 0 personnes »)."""
    translations = _translations()
    key = (singular, 0 if abs(num) < 2 else 1)
    catalog = getattr(translations, "_catalog", {})
    if key in catalog:
        return translations.ngettext(singular, plural, num)
    return singular if abs(num) < 2 else plural


def ngettext(singular: str, plural: str, num: float | int, **variables) -> str:
    """Plurals in Python code: ``ngettext("%(num)s place", "%(num)s places", n)``; ``num`` is
    written by :func:`number`. Templates have the same ``ngettext``."""
    variables.setdefault("num", number(num))
    return plural_form(singular, plural, num) % variables


def _template_ngettext(singular: str, plural: str, num: float | int) -> str:
    # Jinja's newstyle gettext then applies ``% variables`` (num included, escaped): the
    # number is written by ``number`` first, so « 1 234 personnes », not « 1234 ».
    return plural_form(singular, plural, num).replace("%(num)s", number(num).replace("%", "%%"))


_WTFORMS_TRANSLATIONS: list = []  # WTForms' own messages in LOCALE, read once per process


def _share_wtforms_translations() -> None:
    """Give Flask-WTF the WTForms messages read once per process.

    Flask-WTF reads WTForms' ``.mo`` file from disk on every request that builds a form and
    keeps it on ``request`` only; every page with a button builds one. The catalogue does
    not change while the process runs: it is read once and shared (it is only read).
    """
    from flask import request

    if not _WTFORMS_TRANSLATIONS:
        from babel import support
        from wtforms.i18n import messages_path

        _WTFORMS_TRANSLATIONS.append(
            support.Translations.load(messages_path(), [LOCALE], domain="wtforms")
        )
    request.wtforms_translations = _WTFORMS_TRANSLATIONS[0]


def init_app(app) -> None:
    """French and Paris time everywhere: Flask-Babel and the date filters of the templates."""
    from reseau.core.extensions import babel

    babel.init_app(app, locale_selector=lambda: LOCALE, timezone_selector=lambda: "Europe/Paris")
    app.before_request(_share_wtforms_translations)
    app.add_template_filter(date_fr, "date_fr")
    app.add_template_filter(short_date_fr, "short_date_fr")
    app.add_template_filter(time_fr, "time_fr")
    app.add_template_filter(datetime_fr, "datetime_fr")
    app.add_template_filter(to_local, "local")
    app.add_template_global(span_fr, "span_fr")
    app.add_template_filter(number, "number")
    # Flask-Babel's callables, with the French plural rule and numbers written by Babel.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=_template_ngettext,
        newstyle=True,
    )
