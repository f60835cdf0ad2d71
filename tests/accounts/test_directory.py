"""Départements and centres: the coordinator's directory pages."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from reseau.accounts.models import Centre, Department
from reseau.core.audit import AuditLog
from reseau.core.extensions import db
from tests.factories import make_centre, make_coordinator, make_department, make_user


def _centre_data(department, **overrides) -> dict:
    data = {
        "name": "Centre social du Blanc",
        "address": "2 rue de la Paix",
        "postcode": "36300",
        "town": "Le Blanc",
        "department_id": str(department.id),
        "is_member": "y",
        "member_since": "2010-09-01",
        "email": "Accueil@CS-Blanc.test",
        "phone": "02 54 00 00 00",
    }
    data.update(overrides)
    return data


def _login_coordinator(auth):
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    return coordinator


# -- départements ----------------------------------------------------------------------------


def test_department_create_edit_and_list(client, auth):
    _login_coordinator(auth)
    assert client.get("/admin/departements/nouveau").status_code == 200
    response = client.post("/admin/departements/nouveau", data={"code": "2a", "name": "Corse"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/departements"
    department = db.session.scalar(sa.select(Department))
    assert (department.code, department.name) == ("2A", "Corse")
    make_centre(department=department)
    db.session.commit()
    listing = client.get("/admin/departements")
    assert "Corse" in listing.text
    assert "1 centre" in listing.text
    edit = client.post(
        f"/admin/departements/{department.id}", data={"code": "2A", "name": "Corse-du-Sud"}
    )
    assert edit.status_code == 303
    db.session.refresh(department)
    assert department.name == "Corse-du-Sud"


def test_department_validation(client, auth, htmx_headers):
    _login_coordinator(auth)
    make_department(code="36", name="Indre")
    db.session.commit()
    duplicate = client.post("/admin/departements/nouveau", data={"code": "36", "name": "Indre"})
    assert duplicate.status_code == 422
    assert "Ce code de département existe déjà." in duplicate.text
    assert "Ce département existe déjà." in duplicate.text
    too_long = client.post(
        "/admin/departements/nouveau", data={"code": "1234", "name": "Cher"}, headers=htmx_headers
    )
    assert too_long.status_code == 422
    assert "<html" not in too_long.text
    assert "Le code compte 2 ou 3 caractères" in too_long.text
    assert 'value="1234"' in too_long.text
    assert 'value="Cher"' in too_long.text
    letters = client.post("/admin/departements/nouveau", data={"code": "ßß", "name": "Essai"})
    assert letters.status_code == 422
    assert "fait de chiffres" in letters.text
    empty = client.post("/admin/departements/nouveau", data={"code": "", "name": ""})
    assert empty.text.count("Ce champ est obligatoire.") == 2
    assert db.session.scalar(sa.select(sa.func.count(Department.id))) == 1


def test_unknown_department_is_404(client, auth):
    _login_coordinator(auth)
    response = client.get("/admin/departements/999999")
    assert response.status_code == 404
    assert "Page introuvable" in response.text


# -- centres ---------------------------------------------------------------------------------


def test_centre_create_shows_detail_and_audits(client, auth):
    coordinator = _login_coordinator(auth)
    department = make_department(code="36", name="Indre")
    db.session.commit()
    form = client.get("/admin/centres/nouveau")
    assert form.status_code == 200
    assert "36 – Indre" in form.text
    response = client.post("/admin/centres/nouveau", data=_centre_data(department))
    assert response.status_code == 303
    centre = db.session.scalar(sa.select(Centre))
    assert response.headers["Location"] == f"/admin/centres/{centre.id}"
    assert centre.email == "accueil@cs-blanc.test"
    assert centre.member_since == date(2010, 9, 1)
    detail = client.get(response.headers["Location"])
    assert detail.status_code == 200
    assert "Centre social du Blanc" in detail.text
    entry = db.session.scalar(sa.select(AuditLog))
    assert (entry.action, entry.actor_id, entry.object_id) == (
        "centre.create",
        coordinator.id,
        centre.id,
    )


def test_centre_edit(client, auth):
    _login_coordinator(auth)
    centre = make_centre(name="Centre A", town="Vierzon", member_since=date(2001, 1, 1))
    db.session.commit()
    form = client.get(f"/admin/centres/{centre.id}/modifier")
    assert 'value="Centre A"' in form.text
    data = _centre_data(centre.department, name="Centre A", town="Vierzon", member_since="")
    del data["is_member"]  # unchecked box
    response = client.post(f"/admin/centres/{centre.id}/modifier", data=data)
    assert response.status_code == 303
    db.session.refresh(centre)
    assert centre.is_member is False
    assert centre.member_since is None
    assert db.session.scalar(sa.select(AuditLog.action)) == "centre.update"


def test_centre_validation_is_french_next_to_the_field_and_keeps_input(client, auth, htmx_headers):
    _login_coordinator(auth)
    department = make_department()
    make_centre(name="Centre social du Blanc", town="Le Blanc", department=department)
    db.session.commit()
    duplicate = client.post(
        "/admin/centres/nouveau",
        data=_centre_data(department, name="centre social du blanc", town="LE BLANC"),
    )
    assert duplicate.status_code == 422
    assert "Un centre porte déjà ce nom dans cette commune." in duplicate.text
    assert 'value="centre social du blanc"' in duplicate.text
    bad = client.post(
        "/admin/centres/nouveau",
        data=_centre_data(
            department,
            name="Nouveau centre",
            postcode="363",
            email="pas-une-adresse",
            department_id="999999",
            member_since="pas-une-date",
            town="",
        ),
        headers=htmx_headers,
    )
    assert bad.status_code == 422
    assert bad.text.lstrip().startswith('<form id="centre-form"')
    assert "Le code postal compte 5 chiffres" in bad.text
    assert "Saisissez une adresse e-mail valide" in bad.text
    assert "Choisissez un département dans la liste." in bad.text
    assert "Ce champ est obligatoire." in bad.text
    assert 'value="363"' in bad.text
    assert 'value="pas-une-adresse"' in bad.text
    assert 'aria-invalid="true"' in bad.text
    # Every message is French: nothing from WTForms' English defaults.
    for english in ("Not a valid", "This field", "Invalid"):
        assert english not in bad.text
    no_department = client.post(
        "/admin/centres/nouveau", data=_centre_data(department, name="X", department_id="abc")
    )
    assert no_department.status_code == 422
    assert "Choisissez un département dans la liste." in no_department.text
    assert db.session.scalar(sa.select(sa.func.count(Centre.id))) == 1


def test_centre_list_filters(client, auth, htmx_headers):
    _login_coordinator(auth)
    indre, cher = make_department(), make_department()
    make_centre(name="Centre Alpha", town="Le Blanc", department=indre)
    make_centre(name="Centre Beta", town="Vierzon", department=cher, is_member=False)
    make_centre(name="Centre Gamma", town="Bourges", department=cher)
    db.session.commit()
    full = client.get("/admin/centres")
    assert full.status_code == 200
    assert "<html" in full.text

    def names(**params):
        response = client.get("/admin/centres", query_string=params, headers=htmx_headers)
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<section id="centre-results"')
        return {n for n in ("Alpha", "Beta", "Gamma") if f"Centre {n}" in response.text}

    assert names() == {"Alpha", "Beta", "Gamma"}
    assert names(q="vierz") == {"Beta"}
    assert names(q="GAMMA") == {"Gamma"}
    assert names(departement=cher.id) == {"Beta", "Gamma"}
    assert names(adhesion="non-adherent") == {"Beta"}
    assert names(adhesion="adherent", departement=cher.id) == {"Gamma"}
    assert names(departement="abc", adhesion="nimporte", page="x") == {"Alpha", "Beta", "Gamma"}
    assert "Aucun centre ne correspond" in client.get("/admin/centres?q=zzz").text


def test_centre_list_paginates(client, auth):
    _login_coordinator(auth)
    department = make_department()
    for index in range(27):
        make_centre(name=f"Centre {index:02d}", department=department)
    db.session.commit()
    first = client.get("/admin/centres")
    assert "Page 1 sur 2" in first.text
    assert "Centre 24" in first.text
    assert "Centre 25" not in first.text
    second = client.get("/admin/centres?page=2")
    assert "Centre 26" in second.text
    assert client.get("/admin/centres?page=99").status_code == 200


def test_centre_detail_counts_people_and_404(client, auth):
    _login_coordinator(auth)
    centre = make_centre()
    make_user(centre=centre)
    db.session.commit()
    assert client.get(f"/admin/centres/{centre.id}").status_code == 200
    assert client.get("/admin/centres/999999").status_code == 404
    assert client.get("/admin/centres/999999/modifier").status_code == 404


def test_htmx_form_success_sends_the_window_to_the_next_page(client, auth, htmx_headers):
    _login_coordinator(auth)
    department = make_department()
    db.session.commit()
    response = client.post(
        "/admin/centres/nouveau", data=_centre_data(department), headers=htmx_headers
    )
    centre = db.session.scalar(sa.select(Centre))
    # Not a redirect: htmx would swap the detail page into the form.
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/admin/centres/{centre.id}"
    department_answer = client.post(
        f"/admin/departements/{department.id}",
        data={"code": "18", "name": "Cher"},
        headers=htmx_headers,
    )
    assert department_answer.status_code == 204
    assert department_answer.headers["HX-Redirect"] == "/admin/departements"
    # A boosted form (JavaScript on, no hx-target) still gets the 303.
    boosted = client.post(
        f"/admin/centres/{centre.id}/modifier",
        data=_centre_data(department),
        headers={**htmx_headers, "HX-Boosted": "true"},
    )
    assert boosted.status_code == 303
