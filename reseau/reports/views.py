"""The bilan: a year or any date range, for the coordinator (everything) or a referent (their
centre), as a page with charts and tables, a printable version and CSV/XLSX downloads."""

from __future__ import annotations

from datetime import date, datetime

from flask import abort, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from reseau.accounts.access import manager_required
from reseau.accounts.models import Centre
from reseau.core.cache import kept, key_of
from reseau.core.database import utcnow
from reseau.core.downloads import csv_download, xlsx_download
from reseau.core.extensions import db
from reseau.core.forms import parse_int
from reseau.core.i18n import date_fr, from_local, number, to_local
from reseau.core.periods import Period
from reseau.core.web import render_page, wants_fragment
from reseau.reports import bp
from reseau.reports.charts import Series, bar_chart
from reseau.reports.exports import build_tables, events_table, sub_category_table, to_workbook
from reseau.reports.forms import BilanKindForm
from reseau.reports.queries import (
    build_bilan,
    held_count,
    next_held,
    session_events,
    sub_categories,
)
from reseau.reports.wording import (
    KIND_NOUNS,
    ORDER,
    kind_sentence,
    participants_sentence,
    sub_category_phrase,
)

MIN_YEAR, MAX_YEAR = 1990, 2100

# Centres shown on the page, most participants first (all of them in the CSV and XLSX).
CENTRE_ROWS = 40
CENTRE_MARK = 987654321  # stands for a centre's id in the link built once


def _parse_date(name: str, errors: dict) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        errors[name] = "Date invalide : choisissez une date (jj/mm/aaaa)."
        return None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        errors[name] = f"Choisissez une date entre {MIN_YEAR} et {MAX_YEAR}."
        return None
    return parsed


def _centre() -> Centre | None:
    """The centre the bilan is restricted to: the referent's own, or one the coordinator chose."""
    if current_user.is_coordinator:
        centre_id = request.args.get("centre", type=int)
        if not request.args.get("centre"):
            return None
        if centre_id is None:
            abort(404)
        return db.get_or_404(Centre, centre_id)
    if current_user.is_referent:
        return current_user.centre
    abort(403)


def _scope() -> tuple[Period, dict, dict]:
    """Read the period from the query string: ``annee``, or ``du`` and ``au`` (a range), and
    the kind of session (``type``, a GET form: an unknown one is said next to the field).

    Return the scope, the query arguments that give it back (links, downloads) and the form's
    state: French errors by field, what was typed, the centre.
    """
    centre = _centre()
    errors: dict[str, str] = {}
    year_value = request.args.get("annee", "").strip()
    year = to_local(utcnow()).year
    if year_value:
        if MIN_YEAR <= (parse_int(year_value) or 0) <= MAX_YEAR:
            year = parse_int(year_value)
        else:
            errors["annee"] = f"Choisissez une année entre {MIN_YEAR} et {MAX_YEAR}."
    start, end = _parse_date("du", errors), _parse_date("au", errors)
    if start and end and end < start:
        errors["au"] = "La fin de la période doit venir après son début."
    elif start and not end and "au" not in errors:
        errors["au"] = "Indiquez aussi la fin de la période."
    elif end and not start and "du" not in errors:
        errors["du"] = "Indiquez aussi le début de la période."
    kind_form = BilanKindForm(formdata=request.args)
    if not kind_form.validate():
        errors["type"] = kind_form.kind.errors[0]
    kind = kind_form.chosen
    centre_id = centre.id if centre else None
    if start and end and not errors.keys() - {"type"}:
        scope = Period(start, end, centre_id, kind=kind)
    else:
        scope = Period.year(year, centre_id, kind=kind)
    args = {"centre": centre_id if current_user.is_coordinator else None}
    if scope.is_year:
        args["annee"] = scope.start.year
    else:
        args.update(du=scope.start.isoformat(), au=scope.end.isoformat())
    args["type"] = kind.value if kind else None
    typed = {key: request.args.get(key, "") for key in ("annee", "du", "au")}
    form = {"errors": errors, "typed": typed, "centre": centre, "kind_form": kind_form}
    return scope, {k: v for k, v in args.items() if v is not None}, form


