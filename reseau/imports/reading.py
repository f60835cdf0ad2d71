"""Reading an uploaded file into rows of text: CSV (any of the encodings and separators
French spreadsheet software writes) or XLSX. Anything else gets a French message.

Every limit is checked here, before anything is planned: the size (``MAX_BYTES``), the number
of rows (``MAX_ROWS``), the number of columns, and for XLSX the size of the unzipped parts
(a small file can unzip to gigabytes). A workbook is read in openpyxl's read-only mode, with
the values a spreadsheet last computed, never its formulas.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 60
# An XLSX's parts once unzipped: 50,000 rows of a few columns take a few tens of MB.
MAX_UNZIPPED_BYTES = 150 * 1024 * 1024
MAX_ZIP_MEMBERS = 500
MAX_CELL_CHARS = 1_000

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97–2003)


class ImportFileError(ValueError):
    """The file cannot be read; ``str(error)`` is the French message for the person."""


@dataclass
class Table:
    """A file's header and data rows (each a list of stripped strings, as long as the header)."""

    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (line number, cells)
    encoding: str = ""  # what the CSV was read as, or "xlsx"


def read_table(data: bytes, filename: str = "") -> Table:
    """Return the table in ``data``; raise ImportFileError with a French message if it
    cannot be read."""
    if not data or not data.strip():
        raise ImportFileError("Le fichier est vide.")
    if len(data) > MAX_BYTES:
        raise ImportFileError(too_big_message())
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data)
    if data.startswith(OLE_MAGIC):
        raise ImportFileError(
            "Ce fichier est au format Excel 97–2003 (.xls), que Réseau ne lit pas : "
            "enregistrez-le au format .xlsx ou .csv depuis votre tableur, puis envoyez-le."
        )
    text, encoding = decode_text(data)
    return _read_csv(text, encoding)


def too_big_message() -> str:
    return (
        f"Le fichier dépasse {MAX_BYTES // (1024 * 1024)} Mo : découpez-le en plusieurs "
        "fichiers, ou gardez seulement les colonnes utiles."
    )


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        f"Le fichier compte plus de {MAX_ROWS:,} lignes".replace(",", "\u202f")
        + " : découpez-le en plusieurs fichiers."
    )


NOT_A_TABLE = (
    "Ce fichier n'est pas un tableau lisible. Envoyez un fichier .csv ou .xlsx enregistré "
    "depuis votre tableur (Excel, LibreOffice), par exemple à partir du modèle proposé."
)


