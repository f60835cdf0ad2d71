"""Importing people through the pages: preview, confirmation, and each rule of issue 15."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

import sqlalchemy as sa

from reseau.accounts.models import AccountToken, Category, Role, User, UserStatus
from reseau.core.audit import AuditLog
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.imports.models import PendingImport
from reseau.imports.operations import purge_expired_imports
from reseau.outbox.models import OutboxMail
from tests.factories import make_centre, make_coordinator, make_referent, make_trainer, make_user
from tests.imports.helpers import (
    confirm,
    csv_bytes,
    options,
    people,
    preview_url,
    upload,
    xlsx_bytes,
)

ANNE = ["Anne", "Durand", "anne@exemple.fr", "", "Bénévole", ""]
BRUNO = ["Bruno", "Petit", "BRUNO@exemple.fr ", "06 11 22 33 44", "salarié", "animateur"]


def _referent_world():
    centre = make_centre(name="Centre social du Blanc", town="Le Blanc")
    referent = make_referent(centre)
    db.session.commit()
    return centre, referent


def page_of(answer) -> str:
    return html.unescape(answer.get_data(as_text=True))


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _import(client, content: bytes, filename="personnes.csv", invitations="maintenant", **data):
    url = preview_url(upload(client, content, filename, **data))
    return url, confirm(client, url, invitations=invitations)


def test_nothing_is_written_before_the_confirmation(client, auth):
    centre, referent = _referent_world()
    auth.login(referent)
    users, mails = _count(User), _count(OutboxMail)
    url = preview_url(upload(client, csv_bytes([ANNE, BRUNO])))
    page = page_of(client.get(url))
    assert "2</strong> personnes créées" in page
    assert "Anne Durand" in page and "Créée" in page
    assert (_count(User), _count(OutboxMail)) == (users, mails)
    assert _count(PendingImport) == 1
    done = confirm(client, url)
    assert done.status_code == 303
    assert done.headers["Location"].endswith(f"/personnes?centre={centre.id}")
    created = people(centre_id=centre.id, status=UserStatus.INVITED)
    assert [(p.email, p.category, p.sub_category, p.phone) for p in created] == [
        ("anne@exemple.fr", Category.BENEVOLE, "", ""),
        ("bruno@exemple.fr", Category.SALARIE, "animateur", "06 11 22 33 44"),
    ]
    assert all(p.roles == {Role.PARTICIPANT} for p in created)
    assert _count(OutboxMail) == mails + 2  # the invitations, sent now
    assert _count(PendingImport) == 0  # the file is forgotten
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "people.import"))
    assert entry.actor_id == referent.id and entry.object_id == centre.id
    assert entry.after["create"] == 2 and entry.after["invitations_sent"] == 2
    assert "2 créées" in entry.summary
    # The same confirmation again: the file is gone, nothing happens twice.
    assert client.post(url, data={"action": "importer"}).status_code == 404


def test_the_same_file_twice_changes_nothing(client, auth):
    centre, referent = _referent_world()
    auth.login(referent)
    content = xlsx_bytes([ANNE, BRUNO])
    _import(client, content, "personnes.xlsx")
    before = [(p.id, p.updated_at) for p in people(centre_id=centre.id)]
    mails = _count(OutboxMail)
    url = preview_url(upload(client, content, "personnes.xlsx"))
    page = page_of(client.get(url))
    assert "2</strong> déjà à jour" in page and "Déjà à jour : rien ne change." in page
    assert "Il n'y a rien à importer" in page
    assert [(p.id, p.updated_at) for p in people(centre_id=centre.id)] == before
    assert _count(OutboxMail) == mails


def test_an_updated_file_changes_only_what_changed(client, auth):
    centre, referent = _referent_world()
    known = make_user(
        centre=centre,
        email="anne@exemple.fr",
        first_name="Anne",
        last_name="Durand",
        phone="02 00 00 00 00",
        sub_category="trésorière",
    )
    db.session.commit()
    auth.login(referent)
    row = ["Anne", "Durand-Martin", "anne@exemple.fr", "", "élue", ""]
    url = preview_url(upload(client, csv_bytes([row])))
    page = page_of(client.get(url))
    assert "Mise à jour" in page
    assert "Nom : Durand → Durand-Martin" in page
    assert "Catégorie : Bénévole → Élu·e / administrateur·rice" in page
    assert "Téléphone" not in re.sub(r"<select.*?</select>|<label.*?</label>", "", page, flags=re.S)
    confirm(client, url)
    db.session.expire_all()
    person = db.session.get(User, known.id)
    assert (person.last_name, person.category) == ("Durand-Martin", Category.ELU)
    # Empty cells erase nothing.
    assert (person.phone, person.sub_category) == ("02 00 00 00 00", "trésorière")
    assert person.status == UserStatus.ACTIVE and person.password_hash


def test_never_a_person_of_another_centre_nor_with_a_higher_role(client, auth):
    centre, referent = _referent_world()
    elsewhere = make_user(centre=make_centre(), email="ailleurs@exemple.fr", last_name="Ailleurs")
    trainer = make_trainer(centre=centre, email="formatrice@exemple.fr", last_name="Formatrice")
    boss = make_coordinator(centre=centre, email="coord@exemple.fr", last_name="Coord")
    db.session.commit()
    auth.login(referent)
    rows = [
        ["Paul", "Changé", "ailleurs@exemple.fr", "", "Bénévole", ""],
        ["Fanny", "Changée", "formatrice@exemple.fr", "", "Bénévole", ""],
        ["Carla", "Changée", "coord@exemple.fr", "", "Bénévole", ""],
        ANNE,
    ]
    url = preview_url(upload(client, csv_bytes(rows)))
    page = page_of(client.get(url))
    assert "celle d'une personne d'un autre centre :" in page  # which centre: not told
    assert page.count("seule la coordination peut modifier son compte") == 2
    confirm(client, url)
    db.session.expire_all()
    names = {p.id: p.last_name for p in people()}
    assert names[elsewhere.id] == "Ailleurs"
    assert names[trainer.id] == "Formatrice" and names[boss.id] == "Coord"
    assert "anne@exemple.fr" in {p.email for p in people(centre_id=centre.id)}


def test_reasons_next_to_each_row(client, auth):
    centre, referent = _referent_world()
    auth.login(referent)
    rows = [
        ["Anne", "Durand", "pas-une-adresse", "", "Bénévole", ""],
        ANNE,
        ["Anne", "Durand", "Anne@Exemple.fr", "", "Bénévole", ""],
        ["Zoé", "Blanc", "zoe@exemple.fr", "", "astronaute", ""],
        ["", "Sansprénom", "", "", "Bénévole", ""],
        ['=HYPERLINK("http://pirate.invalid")', "Piège", "", "", "Bénévole", ""],
        ["Léa", "Sanscat", "lea@exemple.fr", "", "", ""],
        ["Tom", "Tel", "", "+33 6 12 34 56 78", "Bénévole", ""],
    ]
    url = preview_url(upload(client, csv_bytes(rows)))
    page = page_of(client.get(url))
    assert "Adresse e-mail invalide « pas-une-adresse »." in page
    assert "Cette adresse e-mail figure déjà à la ligne 3 du fichier." in page
    assert "Catégorie inconnue « astronaute »" in page
    assert "Prénom manquant." in page
    assert "comme une formule de tableur" in page
    assert "Catégorie manquante" in page
    assert "2</strong> personnes créées" in page  # Anne, and Tom (+33 is a phone number)
    # A default category for the rows without one.
    data = {**options(page), "default_category": "benevole", "action": "apercu"}
    assert client.post(url, data=data).status_code == 303
    assert "3</strong> personnes créées" in page_of(client.get(url))
    confirm(client, url)
    created = {p.last_name: p for p in people(centre_id=centre.id)}
    assert {"Durand", "Tel", "Sanscat"} <= created.keys() and "Piège" not in created
    assert created["Sanscat"].category == Category.BENEVOLE
    assert created["Tel"].status == UserStatus.GUEST and created["Tel"].email is None


def test_people_without_email_are_guests_and_matched_by_name(client, auth):
    centre, referent = _referent_world()
    auth.login(referent)
    content = csv_bytes([["Jean", "Sanmail", "", "", "Bénévole", ""]])
    _import(client, content)
    guests = people(centre_id=centre.id, status=UserStatus.GUEST)
    assert [(g.full_name, g.email) for g in guests] == [("Jean Sanmail", None)]
    url = preview_url(upload(client, content))
    assert "1</strong> déjà à jour" in page_of(client.get(url))


def test_invitations_later_then_sent_and_never(client, auth):
    centre, referent = _referent_world()
    auth.login(referent)
    mails = _count(OutboxMail)
    _import(client, csv_bytes([ANNE]), invitations="plus-tard")
    anne = people(email="anne@exemple.fr")[0]
    assert anne.status == UserStatus.INVITED and _count(OutboxMail) == mails
    assert _count(AccountToken) == 0
    page = page_of(client.get("/personnes/import"))
    assert "1 personne importée n'a pas encore reçu d'invitation" in page
    assert client.post("/personnes/import/invitations").status_code == 303
    assert _count(OutboxMail) == mails + 1
    assert "pas encore reçu" not in page_of(client.get("/personnes/import"))
    _import(client, csv_bytes([BRUNO]), invitations="jamais")
    bruno = people(email="bruno@exemple.fr")[0]
    assert bruno.status == UserStatus.GUEST and _count(OutboxMail) == mails + 1


def test_coordinator_imports_into_a_chosen_centre_or_by_column(client, auth):
    blanc = make_centre(name="Centre social du Blanc", town="Le Blanc")
    vierzon = make_centre(name="Centre social de Vierzon", town="Vierzon")
    make_centre(name="Espace Bis", town="Tours")
    make_centre(name="Espace Bis", town="Blois")
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    header = ["Prénom", "Nom", "Courriel", "Catégorie", "Centre social"]
    rows = [
        ["Anne", "Durand", "anne@exemple.fr", "Bénévole", "centre social du blanc"],
        ["Bruno", "Petit", "bruno@exemple.fr", "Bénévole", "Centre social de Vierzon (Vierzon)"],
        ["Chloé", "Roux", "chloe@exemple.fr", "Bénévole", "Espace Bis"],
        ["Dan", "Vu", "dan@exemple.fr", "Bénévole", "Inconnu"],
    ]
    url = preview_url(upload(client, csv_bytes(rows, header=header)))
    page = page_of(client.get(url))
    assert "Plusieurs centres s'appellent « Espace Bis »" in page
    assert "Centre social inconnu « Inconnu »" in page
    confirm(client, url)
    assert people(email="anne@exemple.fr")[0].centre_id == blanc.id
    assert people(email="bruno@exemple.fr")[0].centre_id == vierzon.id
    assert not people(email="chloe@exemple.fr")
    # A chosen centre for every row (the column then does not matter).
    url = preview_url(
        upload(
            client,
            csv_bytes([["Eve", "Ka", "eve@exemple.fr", "Bénévole", "x"]], header=header),
            centre_id=str(vierzon.id),
        )
    )
    confirm(client, url)
    assert people(email="eve@exemple.fr")[0].centre_id == vierzon.id


def test_unmatched_columns_are_mapped_in_the_form(client, auth):
    centre, referent = _referent_world()
    auth.login(referent)
    content = csv_bytes([["Anne", "Durand", "x"]], header=["Given", "Famille", "Notes"])
    url = preview_url(upload(client, content))
    page = page_of(client.get(url))
    assert "Aucune colonne ne contient « Nom »" in page
    assert "Il n'y a rien à importer" in page
    data = {**options(page), "col_0": "first_name", "col_1": "last_name", "col_2": "last_name"}
    data["action"] = "apercu"
    bad = client.post(url, data=data)
    assert (
        bad.status_code == 422
        and "« Nom » est déjà choisi pour la colonne « Famille »" in page_of(bad)
    )
    data.update(col_2="", default_category="benevole")
    assert client.post(url, data=data).status_code == 303
    confirm(client, url)
    assert people(last_name="Durand")[0].centre_id == centre.id


def test_the_preview_changed_meanwhile(client, auth):
    centre, referent = _referent_world()
    auth.login(referent)
    url = preview_url(upload(client, csv_bytes([ANNE])))
    data = {**options(page_of(client.get(url))), "invitations": "jamais", "action": "importer"}
    make_user(centre=make_centre(), email="anne@exemple.fr")  # someone else took it meanwhile
    db.session.commit()
    answer = client.post(url, data=data)
    assert answer.status_code == 422
    assert "L'aperçu a changé depuis son affichage" in page_of(answer)
    assert "autre centre" in page_of(answer)
    assert not people(centre_id=centre.id, email="anne@exemple.fr")


def test_hostile_uploads_write_nothing(client, auth, app):
    centre, referent = _referent_world()
    auth.login(referent)
    for content, message in [
        (bytes(range(256)) * 100, "pas un tableau lisible"),
        ("Prénom;Nom\r\nAnne;Durand\r\n".encode("utf-16") + b"\x00\xd8", "UTF-16"),
        (b"", "Le fichier est vide."),
        (b"PK\x03\x04garbage", "pas un tableau lisible"),
    ]:
        answer = upload(client, content, "x.csv")
        assert answer.status_code == 422, message
        assert message in page_of(answer)
    assert _count(PendingImport) == 0
    # Beyond the view's 10 MB: the form says so; beyond the body's limit, a French 413 page.
    big = b"Prenom;Nom\r\n" + b"Anne;Durand\r\n" * (10 * 1024 * 1024 // 12)
    answer = upload(client, big[: 10 * 1024 * 1024 + 100])
    assert answer.status_code == 422 and "Le fichier dépasse 10 Mo" in page_of(answer)
    answer = upload(client, big + b"x" * 400_000)
    assert answer.status_code == 413 and "Fichier trop volumineux" in page_of(answer)
    # Other views keep the smaller MAX_CONTENT_LENGTH.
    limit = app.config["MAX_CONTENT_LENGTH"]
    answer = client.post("/personnes/nouvelle", data={"first_name": "x" * (limit + 10)})
    assert answer.status_code == 413
    assert _count(PendingImport) == 0 and len(people()) == 1


def test_a_token_is_its_senders_only_and_expires(client, auth):
    centre, referent = _referent_world()
    other = make_referent(centre)
    db.session.commit()
    auth.login(referent)
    url = preview_url(upload(client, csv_bytes([ANNE])))
    auth.logout()
    auth.login(other)
    assert client.get(url).status_code == 404
    assert "n'est plus disponible" in page_of(client.get(url))
    assert confirm_status(client, url) == 404
    pending = db.session.scalar(sa.select(PendingImport))
    pending.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    auth.logout()
    auth.login(referent)
    assert client.get(url).status_code == 404
    assert purge_expired_imports() == 1


def confirm_status(client, url) -> int:
    return client.post(url, data={"action": "importer", "invitations": "jamais"}).status_code


def test_htmx_preview_form_and_upload(client, auth, htmx_headers):
    centre, referent = _referent_world()
    auth.login(referent)
    answer = client.post(
        "/personnes/import",
        data={"file": (io.BytesIO(csv_bytes([ANNE])), "p.csv")},
        headers=htmx_headers,
    )
    assert answer.status_code == 204 and "/personnes/import/" in answer.headers["HX-Redirect"]
    bad = client.post(
        "/personnes/import",
        data={"file": (io.BytesIO(b"\x00\x01\x02" * 50), "p.csv")},
        headers=htmx_headers,
    )
    assert bad.status_code == 422 and bad.text.lstrip().startswith('<form id="upload-form"')
    url = answer.headers["HX-Redirect"].replace("http://localhost", "")
    fragment = client.get(url + "?voir=creees", headers=htmx_headers)
    assert fragment.text.lstrip().startswith('<div id="import-preview">')
    assert "Anne Durand" in page_of(fragment)


def test_template_files(client, auth):
    centre, referent = _referent_world()
    auth.login(referent)
    text = client.get("/personnes/import/modele.csv").get_data().decode("utf-8-sig")
    assert text.splitlines()[0] == "Prénom;Nom;E-mail;Téléphone;Catégorie;Sous-catégorie"
    # The template reads back as an import with two new people.
    content = client.get("/personnes/import/modele.xlsx").get_data()
    url = preview_url(upload(client, content, "modele.xlsx"))
    assert "2</strong> personnes créées" in page_of(client.get(url))
    page = page_of(client.get("/personnes/import"))
    assert "Comment préparer le fichier" in page and "modele.xlsx" in page


def test_a_later_file_gives_a_guest_their_address_and_invites_them(client, auth):
    centre, referent = _referent_world()
    auth.login(referent)
    _import(client, csv_bytes([["Jean", "Sanmail", "", "", "Bénévole", ""]]))
    jean = people(centre_id=centre.id, status=UserStatus.GUEST)[0]
    mails = _count(OutboxMail)

    with_address = csv_bytes([["JEAN", "Sanmail", "jean@exemple.fr", "", "Bénévole", ""]])
    url = preview_url(upload(client, with_address))
    preview = page_of(client.get(url))
    assert "jean@exemple.fr" in preview and "<strong>1</strong> mise à jour" in preview
    assert confirm(client, url, "maintenant").status_code == 303

    db.session.expire_all()
    same = people(centre_id=centre.id, last_name="Sanmail")
    assert [(p.id, p.email, p.status) for p in same] == [
        (jean.id, "jean@exemple.fr", UserStatus.INVITED)
    ]
    sent = db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)).all()[mails:]
    assert [(m.recipient, m.subject) for m in sent] == [
        ("jean@exemple.fr", "Votre invitation à Réseau")
    ]
    # The same file again: nothing changes, nothing more is sent.
    url = preview_url(upload(client, with_address))
    assert "1</strong> déjà à jour" in page_of(client.get(url))


def test_a_guest_given_an_address_without_invitations_stays_a_guest(client, auth):
    centre, referent = _referent_world()
    auth.login(referent)
    _import(client, csv_bytes([["Jean", "Sanmail", "", "", "Bénévole", ""]]))
    mails = _count(OutboxMail)
    _import(
        client,
        csv_bytes([["Jean", "Sanmail", "jean@exemple.fr", "", "Bénévole", ""]]),
        invitations="jamais",
    )
    jean = people(centre_id=centre.id, last_name="Sanmail")
    assert [(p.email, p.status) for p in jean] == [("jean@exemple.fr", UserStatus.GUEST)]
    assert _count(OutboxMail) == mails