def period_label(scope: Period) -> str:
    if scope.is_year:
        label = f"Année {scope.start.year}"
    else:
        label = f"Du {date_fr(scope.start, 'd MMMM y')} au {date_fr(scope.end, 'd MMMM y')}"
    if scope.kind is not None:
        label += f" · {KIND_NOUNS[scope.kind][1].capitalize()}"
    return label


def _charts(bilan, tables) -> dict:
    categories = tables["participants-categorie"]
    departments = tables["participants-departement"]
    months = tables["heures-mois"]
    rates = [r for r in bilan.rates if r.percent is not None]
    needs = bilan.needs
    return {
        "participants-categorie": bar_chart(
            "Participants par catégorie",
            categories.text_column(0),
            Series("Participants", categories.column(1)),
            chart_id="chart-categories",
        ),
        "participants-departement": bar_chart(
            "Participants par département",
            departments.text_column(0),
            Series("Participants", departments.column(1)),
            chart_id="chart-departments",
        ),
        "heures-mois": bar_chart(
            "Heures de formation par mois",
            months.text_column(0),
            Series("Heures", months.column(1)),
            chart_id="chart-months",
        ),
        "assiduite-thematique": bar_chart(
            "Taux d'assiduité par thématique (%)",
            [r.label for r in rates],
            Series("Taux d'assiduité (%)", [r.percent for r in rates]),
            chart_id="chart-attendance",
        ),
        "besoins-offre": bar_chart(
            "Besoins du diagnostic (personnes demandeuses) et offre de la période",
            [n.label for n in needs],
            Series("Personnes demandeuses", [n.people for n in needs]),
            chart_id="chart-needs",
            colour_of=[0 if n.covered else 1 for n in needs],
            legend_names=("Couvert par une session", "Sans session dans la période"),
        ),
    }


def _bilan_figures(scope: Period, *, events: bool = True, centre_limit: int | None = None):
    """The bilan of ``scope``, computed afresh (from indexed aggregates: see queries.py);
    the page leaves the sessions one by one to their own page (``events``) and lists only
    the centres it shows (``centre_limit``)."""
    return build_bilan(scope, events=events, centre_limit=centre_limit)


def _sub_figures(bilan):
    """Participants by sub-category, for the period and each event listed (no query for a
    calendar year: the bilan read them with its year's rows and its events)."""
    events = bilan.events
    return sub_categories(
        bilan.scope,
        [event.session.id for event in events],
        events,
        period=bilan.sub_category_counts,
    )


def _tables(bilan, args: dict, subs, centre_limit: int | None = None) -> dict:
    centre_link = None
    if current_user.is_coordinator and bilan.scope.centre_id is None:
        base = {k: v for k, v in args.items() if k != "centre"}
        # One url_for for thousands of centres: the id goes into a built address.
        pattern = url_for("reports.bilan", centre=CENTRE_MARK, **base)

        def centre_link(centre_id):
            return pattern.replace(str(CENTRE_MARK), str(centre_id), 1)

    tables = {}
    for key, table in build_tables(bilan, centre_link, centre_limit).items():
        tables[key] = table
        # The finer count right after the categories', when someone gave a sub-category.
        if key == "participants-categorie" and subs.named():
            tables["participants-precision"] = sub_category_table(subs)
    return tables


def _bilan_context():
    scope, args, form = _scope()
    bilan = _bilan_figures(scope)
    subs = _sub_figures(bilan)
    return scope, args, form, bilan, _tables(bilan, args, subs), subs


def _render_bilan(bilan, args: dict, centre) -> str:
    subs = _sub_figures(bilan)
    tables = _tables(bilan, args, subs, CENTRE_ROWS)
    kind = bilan.scope.kind
    return render_template(
        "reports/_bilan.html",
        scope=bilan.scope,
        args=args,
        centre=centre,
        bilan=bilan,
        tables=tables,
        charts=_charts(bilan, tables),
        period=period_label(bilan.scope),
        summary=participants_sentence(bilan.reached, bilan.by_category),
        kind_summary=kind_sentence(kind, bilan.total.held, bilan.reached) if kind else "",
        sub_summary=sub_category_phrase(subs.named()),
        years=bilan.years,
        categories=ORDER,
        centre_rows=CENTRE_ROWS,
    )


