"""Files to import, written as people's spreadsheet software writes them."""

from __future__ import annotations

import io

import sqlalchemy as sa
from openpyxl import Workbook
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from reseau.accounts.models import User
from reseau.core.extensions import db

HEADER = ["Prénom", "Nom", "E-mail", "Téléphone", "Catégorie", "Sous-catégorie"]


def csv_bytes(rows, *, header=HEADER, sep=";", encoding="utf-8", bom=False) -> bytes:
    lines = [sep.join(header)] + [sep.join(row) for row in rows]
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def xlsx_bytes(rows, *, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, filename: str = "personnes.csv", **data):
    """Post ``content`` as the import form's file; the multipart body built here, in memory
    (the test client would spool a large one to a temporary file it never closes)."""
    boundary, body = encode_multipart(
        MultiDict({**data, "file": FileStorage(io.BytesIO(content), filename)})
    )
    return client.post(
        "/personnes/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=data.pop("headers", None) if "headers" in data else None,
    )


def preview_url(answer) -> str:
    location = answer.headers.get("Location") or answer.headers.get("HX-Redirect")
    assert location and "/personnes/import/" in location, answer.get_data(as_text=True)[:2000]
    return location.replace("http://localhost", "")


def options(page_text: str) -> dict:
    """The preview form's current values (selects and the digest), as a browser sends them."""
    import re

    data = {}
    for name, body in re.findall(
        r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page_text, re.S
    ):
        chosen = re.search(
            r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', body
        )
        if chosen:
            data[name] = chosen.group(1) or chosen.group(2) or ""
        else:
            first = re.search(r'<option[^>]*value="([^"]*)"', body)
            data[name] = first.group(1) if first else ""
    digest = re.search(
        r'name="digest"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="digest"', page_text
    )
    if digest:
        data["digest"] = digest.group(1) or digest.group(2)
    return data


def confirm(client, url: str, invitations: str = "maintenant", **overrides):
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)[:3000]
    data = {
        **options(page.get_data(as_text=True)),
        "invitations": invitations,
        "action": "importer",
    }
    data.update(overrides)
    return client.post(url, data=data)


def people(**where) -> list[User]:
    query = sa.select(User).filter_by(**where).order_by(User.id)
    return list(db.session.scalars(query))
