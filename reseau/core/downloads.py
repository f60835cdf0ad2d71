"""Every file Réseau serves for download (CSV, XLSX, PDF, JSON) goes through here.

Spreadsheets open what people typed: a name such as ``=HYPERLINK("http://…")`` would become a
live formula. CSV cells starting with ``= + - @``, a tab or a carriage return get a leading
apostrophe (OWASP's advice: the spreadsheet shows the text as typed); XLSX text cells are
written as strings, never formulas. Downloads hold personal data: ``Cache-Control: no-store``.
(The next issue moves this module to ``reseau/core/``.)
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from flask import Response, send_file, stream_with_context
from openpyxl import Workbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_MIMETYPE = "application/pdf"


def neutralise(value: Any) -> Any:
    """Return ``value`` as a spreadsheet shows it: a text starting like a formula, quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_cell(value: Any) -> Any:
    """A CSV cell as French spreadsheet software reads it: decimal comma, no formula."""
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if value is None:
        return ""
    return neutralise(value)


def csv_chunks(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """Yield the CSV text (";" and a BOM, as French spreadsheet software expects) in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    buffer.write("\ufeff")
    writer.writerow([csv_cell(value) for value in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
    yield buffer.getvalue()


def csv_download(
    filename: str, header: list[str], rows: Iterable[Iterable[Any]], *, stream: bool = False
) -> Response:
    """A CSV file; with ``stream``, rows are written as they come (large exports)."""
    chunks = csv_chunks(header, rows)
    body = chunks if stream else "".join(chunks).encode("utf-8")
    return download(body, CSV_MIMETYPE, filename)


# Real date cells shown the French way (the "[$-fr-FR]" locale tag gives French month names
# whatever the reader's language).
XLSX_DATE_FORMAT = "DD/MM/YYYY"
XLSX_DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
XLSX_MONTH_FORMAT = "[$-fr-FR]MMMM YYYY"
SHEET_TITLE_MAX = 31  # Excel's limit
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Words a cut title must not end on (« Sessions et heures par »).
_TRAILING_WORDS = {"à", "au", "aux", "d'", "de", "des", "du", "en", "et", "la", "le", "les",
                   "ou", "par", "pour", "sur"}  # fmt: skip


def append_row(sheet, values: Iterable[Any], formats: dict[int, str] | None = None) -> None:
    """Append ``values`` to an XLSX sheet, text as text (openpyxl would store "=…" as a
    formula), dates as date cells in the French format; ``formats`` gives some columns
    (by index) their own number format, such as ``XLSX_MONTH_FORMAT``."""
    sheet.append(list(values))
    for index, cell in enumerate(sheet[sheet.max_row]):
        value = cell.value
        if isinstance(value, str):
            cell.data_type = "s"
        elif isinstance(value, datetime):
            cell.number_format = XLSX_DATETIME_FORMAT
        elif isinstance(value, date):
            cell.number_format = XLSX_DATE_FORMAT
        if formats and index in formats and isinstance(value, date):
            cell.number_format = formats[index]


def sheet_title(title: str, taken: Iterable[str] = ()) -> str:
    """A sheet name Excel accepts, from ``title``: no ``[]:*?/\\``, at most 31 characters,
    cut between words (never mid-word, nor on « de », « par »…), unique among ``taken``
    (case aside, as Excel compares them) with « (2) », « (3) »…"""
    clean = " ".join(_SHEET_FORBIDDEN.sub(" ", title).split()).strip("'") or "Feuille"
    used = {name.casefold() for name in taken}
    name, n = _cut_at_word(clean, SHEET_TITLE_MAX), 1
    while name.casefold() in used:
        n += 1
        suffix = f" ({n})"
        name = _cut_at_word(clean, SHEET_TITLE_MAX - len(suffix)) + suffix
    return name


def _cut_at_word(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    words = text[: limit + 1].split(" ")
    if len(words) == 1:  # one long word: nothing better than cutting it
        return text[:limit]
    words = words[:-1]  # the last one is cut (or followed the limit)
    while len(words) > 1 and (
        words[-1].casefold() in _TRAILING_WORDS or words[-1].count("(") > words[-1].count(")")
    ):
        words.pop()
    return " ".join(words).rstrip(" ,;–-")


def fit_columns(sheet, *, widest: int = 60) -> None:
    """Widen each column of ``sheet`` to its longest cell (dates: their French length)."""
    widths: dict[str, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            length = 10 if isinstance(cell.value, date) else len(str(cell.value))
            widths[cell.column_letter] = max(widths.get(cell.column_letter, 0), length)
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = min(widest, width + 2)


def xlsx_download(workbook: Workbook, filename: str) -> Response:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return download(buffer.getvalue(), XLSX_MIMETYPE, filename)


def pdf_download(content: bytes, filename: str) -> Response:
    return download(bytes(content), PDF_MIMETYPE, filename)


def json_download(data: Any, filename: str) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    return download(body, "application/json", filename)


def download(body: bytes | Iterator[str], mimetype: str, filename: str) -> Response:
    """Serve ``body`` as an attachment named ``filename``, never kept by a cache."""
    if isinstance(body, bytes):
        response = send_file(
            io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=filename
        )
    else:  # a generator: streamed, with the request context kept for it
        response = Response(stream_with_context(body), mimetype=mimetype)
        response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "no-store"
    return response
