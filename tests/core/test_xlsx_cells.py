"""Issue 23: workbook sheet names that Excel accepts and people can read, and dates stored as
real date cells with a French format (read back with openpyxl)."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from reseau.core.downloads import (
    SHEET_TITLE_MAX,
    XLSX_DATE_FORMAT,
    XLSX_MONTH_FORMAT,
    append_row,
    csv_cell,
    sheet_title,
)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Bilan", "Bilan"),
        ("Participants par département", "Participants par département"),
        # Cut between words, never on a small word nor inside a parenthesis.
        ("Sessions et heures par thématique", "Sessions et heures"),
        ("Assiduité par thématique (sessions clôturées)", "Assiduité par thématique"),
        ("Besoins du diagnostic et sessions tenues", "Besoins du diagnostic"),
        ("Heures : janvier / février [2011]?", "Heures janvier février 2011"),
        ("'Citée'", "Citée"),
        ("x" * 40, "x" * 31),  # one word longer than the limit: nothing better
        ("", "Feuille"),
    ],
)
def test_sheet_titles_are_short_whole_words(title, expected):
    name = sheet_title(title)
    assert name == expected
    assert len(name) <= SHEET_TITLE_MAX


def test_sheet_titles_are_unique_whatever_the_case():
    taken = ["Bilan", "Sessions et heures"]
    assert sheet_title("bilan", taken) == "bilan (2)"
    assert sheet_title("Sessions et heures par thématique", taken) == "Sessions et heures (2)"
    long = "Participants par centre social adhérent"
    first = sheet_title(long)
    second = sheet_title(long, [first])
    assert len(second) <= SHEET_TITLE_MAX and second.endswith(" (2)")
    assert second == "Participants par centre (2)"


def test_dates_are_date_cells_in_the_french_format():
    workbook = Workbook()
    sheet = workbook.active
    append_row(sheet, [date(2011, 3, 24), "=1+1", 3.5, date(2011, 3, 1)], {3: XLSX_MONTH_FORMAT})
    append_row(sheet, [datetime(2011, 3, 24, 9, 30)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    read = load_workbook(io.BytesIO(buffer.getvalue())).active
    day, formula, number, month = read[1]
    assert day.is_date and day.value == datetime(2011, 3, 24)
    assert day.number_format == XLSX_DATE_FORMAT == "DD/MM/YYYY"
    assert (formula.data_type, formula.value) == ("s", "=1+1")  # text, no formula
    assert number.value == 3.5
    assert month.is_date and month.number_format == "[$-fr-FR]MMMM YYYY"
    moment = read["A2"]
    assert moment.is_date and moment.number_format == "DD/MM/YYYY HH:MM"


def test_csv_dates_are_french():
    assert csv_cell(date(2011, 3, 24)) == "24/03/2011"
    assert csv_cell(datetime(2011, 3, 24, 9, 30)) == "24/03/2011 09:30"