def decode_text(data: bytes) -> tuple[str, str]:
    """Return the text of a CSV file and the encoding it was read with.

    UTF-8 (with or without BOM), then Windows-1252 (what a French Excel writes as « CSV »).
    UTF-16 (Excel's « Texte Unicode ») is read when it says so with its BOM, or when every
    other byte is zero; other bytes outside any text encoding are refused.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(data, "utf-16"), "UTF-16"
    if b"\x00" in data[:4096]:
        sample = data[:4096]
        if sample[1::2].count(0) > len(sample) // 4 and sample[0::2].count(0) == 0:
            return _decode(data, "utf-16-le"), "UTF-16"
        if sample[0::2].count(0) > len(sample) // 4 and sample[1::2].count(0) == 0:
            return _decode(data, "utf-16-be"), "UTF-16"
        raise ImportFileError(NOT_A_TABLE)
    try:
        text, encoding = data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError as error:
            raise ImportFileError(
                "Les caractères de ce fichier ne sont pas lisibles (ni UTF-8, ni Windows-1252). "
                "Dans votre tableur, choisissez « Enregistrer sous », le format CSV et "
                "l'encodage UTF-8."
            ) from error
    _refuse_binary(text)
    return text, encoding


def _decode(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise ImportFileError(
            "Ce fichier se présente comme du texte UTF-16 mais ses caractères ne sont pas "
            "lisibles. Enregistrez-le au format CSV UTF-8 ou .xlsx, puis envoyez-le."
        ) from error
    text = text.removeprefix("\ufeff")
    _refuse_binary(text)
    return text


def _refuse_binary(text: str) -> None:
    # Control characters other than tab and line breaks do not occur in a table people typed.
    sample = text[:20_000]
    controls = sum(1 for char in sample if ord(char) < 32 and char not in "\t\r\n")
    if "\x00" in text or controls > max(2, len(sample) // 200):
        raise ImportFileError(NOT_A_TABLE)


def _delimiter(first_line: str) -> str:
    """The separator of the header line: ";" (French Excel), "," or a tab (UTF-16 text)."""
    counts = {sep: first_line.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def _read_csv(text: str, encoding: str) -> Table:
    lines = text.lstrip("\r\n")
    first_line = lines.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(lines, newline=""), delimiter=_delimiter(first_line))
    table = None
    try:
        for record in reader:
            cells = [_clean(cell) for cell in record]
            if table is None:
                table = _start_table(cells, encoding)
                continue
            _add_row(table, reader.line_num, cells)
    except csv.Error as error:
        raise ImportFileError(
            f"Le fichier n'est pas un CSV valide (ligne {reader.line_num}) : vérifiez les "
            "guillemets, ou enregistrez-le à nouveau depuis votre tableur."
        ) from error
    if table is None:
        raise ImportFileError("Le fichier est vide.")
    return table


def _start_table(header: list[str], encoding: str) -> Table:
    while header and not header[-1]:
        header.pop()
    if not any(header):
        raise ImportFileError(
            "La première ligne du fichier doit porter le nom des colonnes (prénom, nom, "
            "e-mail…) : elle est vide."
        )
    if len(header) > MAX_COLUMNS:
        raise ImportFileError(
            f"Le fichier compte plus de {MAX_COLUMNS} colonnes : gardez seulement les "
            "colonnes utiles (prénom, nom, e-mail…)."
        )
    return Table(header=header, encoding=encoding)


def _add_row(table: Table, line: int, cells: list[str]) -> None:
    if not any(cells):
        return  # blank lines (and the empty rows spreadsheets leave at the end)
    if len(table.rows) >= MAX_ROWS:
        raise _too_many_rows()
    width = len(table.header)
    cells = (cells + [""] * width)[:width]
    table.rows.append((line, cells))


def _clean(value) -> str:
    """A cell as text: numbers without ".0", dates as the French write them, trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if not value.time() else value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    # Line breaks and runs of spaces folded: names end up in e-mail subjects.
    return " ".join(str(value).replace("\x00", "").split())[:MAX_CELL_CHARS]


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ImportFileError(NOT_A_TABLE) from error
    if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
        # A zip bomb, or a workbook far beyond 50,000 rows: openpyxl would unzip it all.
        raise ImportFileError(
            "Ce classeur est trop gros une fois décompressé : gardez une seule feuille avec "
            "les colonnes utiles, ou enregistrez-le au format CSV."
        )


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    _check_zip(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged or foreign zip
        raise ImportFileError(
            "Ce fichier n'est pas un classeur .xlsx lisible (un autre format compressé, ou un "
            "classeur abîmé). Ouvrez-le dans votre tableur et enregistrez-le à nouveau en .xlsx."
        ) from error
    try:
        return _read_sheet(workbook.worksheets[0] if workbook.worksheets else None)
    except ImportFileError:
        raise
    except Exception as error:
        raise ImportFileError(NOT_A_TABLE) from error
    finally:
        workbook.close()


def _read_sheet(sheet) -> Table:
    if sheet is None:
        raise ImportFileError("Ce classeur ne contient aucune feuille.")
    table = None
    for line, values in enumerate(
        sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True), start=1
    ):
        cells = [_clean(value) for value in values]
        if table is None:
            if not any(cells):
                if line > 20:
                    break
                continue  # leading empty rows: the header is the first row with text
            table = _start_table(cells, "xlsx")
            continue
        _add_row(table, line, cells)
    if table is None:
        raise ImportFileError("La première feuille du classeur est vide.")
    return table
