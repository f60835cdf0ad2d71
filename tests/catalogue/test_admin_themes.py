"""Themes, cycles and modules: create, edit, validation, lists, reordering."""

from __future__ import annotations

import sqlalchemy as sa

from reseau.catalogue.models import Audience, Cycle, Module, Theme
from reseau.core.audit import AuditLog
from reseau.core.extensions import db
from tests.factories import make_cycle, make_module, make_theme


def test_create_theme_makes_a_slug_and_an_audit_entry(client, coordinator):
    response = client.post(
        "/admin/thematiques/nouvelle",
        data={"name": "Vie associative & bénévolat", "description": "Pour tous", "position": "2"},
    )
    assert response.status_code == 303
    theme = db.session.scalar(sa.select(Theme))
    assert response.headers["Location"].endswith(f"/admin/thematiques/{theme.id}")
    assert theme.slug == "vie-associative-benevolat"
    assert theme.position == 2
    assert db.session.scalar(sa.select(AuditLog.action)) == "theme.create"
    page = client.get(f"/admin/thematiques/{theme.id}")
    assert "Vie associative &amp; bénévolat" in page.text


def test_theme_validation_keeps_what_was_typed(client, coordinator):
    make_theme(name="Parentalité", slug="parentalite")
    db.session.commit()
    response = client.post(
        "/admin/thematiques/nouvelle", data={"name": "parentalité", "description": "Mon texte"}
    )
    assert response.status_code == 422
    assert "Une thématique porte déjà ce nom." in response.text
    assert 'value="parentalité"' in response.text
    assert "Mon texte" in response.text
    response = client.post("/admin/thematiques/nouvelle", data={"name": ""})
    assert response.status_code == 422
    assert "Ce champ est obligatoire." in response.text
    assert db.session.scalar(sa.select(sa.func.count(Theme.id))) == 1


