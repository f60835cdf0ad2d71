"""Imports: a centre's people brought in at once from a CSV or XLSX file.

The file is read (``reading``), its columns matched to a person's fields (``columns``), each
row's fate planned against the database (``queries.plan_import``: created, updated with the
changed fields, or skipped with the reason), shown, and only applied once confirmed
(``operations.apply_import``, one transaction). People are created and updated through the
accounts room's operations and under its rule ``may_act_on_person``.
"""

from flask import Blueprint

bp = Blueprint("imports", __name__)

from reseau.imports import views  # noqa: E402, F401
