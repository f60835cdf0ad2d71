"""The bilan's tables, as the page shows them and as CSV and XLSX downloads
(served by ``reseau.core.downloads``).

The page, the CSV and the workbook are all built from the same ``Table`` objects, so a
download always holds exactly the numbers on screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from openpyxl import Workbook
from openpyxl.styles import Font

from reseau.core.downloads import append_row
from reseau.core.i18n import short_date_fr
from reseau.reports.queries import Bilan, SubCategories
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

    def column(self, index: int) -> list:
        return [row[index] for row in self.rows]

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


def month_label(key: str) -> str:
    """« mars 2011 » for « 2011-03 »."""
    year, month = key.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def _offer_table(key: str, title: str, first: str, offers) -> Table:
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
    )  # fmt: skip


def build_tables(bilan: Bilan, centre_link=None) -> dict[str, Table]:
    """Every table of the bilan, by key, in the page's order."""
    tables = [
        _offer_table("offre-type", "Sessions et heures par type", "Type", bilan.by_kind),
        _offer_table("offre-thematique", "Sessions et heures par thématique", "Thématique",
                     bilan.by_theme),
        _offer_table("offre-cycle", "Sessions et heures par cycle", "Cycle", bilan.by_cycle),
        Table(
            "heures-mois",
            "Heures de formation par mois",
            ["Mois", "Heures de formation"],
            [[month_label(month), hours] for month, hours in bilan.hours_by_month],
        ),
        Table(
            "participants-categorie",
            "Participants par catégorie",
            ["Catégorie", "Participants"],
            [[category.label, bilan.by_category.get(category, 0)] for category in ORDER],
        ),
        Table(
            "participants-departement",
            "Participants par département",
            ["Département", "Participants"],
            [[label, n] for label, n in bilan.by_department],
        ),
        Table(
            "participants-centre",
            "Participants par centre social",
            ["Centre social", "Ville", "Département", "Adhérent du réseau", "Participants"],
            [[c.name, c.town, c.department, "oui" if c.member else "non", c.people]
             for c in bilan.centres],
            [centre_link(c.id) if centre_link else None for c in bilan.centres],
        ),
        Table(
            "assiduite-thematique",
            "Assiduité par thématique (sessions clôturées)",
            ["Thématique", "Séances attendues", "Séances suivies", "Taux d'assiduité (%)"],
            [[r.label, r.expected, r.attended, r.percent if r.percent is not None else ""]
             for r in bilan.rates],
        ),
        Table(
            "satisfaction",
            "Satisfaction (évaluations à chaud)",
            ["Note sur 5", "Réponses"],
            [[score, n] for score, n in bilan.satisfaction.items()],
        ),
        Table(
            "besoins-offre",
            "Besoins du diagnostic et sessions tenues",
            ["Thématique", "Personnes demandeuses", "Score du besoin", "Sessions tenues",
             "Besoin couvert"],
            [[n.label, n.people, n.score, n.sessions, "oui" if n.covered else "non"]
             for n in bilan.needs],
        ),
        Table(
            "evenements",
            "Les sessions de la période",
            ["Date", "Lieu", "Titre", "Type", "Centres sociaux", "Participants",
             *[c.label for c in ORDER]],
            [[short_date_fr(e.session.starts_at), e.session.place_label, e.session.title,
              e.session.kind.label, e.centres, e.participants,
              *[e.by_category.get(c, 0) for c in ORDER]] for e in bilan.events],
        ),
    ]  # fmt: skip
    if bilan.campaign is None:  # no diagnostic yet: no needs table
        tables = [table for table in tables if table.key != "besoins-offre"]
    return {table.key: table for table in tables}


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
    )


def to_workbook(tables: list[Table], title: str) -> Workbook:
    """A workbook: a summary sheet, then one sheet per table, numbers kept as numbers and
    text as text (``append_row``: a session title starting with "=" is no formula)."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Bilan"
    append_row(summary, [title])
    summary["A1"].font = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, workbook.sheetnames))
        append_row(sheet, table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            append_row(sheet, row)
        append_row(summary, [table.title, sheet.title])
    return workbook


def _sheet_title(title: str, taken: list[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title)[:28].strip()
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base[:26]} {n}"
    return name
