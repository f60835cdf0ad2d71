"""Where the import is found, who may use it, and an import that fails half-way leaves nothing."""

from __future__ import annotations

import html

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from reseau.accounts.models import Role, User
from reseau.cli import TICK_TASKS
from reseau.core.audit import AuditLog
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.tick import run_tick
from reseau.imports import operations
from reseau.imports.models import PendingImport
from tests.factories import make_centre, make_coordinator, make_referent, make_user
from tests.imports.helpers import confirm, csv_bytes, people, preview_url, upload

ROWS = [
    ["Anne", "Durand", "anne@exemple.fr", "", "Bénévole", ""],
    ["Bruno", "Petit", "bruno@exemple.fr", "", "Bénévole", ""],
]


def test_entry_points(client, auth):
    centre = make_centre()
    referent = make_referent(centre)
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(referent)
    assert 'href="/personnes/import"' in client.get("/").text
    assert 'href="/personnes/import"' in client.get("/personnes").text
    auth.logout()
    auth.login(coordinator)
    assert (
        f'href="/personnes/import?centre={centre.id}"'
        in client.get(f"/admin/centres/{centre.id}").text
    )
    assert (
        f'href="/personnes/import?centre={centre.id}"'
        in client.get(f"/personnes?centre={centre.id}").text
    )
    page = client.get(f"/personnes/import?centre={centre.id}").text
    assert f'<option selected value="{centre.id}">' in page


def test_a_referent_without_a_centre_cannot_import(client, auth):
    lost = make_user(roles=[Role.REFERENT], centre=None)
    db.session.commit()
    auth.login(lost)
    assert client.get("/personnes/import").status_code == 403
    assert upload(client, csv_bytes(ROWS)).status_code == 403


def test_an_import_failing_half_way_writes_nothing(client, auth, monkeypatch):
    centre = make_centre()
    referent = make_referent(centre)
    db.session.commit()
    auth.login(referent)
    url = preview_url(upload(client, csv_bytes(ROWS)))

    def fails(*args, **kwargs):
        raise IntegrityError("INSERT …", {}, Exception("an address taken meanwhile"))

    monkeypatch.setattr(operations, "send_invitations", fails)
    answer = confirm(client, url)
    assert answer.status_code == 303 and answer.headers["Location"].endswith(url)
    page = html.unescape(client.get(url).text)
    assert "rien n'a été importé" in page
    assert [p.email for p in people(centre_id=centre.id)] == [referent.email]
    assert db.session.scalar(sa.select(sa.func.count(AuditLog.id))) == 0
    monkeypatch.undo()
    assert confirm(client, url).status_code == 303  # the file was kept: confirm again
    assert len(people(centre_id=centre.id)) == 3


def test_tick_forgets_expired_files(app, client, auth):
    centre = make_centre()
    referent = make_referent(centre)
    db.session.commit()
    auth.login(referent)
    preview_url(upload(client, csv_bytes(ROWS)))
    preview_url(upload(client, csv_bytes(ROWS)))
    first = db.session.scalars(sa.select(PendingImport).order_by(PendingImport.id)).first()
    first.expires_at = utcnow()
    db.session.commit()
    run = run_tick(TICK_TASKS)
    assert any("1 fichier d'import expiré" in str(entry) for entry in run.report)
    assert db.session.scalar(sa.select(sa.func.count(PendingImport.id))) == 1


def test_the_audit_log_names_the_import(client, auth):
    centre = make_centre(name="Centre social du Blanc")
    referent = make_referent(centre)
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(referent)
    confirm(client, preview_url(upload(client, csv_bytes(ROWS))), invitations="jamais")
    auth.logout()
    auth.login(coordinator)
    page = html.unescape(client.get("/admin/journal").text)
    assert "Import de personnes" in page
    assert "2 créées" in page
    assert db.session.scalar(sa.select(User.id).where(User.email == "anne@exemple.fr"))


def test_garbage_in_the_preview_form_is_a_french_message(client, auth):
    coordinator = make_coordinator()
    centre = make_centre()
    db.session.commit()
    auth.login(coordinator)
    url = preview_url(upload(client, csv_bytes(ROWS), centre_id=str(centre.id)))
    for query in ("?voir=<script>&page=-3", "?page=99999999999999999999", "?voir=ignorees&page=2"):
        assert client.get(url + query).status_code == 200
    answer = client.post(
        url,
        data={
            "col_0": "first_name",
            "col_1": "last_name",
            "col_2": "<script>",
            "col_77": "email",
            "centre_id": "99999999999999",
            "default_category": "astronaute",
            "invitations": "demain",
            "digest": "x" * 5000,
            "action": "importer",
        },
    )
    assert answer.status_code == 422
    text = html.unescape(answer.text)
    assert "Choisissez un centre dans la liste." in text
    assert "Choisissez une catégorie dans la liste." in text
    assert "Choisissez quand envoyer les invitations." in text
    assert "Not a valid" not in text and "<script>" not in answer.text
    assert len(people()) == 1


def test_anonymising_a_person_forgets_the_uploads_that_name_them(client, auth):
    from reseau.privacy.operations import anonymise_person
    from tests.imports.helpers import xlsx_bytes

    centre = make_centre()
    referent = make_referent(centre)
    other_referent = make_referent(make_centre())
    anne = make_user(centre=centre, first_name="Anne", last_name="Durand", email="anne@exemple.fr")
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(referent)
    preview_url(upload(client, csv_bytes(ROWS)))  # names Anne by her e-mail
    preview_url(upload(client, xlsx_bytes([["ANNE", "DURAND", "", "", "Bénévole", ""]]), "p.xlsx"))
    preview_url(upload(client, csv_bytes(ROWS[1:])))  # Bruno only
    auth.logout()
    auth.login(other_referent)
    preview_url(upload(client, csv_bytes(ROWS[1:])))  # the leaving referent's own upload
    kept = db.session.scalars(sa.select(PendingImport.id).order_by(PendingImport.id)).all()

    anonymise_person(anne, actor=coordinator)
    anonymise_person(other_referent, actor=coordinator)
    db.session.commit()
    assert db.session.scalars(sa.select(PendingImport.id)).all() == [kept[2]]