def _kept_bilan(scope: Period, args: dict, form: dict) -> dict:
    """The bilan's tables and its period forms as HTML, kept between requests until a write
    to what they were read from, a session of the period starting, or the new year
    (``core.cache``). The same for everyone of the same role: no person, no token in them
    (the forms are GET forms; what was typed is in the key)."""
    centre = form["centre"]
    role = "coordinator" if current_user.is_coordinator else "referent"
    kind = scope.kind.value if scope.kind else ""
    # The centre was read before: its name goes into the key, not only into the page.
    name = centre.name if centre else ""
    typed = {f"typed_{k}": v for k, v in form["typed"].items()}
    key = key_of(
        "bilan", scope.start, scope.end, scope.centre_id, name, kind, role, **typed, **args
    )

    def compute():
        bilan = _bilan_figures(scope, events=False, centre_limit=CENTRE_ROWS)
        html = _render_bilan(bilan, args, centre)
        forms = render_template(
            "reports/_period_fields.html", args=args, form=form, years=bilan.years
        )
        new_year = from_local(datetime(to_local(utcnow()).year + 1, 1, 1))
        until = min(filter(None, (next_held(scope), new_year)))
        return {"html": html, "forms": forms}, until

    return kept(key, compute)


@bp.route("/bilan")
@manager_required
def bilan():
    scope, args, form = _scope()
    centre = form["centre"]
    bilan = _kept_bilan(scope, args, form)
    return render_page(
        "reports/bilan.html",
        "reports/_bilan_fragment.html",
        oob=wants_fragment(),
        status=422 if form["errors"] else 200,
        scope=scope,
        args=args,
        form=form,
        centre=centre,
        bilan_html=Markup(bilan["html"]),  # noqa: S704 (our template's output)
        period_forms_html=Markup(bilan["forms"]),  # noqa: S704 (our template's output)
    )


@bp.route("/bilan/sessions")
@manager_required
def bilan_sessions():
    """The period's sessions one by one (a page of its own; htmx loads it into the bilan)."""
    scope, args, form = _scope()
    events = session_events(scope)
    subs = sub_categories(scope, [event.session.id for event in events], events, period={})
    return render_page(
        "reports/bilan_sessions.html",
        "reports/_bilan_sessions.html",
        status=422 if form["errors"] else 200,
        args=args,
        centre=form["centre"],
        period=period_label(scope),
        events=events,
        held=held_count(scope),
        table=events_table(events),
        event_sentence=lambda e: participants_sentence(
            e.centres, e.by_category, subs.event(e.session.id)
        ),
    )


def _filename(scope: Period, suffix: str) -> str:
    period = str(scope.start.year) if scope.is_year else f"{scope.start}_{scope.end}"
    centre = f"-centre-{scope.centre_id}" if scope.centre_id else ""
    kind = f"-{scope.kind.value.replace('_', '-')}" if scope.kind else ""
    return f"bilan-{period}{kind}{centre}-{suffix}"


@bp.route("/bilan/<key>.csv")
@manager_required
def bilan_csv(key: str):
    scope, _, _, _, tables, _ = _bilan_context()
    table = tables.get(key)
    if table is None:
        abort(404)
    return csv_download(f"{_filename(scope, key)}.csv", table.headers, table.text_rows())


@bp.route("/bilan.xlsx")
@manager_required
def bilan_xlsx():
    scope, _, form, bilan, tables, _ = _bilan_context()
    title = f"Bilan – {period_label(scope)}"
    if form["centre"]:
        title += f" – {form['centre'].name}"
    title += f" : {participants_sentence(bilan.reached, bilan.by_category)}"
    workbook = to_workbook(list(tables.values()), title)
    return xlsx_download(workbook, f"{_filename(scope, 'tableaux')}.xlsx")


@bp.app_template_filter("number_fr")
def number_fr(value) -> str:
    """The old name of the ``number`` filter (reseau.core.i18n), for templates not yet moved."""
    return number(value)
