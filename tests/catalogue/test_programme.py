"""A module's programme sheet: edited in the module form, shown on the public session page,
and a PDF whose text carries every field."""

from __future__ import annotations

import io

import pypdf

from reseau.core.extensions import db
from tests.factories import make_coordinator, make_cycle, make_module, make_session, make_theme

FIELDS = {
    "title": "Histoire et valeurs des centres sociaux",
    "objectives": "Situer le centre social dans son histoire et la charte fédérale.",
    "duration_hours": "6",
    "prerequisites": "Aucun : s'engager comme bénévole.",
    "content": "L'histoire des centres sociaux.\nLa charte fédérale.",
    "methods": "Apports courts et échanges de pratiques.",
    "assessment": "Tour de table des acquis en fin de séance.",
    "access_delay": "Inscription jusqu'à 8 jours avant la session.",
    "free_for_members": "y",
    "cost": "Repas du midi pris en charge.",
    "accessibility": "Salle de plain-pied, toilettes accessibles.",
    "contact": "Claire Moreau, coordination régionale",
}


def _module():
    theme = make_theme(name="Les fondamentaux du centre social", slug="fondamentaux")
    cycle = make_cycle(theme=theme, title="Cycle de formation", year=2026)
    return make_module(cycle=cycle, title="Module")


def test_the_coordinator_fills_the_programme_and_the_pages_show_it(client, auth):
    coordinator = make_coordinator()
    module = _module()
    session = make_session(module=module, theme=module.cycle.theme, title="Histoire – Vierzon")
    db.session.commit()
    auth.login(coordinator)
    form = client.get(f"/admin/modules/{module.id}/modifier")
    assert "Fiche programme" in form.text and 'name="prerequisites"' in form.text
    assert f"/catalogue/modules/{module.id}/programme.pdf" in form.text
    bad = client.post(f"/admin/modules/{module.id}/modifier", data=FIELDS | {"contact": "x" * 301})
    assert bad.status_code == 422 and FIELDS["methods"] in bad.text
    saved = client.post(f"/admin/modules/{module.id}/modifier", data=FIELDS)
    assert saved.status_code == 303
    db.session.refresh(module)
    assert module.access_delay == FIELDS["access_delay"] and module.free_for_members is True
    auth.logout()

    page = client.get(f"/catalogue/sessions/{session.id}")
    text = page.text.replace("&#39;", "'")
    for name in ("prerequisites", "methods", "assessment", "access_delay", "accessibility"):
        assert FIELDS[name] in text
    assert "Gratuit pour les membres du réseau. Repas du midi pris en charge." in text
    assert f"/catalogue/modules/{module.id}/programme.pdf" in text
    assert "/reclamation?session=" in text


def test_the_programme_pdf_carries_every_field(client):
    module = _module()
    for name, value in FIELDS.items():
        if name not in ("duration_hours", "free_for_members"):
            setattr(module, name, value)
    module.duration_hours = 6.0
    module.free_for_members = False
    module.cost = "45 € par personne pour un centre non adhérent."
    db.session.commit()
    answer = client.get(f"/catalogue/modules/{module.id}/programme.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(answer.data))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert text.startswith("Fiche programme Histoire et valeurs des centres sociaux")
    assert "Cycle de formation 2026 · Les fondamentaux du centre social" in text
    for heading in (
        "Prérequis",
        "Objectifs opérationnels",
        "Contenu",
        "Méthodes pédagogiques",
        "Évaluation des acquis",
        "Durée",
        "Délai d'accès",
        "Coût",
        "Accessibilité",
        "Contact",
    ):
        assert heading in text
    for name in ("objectives", "prerequisites", "methods", "assessment", "access_delay"):
        assert " ".join(FIELDS[name].split()) in text
    assert "La charte fédérale." in text and "6 h" in text
    assert "Payant : 45 € par personne pour un centre non adhérent." in text
    assert reader.metadata.title == "Fiche programme – Histoire et valeurs des centres sociaux"
    assert client.get("/catalogue/modules/999999/programme.pdf").status_code == 404
