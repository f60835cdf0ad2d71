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
from collections.abc import Iterable, Iterator
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


def append_row(sheet, values: Iterable[Any]) -> None:
    """Append ``values`` to an XLSX sheet, text as text: openpyxl would store "=…" as a
    formula."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


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
