"""Reading files: encodings, separators, XLSX, and hostile files refused in French."""

from __future__ import annotations

import io
import zipfile

import pytest

from reseau.imports.columns import match_header, parse_category
from reseau.imports.reading import (
    MAX_BYTES,
    MAX_ROWS,
    ImportFileError,
    read_table,
)
from tests.imports.helpers import HEADER, csv_bytes, xlsx_bytes

ROW = ["Hélène", "Lefèvre", "helene@exemple.fr", "02 54 00 00 00", "Bénévole", "élue"]


@pytest.mark.parametrize(
    ("options", "encoding"),
    [
        ({}, "UTF-8"),
        ({"bom": True}, "UTF-8"),
        ({"encoding": "cp1252"}, "Windows-1252"),
        ({"sep": ","}, "UTF-8"),
        ({"encoding": "cp1252", "sep": ","}, "Windows-1252"),
    ],
)
def test_csv_in_each_encoding_and_separator(options, encoding):
    table = read_table(csv_bytes([ROW], **options))
    assert table.header == HEADER
    assert table.rows == [(2, ROW)]
    assert table.encoding == encoding


def test_utf16_text_is_decoded_with_or_without_bom():
    text = "\t".join(HEADER) + "\r\n" + "\t".join(ROW) + "\r\n"
    for data in (text.encode("utf-16"), text.encode("utf-16-le")):
        table = read_table(data)
        assert table.encoding == "UTF-16"
        assert table.rows == [(2, ROW)]


def test_xlsx_values_not_formulas():
    data = xlsx_bytes([[*ROW[:2], "x@exemple.fr", "=1+1", 3.0, None]])
    table = read_table(data)
    assert table.encoding == "xlsx"
    # The formula's last computed value (none here: openpyxl wrote no cache), never "=1+1".
    assert table.rows[0][1][3] == ""
    assert table.rows[0][1][4] == "3"


def _refused(data: bytes) -> str:
    with pytest.raises(ImportFileError) as error:
        read_table(data)
    return str(error.value)


def test_hostile_files_get_a_french_message():
    assert "vide" in _refused(b"")
    assert "vide" in _refused(b"   \r\n")
    assert "pas un tableau" in _refused(bytes(range(256)) * 40)
    assert "pas un tableau" in _refused(b"\x89PNG\r\n\x1a\n" + b"\x00" * 500)
    assert ".xls" in _refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert "Mo" in _refused(b"a;b\r\n" * (MAX_BYTES // 5 + 1))
    # cp1252 leaves five bytes undefined: neither UTF-8 nor Windows-1252.
    assert "UTF-8" in _refused("Prénom;Nom\r\n".encode("cp1252") + b"\x81\x8d\x8f\x90\x9d;x\r\n")
    assert "UTF-16" in _refused(b"\xff\xfe" + b"\x00\xd8" + b"a\x00")


def test_too_many_rows_and_columns():
    rows = b"".join(b"A;B\r\n" for _ in range(MAX_ROWS + 1))
    assert "50\u202f000 lignes" in _refused(b"Pr\xc3\xa9nom;Nom\r\n" + rows)
    assert "colonnes" in _refused(";".join(f"c{i}" for i in range(61)).encode() + b"\r\n")


def test_damaged_zip_and_zip_bomb():
    assert "pas un tableau" in _refused(b"PK\x03\x04" + b"\x00" * 100)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (160 * 1024 * 1024))
    assert len(buffer.getvalue()) < MAX_BYTES
    assert "décompressé" in _refused(buffer.getvalue())
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("hello.txt", "pas un classeur")
    assert ".xlsx" in _refused(other.getvalue())


def test_blank_rows_are_left_out_and_short_rows_padded():
    data = b"Prenom;Nom;Email\r\n;;\r\nAnne;Durand\r\n\r\n"
    assert read_table(data).rows == [(3, ["Anne", "Durand", ""])]


def test_broken_quotes_are_a_csv_error():
    data = b'Prenom;Nom\r\n"Anne;Durand\r\n' + b"x" * 200_000
    assert "CSV" in _refused(data)


def test_headers_in_french_and_english():
    header = ["E-MAIL", "Prénom", "NOM", "Tél.", "catégorie", "Sous-catégorie", "Centre", "?"]
    assert match_header(header, with_centre=True) == {
        0: "email",
        1: "first_name",
        2: "last_name",
        3: "phone",
        4: "category",
        5: "sub_category",
        6: "centre",
    }
    english = ["First name", "Last Name", "Email address", "Phone", "Category", "Sub-category"]
    assert sorted(match_header(english, with_centre=False).values()) == sorted(
        ["first_name", "last_name", "email", "phone", "category", "sub_category"]
    )
    # A referent's file: no centre column; a field is matched once.
    assert match_header(["Nom", "Centre", "Name"], with_centre=False) == {0: "last_name"}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Bénévole", "benevole"),
        ("BENEVOLE", "benevole"),
        ("salariée", "salarie"),
        ("Salarié·e", "salarie"),
        ("Élu·e / administrateur·rice", "elu"),
        ("administratrice", "elu"),
        ("volunteer", "benevole"),
        ("partner", "partenaire"),
    ],
)
def test_categories_as_people_write_them(text, value):
    assert parse_category(text).value == value


def test_unknown_category():
    assert parse_category("astronaute") is None