def test_edit_theme_htmx_answers_with_a_redirect_header(client, coordinator, htmx_headers):
    theme = make_theme(name="Ancien nom")
    db.session.commit()
    response = client.post(
        f"/admin/thematiques/{theme.id}/modifier",
        data={"name": "Nouveau nom"},
        headers=htmx_headers,
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/admin/thematiques/{theme.id}"
    db.session.refresh(theme)
    assert theme.name == "Nouveau nom"
    # Inline validation: the htmx answer is the form alone, with the error.
    response = client.post(
        f"/admin/thematiques/{theme.id}/modifier", data={"name": ""}, headers=htmx_headers
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith("<form")
    assert "Ce champ est obligatoire." in response.text


def test_theme_list_search_and_fragment(client, coordinator, htmx_headers):
    make_theme(name="Parentalité")
    make_theme(name="Jeunesse")
    db.session.commit()
    page = client.get("/admin/thematiques?q=parent")
    assert "Parentalité" in page.text and "Jeunesse" not in page.text
    assert "<html" in page.text
    fragment = client.get("/admin/thematiques?q=jeu", headers=htmx_headers)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert 'id="theme-results"' in fragment.text
    assert "Jeunesse" in fragment.text and "Parentalité" not in fragment.text


def test_create_cycle_and_validation(client, coordinator):
    theme = make_theme(name="Parentalité")
    db.session.commit()
    form = client.get(f"/admin/cycles/nouveau?thematique={theme.id}")
    assert f'<option selected value="{theme.id}">' in form.text
    data = {
        "theme_id": str(theme.id),
        "title": "Être parent aujourd'hui",
        "year": "2026",
        "audience": "benevoles",
        "description": "Un cycle simple",
        "objectives": "Écouter\nAccompagner",
    }
    response = client.post("/admin/cycles/nouveau", data=data)
    assert response.status_code == 303
    cycle = db.session.scalar(sa.select(Cycle))
    assert (cycle.title, cycle.year, cycle.audience) == (
        "Être parent aujourd'hui",
        2026,
        Audience.BENEVOLES,
    )
    # The same cycle again, and a bad year: French messages, typed values kept.
    response = client.post("/admin/cycles/nouveau", data=data)
    assert response.status_code == 422
    assert "Ce cycle existe déjà pour cette thématique et cette année." in response.text
    response = client.post("/admin/cycles/nouveau", data=dict(data, year="deux mille"))
    assert response.status_code == 422
    assert 'value="deux mille"' in response.text
    assert "entier" in response.text
    response = client.post("/admin/cycles/nouveau", data=dict(data, theme_id="999"))
    assert response.status_code == 422
    assert "Choisissez une thématique dans la liste." in response.text
    assert db.session.scalar(sa.select(sa.func.count(Cycle.id))) == 1


def test_edit_cycle(client, coordinator):
    cycle = make_cycle(title="Ancien", year=2025)
    db.session.commit()
    response = client.post(
        f"/admin/cycles/{cycle.id}/modifier",
        data={
            "theme_id": str(cycle.theme_id),
            "title": "Nouveau",
            "year": "2026",
            "audience": "tous",
        },
    )
    assert response.status_code == 303
    db.session.refresh(cycle)
    assert (cycle.title, cycle.year) == ("Nouveau", 2026)


def test_cycle_list_filters(client, coordinator, htmx_headers):
    theme = make_theme()
    make_cycle(theme=theme, title="Cycle gardé", year=2026)
    make_cycle(theme=theme, title="Autre année", year=2025)
    make_cycle(title="Autre thème", year=2026)
    db.session.commit()
    page = client.get(f"/admin/cycles?thematique={theme.id}&annee=2026")
    assert "Cycle gardé" in page.text
    assert "Autre année" not in page.text and "Autre thème" not in page.text
    fragment = client.get("/admin/cycles?q=autre", headers=htmx_headers)
    assert "<html" not in fragment.text
    assert "Autre année" in fragment.text and "Cycle gardé" not in fragment.text


def test_add_edit_and_reorder_modules(client, coordinator, htmx_headers):
    cycle = make_cycle()
    db.session.commit()
    for title in ("Premier", "Deuxième"):
        response = client.post(
            f"/admin/cycles/{cycle.id}/modules",
            data={"title": title, "objectives": "Savoir", "duration_hours": "2,5"},
        )
        assert response.status_code == 303
    modules = db.session.scalars(sa.select(Module).order_by(Module.position)).all()
    assert [(m.title, m.position, m.duration_hours) for m in modules] == [
        ("Premier", 0, 2.5),
        ("Deuxième", 1, 2.5),
    ]
    page = client.get(f"/admin/cycles/{cycle.id}")
    assert page.text.index("Premier") < page.text.index("Deuxième")
    assert "2,5 h" in page.text

    # Move the second up, with htmx: the answer is the list alone, in the new order.
    response = client.post(
        f"/admin/modules/{modules[1].id}/deplacer", data={"sens": "haut"}, headers=htmx_headers
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="module-list"')
    assert response.text.index("Deuxième") < response.text.index("Premier")
    # Without JavaScript: a redirect to the cycle page.
    response = client.post(f"/admin/modules/{modules[1].id}/deplacer", data={"sens": "bas"})
    assert response.status_code == 303
    db.session.expire_all()
    assert [m.title for m in db.session.get(Cycle, cycle.id).modules] == ["Premier", "Deuxième"]
    assert (
        client.post(f"/admin/modules/{modules[0].id}/deplacer", data={"sens": "x"}).status_code
        == 400
    )

    response = client.post(
        f"/admin/modules/{modules[0].id}/modifier",
        data={"title": "Premier revu", "duration_hours": "6"},
    )
    assert response.status_code == 303
    db.session.refresh(modules[0])
    assert (modules[0].title, modules[0].duration_hours) == ("Premier revu", 6.0)


def test_module_validation(client, coordinator, htmx_headers):
    module = make_module(title="Module")
    db.session.commit()
    response = client.post(
        f"/admin/cycles/{module.cycle_id}/modules",
        data={"title": "", "duration_hours": "beaucoup"},
    )
    assert response.status_code == 422
    assert "Ce champ est obligatoire." in response.text
    assert 'value="beaucoup"' in response.text
    assert "<html" in response.text
    response = client.post(
        f"/admin/cycles/{module.cycle_id}/modules",
        data={"title": "Trop long", "duration_hours": "500"},
        headers=htmx_headers,
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form id="module-form"')
    assert "Une durée entre 0,5 et 200 heures." in response.text
    assert 'value="Trop long"' in response.text
    response = client.post(
        f"/admin/modules/{module.id}/modifier", data={"title": "", "duration_hours": "3"}
    )
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Module.id))) == 1
