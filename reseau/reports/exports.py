"""The bilan's tables, as the page shows them and as CSV and XLSX downloads
(served by ``reseau.core.downloads``).

The page, the CSV and the workbook are all built from the same ``Table`` objects, so a
download always holds exactly the numbers on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from numbers import Number

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.hyperlink import Hyperlink

from reseau.core.downloads import XLSX_MONTH_FORMAT, append_row, fit_columns, sheet_title
from reseau.core.i18n import number, short_date_fr, to_local
from reseau.reports.queries import Bilan, Event, SubCategories
from reseau.reports.wording import ORDER

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    # Optional link per row (same order as rows), e.g. a centre's own bilan.
    links: list[str | None] = field(default_factory=list)
    # Rows left out of the page (the CSV and XLSX exports always hold them all).
    more: int = 0
    # The workbook's sheet name: short, whole words, at most 31 characters (Excel's limit).
    sheet: str = ""
    # Columns whose dates stand for their whole month (« mars 2011 »).
    months: tuple[int, ...] = ()

    def column(self, index: int) -> list:
        return [row[index] for row in self.rows]

    def text(self, index: int, value):
        """A cell as the page and the CSV show it: dates in French, the rest unchanged."""
        if isinstance(value, date):
            if index in self.months:
                return f"{MONTHS[value.month - 1]} {value.year}"
            return _short_date(value)
        return value

    def cell(self, value) -> str:
        """A cell of the page: numbers written in French (see ``_number``)."""
        return _number(value) if isinstance(value, Number) else value

    def shown(self, row: list) -> list:
        return [self.text(index, value) for index, value in enumerate(row)]

    def text_rows(self) -> list[list]:
        return [self.shown(row) for row in self.rows]

    def text_column(self, index: int) -> list:
        return [self.text(index, row[index]) for row in self.rows]

    def top(self, limit: int, column: int) -> Table:
        """The ``limit`` rows with the highest ``column``, for a page: a national network has
        thousands of centres, which no one reads on screen (the export has them all)."""
        if len(self.rows) <= limit:
            return self
        order = sorted(range(len(self.rows)), key=lambda i: -self.rows[i][column])[:limit]
        return replace(
            self,
            rows=[self.rows[i] for i in order],
            links=[self.links[i] for i in order] if self.links else [],
            more=len(self.rows) - limit,
        )


# A national bilan writes thousands of cells, mostly the same small numbers and dates: each
# is written by Babel once per process (plain strings; the application speaks French only).
@lru_cache(maxsize=4096)
def _number(value) -> str:
    return number(value)


@lru_cache(maxsize=4096)
def _short_date(value: date) -> str:
    return short_date_fr(value)


def month_label(key: str) -> str:
    """« mars 2011 » for « 2011-03 »."""
    year, month = key.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def month_start(key: str) -> date:
    """The first day of « 2011-03 »: a real date cell for the workbook."""
    year, month = key.split("-")
    return date(int(year), int(month), 1)


def _offer_table(key: str, title: str, first: str, offers, sheet: str) -> Table:
    return Table(
        key,
        title,
        [first, "Sessions tenues", "Sessions annulées", "Séances", "Heures de formation",
         "Heures-stagiaires"],
        [
            [o.label, o.held, o.cancelled, o.seances, o.hours, o.trainee_hours]
            for o in offers
            if o.held or o.cancelled
        ],
        sheet=sheet,
    )  # fmt: skip


def _centre_table(bilan: Bilan, centre_link, limit: int | None) -> Table:
    """Participants by centre: every centre (the downloads), or for the page only the
    ``limit`` with the most participants (``Table.top``'s choice, without building the
    thousands of rows of a national network first)."""
    centres = bilan.centres
    more = 0
    if limit is not None and bilan.reached > limit:
        # ``bilan.centres`` may hold only those with the most participants (ties kept): the
        # same first ``limit`` as among all of them, in the same order.
        chosen = sorted(range(len(centres)), key=lambda i: -centres[i].people)[:limit]
        centres, more = [centres[i] for i in chosen], bilan.reached - limit
    return Table(
        "participants-centre",
        "Participants par centre social",
        ["Centre social", "Ville", "Département", "Adhérent du réseau", "Participants"],
        [[c.name, c.town, c.department, "oui" if c.member else "non", c.people] for c in centres],
        [centre_link(c.id) if centre_link else None for c in centres],
        sheet="Participants par centre",
        more=more,
    )


def build_tables(
    bilan: Bilan, centre_link=None, centre_limit: int | None = None
) -> dict[str, Table]:
    """Every table of the bilan, by key, in the page's order (``centre_limit``: see
    ``_centre_table``)."""
    tables = [
        _offer_table("offre-type", "Sessions et heures par type", "Type", bilan.by_kind,
                     "Offre par type"),
        _offer_table("offre-thematique", "Sessions et heures par thématique", "Thématique",
                     bilan.by_theme, "Offre par thématique"),
        _offer_table("offre-cycle", "Sessions et heures par cycle", "Cycle", bilan.by_cycle,
                     "Offre par cycle"),
        Table(
            "heures-mois",
            "Heures de formation par mois",
            ["Mois", "Heures de formation"],
            [[month_start(month), hours] for month, hours in bilan.hours_by_month],
            sheet="Heures par mois",
            months=(0,),
        ),
        Table(
            "participants-categorie",
            "Participants par catégorie",
            ["Catégorie", "Participants"],
            [[category.label, bilan.by_category.get(category, 0)] for category in ORDER],
            sheet="Participants par catégorie",
        ),
        Table(
            "participants-departement",
            "Participants par département",
            ["Département", "Participants"],
            [[label, n] for label, n in bilan.by_department],
            sheet="Participants par département",
        ),
        _centre_table(bilan, centre_link, centre_limit),
        Table(
            "assiduite-thematique",
            "Assiduité par thématique (sessions clôturées)",
            ["Thématique", "Séances attendues", "Séances suivies", "Taux d'assiduité (%)"],
            [[r.label, r.expected, r.attended, r.percent if r.percent is not None else ""]
             for r in bilan.rates],
            sheet="Assiduité par thématique",
        ),
        Table(
            "satisfaction",
            "Satisfaction (évaluations à chaud)",
            ["Note sur 5", "Réponses"],
            [[score, n] for score, n in bilan.satisfaction.items()],
            sheet="Satisfaction",
        ),
        Table(
            "besoins-offre",
            "Besoins du diagnostic et sessions tenues",
            ["Thématique", "Personnes demandeuses", "Score du besoin", "Sessions tenues",
             "Besoin couvert"],
            [[n.label, n.people, n.score, n.sessions, "oui" if n.covered else "non"]
             for n in bilan.needs],
            sheet="Besoins et offre",
        ),
        events_table(bilan.events),
    ]  # fmt: skip
    if bilan.campaign is None:  # no diagnostic yet: no needs table
        tables = [table for table in tables if table.key != "besoins-offre"]
    return {table.key: table for table in tables}


def events_table(events: list[Event]) -> Table:
    """The sessions one by one: date, place, title, kind, centres, participants by category."""
    return Table(
        "evenements",
        "Les sessions de la période",
        ["Date", "Lieu", "Titre", "Type", "Centres sociaux", "Participants",
         *[c.label for c in ORDER]],
        [[to_local(e.session.starts_at).date(), e.session.place_label, e.session.title,
          e.session.kind.label, e.centres, e.participants,
          *[e.by_category.get(c, 0) for c in ORDER]] for e in events],
        sheet="Sessions une par une",
    )  # fmt: skip


NO_SUB_CATEGORY = "(sans précision)"


def sub_category_table(subs: SubCategories) -> Table:
    """Participants by category and sub-category (« Élu·e / administrateur·rice · élu
    municipal · 1 »), the categories in the seeds' order, the largest first within each."""
    rows = []
    for category in ORDER:
        counts = [(sub, n) for (cat, sub), n in subs.period.items() if cat == category and n]
        for sub, n in sorted(counts, key=lambda item: (not item[0], -item[1], item[0])):
            rows.append([category.label, sub or NO_SUB_CATEGORY, n])
    return Table(
        "participants-precision",
        "Participants par précision de catégorie",
        ["Catégorie", "Précision", "Participants"],
        rows,
        sheet="Participants par précision",
    )


def to_workbook(tables: list[Table], title: str) -> Workbook:
    """A workbook: a summary sheet, then one sheet per table (its short name), numbers kept as
    numbers, dates as date cells in the French format, text as text (``append_row``: a
    session title starting with "=" is no formula)."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Bilan"
    append_row(summary, [title])
    summary["A1"].font = Font(bold=True)
    append_row(summary, ["Tableau", "Feuille"])
    for cell in summary[2]:
        cell.font = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(sheet_title(table.sheet or table.title, workbook.sheetnames))
        append_row(sheet, table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        formats = dict.fromkeys(table.months, XLSX_MONTH_FORMAT)
        for row in table.rows:
            append_row(sheet, row, formats)
        sheet.freeze_panes = "A2"
        fit_columns(sheet)
        append_row(summary, [table.title, sheet.title])
        cell = summary.cell(row=summary.max_row, column=2)
        quoted = sheet.title.replace("'", "''")
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{quoted}'!A1")
    summary.column_dimensions["A"].width = 50
    summary.column_dimensions["B"].width = 32
    return workbook
