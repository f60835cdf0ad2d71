"""Invitations, self-registration, one's own account and the people pages."""

from __future__ import annotations

import sqlalchemy as sa

from reseau.accounts.models import Category, Role, User, UserStatus
from reseau.core.audit import AuditLog
from reseau.core.extensions import db
from tests.accounts.helpers import (
    link_in,
    new_password_form,
    outbox,
    password_change_form,
    person_form,
)
from tests.factories import (
    PASSWORD,
    make_centre,
    make_coordinator,
    make_referent,
    make_trainer,
    make_user,
)


def _person(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


# -- invitations -----------------------------------------------------------------------------


def test_coordinator_invites_anyone_to_any_centre_with_roles(client, auth):
    coordinator = make_coordinator()
    centre = make_centre(name="Centre social du Blanc")
    db.session.commit()
    auth.login(coordinator)
    response = client.post(
        "/personnes/nouvelle",
        data=person_form(centre_id=str(centre.id), roles=["referent", "trainer"]),
    )
    assert response.status_code == 303
    person = _person("zoe.martin@exemple.test")
    assert response.headers["Location"] == f"/personnes/{person.id}"
    assert person.status == UserStatus.INVITED
    assert person.centre_id == centre.id
    assert person.roles == {Role.PARTICIPANT, Role.REFERENT, Role.TRAINER}
    assert person.invited_by_id == coordinator.id
    assert person.password_hash is None
    (mail,) = outbox("zoe.martin@exemple.test")
    assert mail.subject == "Votre invitation à Réseau"
    assert "Centre social du Blanc" in mail.body_text
    assert link_in(mail).startswith("/invitation/")
    assert db.session.scalar(sa.select(AuditLog.action)) == "person.invite"


def test_referent_invites_only_into_own_centre_without_roles(client, auth):
    own, other = make_centre(), make_centre()
    referent = make_referent(own)
    db.session.commit()
    auth.login(referent)
    page = client.get("/personnes/nouvelle")
    assert page.status_code == 200
    assert 'name="roles"' not in page.text
    response = client.post(
        "/personnes/nouvelle",
        data=person_form(centre_id=str(other.id), roles=["coordinator", "referent"]),
    )
    assert response.status_code == 303
    person = _person("zoe.martin@exemple.test")
    assert person.centre_id == own.id
    assert person.roles == {Role.PARTICIPANT}
    assert len(outbox("zoe.martin@exemple.test")) == 1


def test_invitation_validation_errors_are_french_and_keep_input(client, auth, htmx_headers):
    coordinator = make_coordinator()
    make_user(email="deja@exemple.test")
    db.session.commit()
    auth.login(coordinator)
    response = client.post(
        "/personnes/nouvelle",
        data=person_form(email="DEJA@exemple.test", first_name="", category="astronaute"),
    )
    assert response.status_code == 422
    assert "Une personne utilise déjà cette adresse e-mail." in response.text
    assert "Ce champ est obligatoire." in response.text
    assert 'value="DEJA@exemple.test"' in response.text
    assert 'value="Martin"' in response.text
    assert outbox() == []
    fragment = client.post(
        "/personnes/nouvelle", data=person_form(email="faux"), headers=htmx_headers
    )
    assert fragment.status_code == 422
    assert fragment.text.lstrip().startswith('<form id="person-form"')
    assert "Saisissez une adresse e-mail valide" in fragment.text


def test_a_referent_needs_a_centre(client, auth):
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    response = client.post(
        "/personnes/nouvelle", data=person_form(centre_id="", roles=["referent"])
    )
    assert response.status_code == 422
    assert "doit être rattaché·e à un centre" in response.text
    assert _person("zoe.martin@exemple.test") is None
    trainer = client.post("/personnes/nouvelle", data=person_form(centre_id="", roles=["trainer"]))
    assert trainer.status_code == 303


def test_line_breaks_in_names_do_not_break_the_outbox(client, runner):
    centre = make_centre()
    make_referent(centre)
    db.session.commit()
    response = _register_and_confirm(client, centre, first_name="Léa\r\nBcc: pirate@exemple.test")
    assert response.status_code == 200
    confirm, to_referent = outbox()
    assert "\n" not in to_referent.subject and "\r" not in to_referent.subject
    assert _person("lea@exemple.test").first_name == "Léa Bcc: pirate@exemple.test"
    result = runner.invoke(args=["send-mail"])
    assert "2 envoyés" in result.output, result.output


def test_accepting_an_invitation_sets_password_activates_and_logs_in(client, auth):
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    client.post("/personnes/nouvelle", data=person_form())
    auth.logout()
    link = link_in(outbox("zoe.martin@exemple.test")[0])
    page = client.get(link)
    assert page.status_code == 200
    mismatch = client.post(link, data={"password": "un-mot-de-passe-1", "password_confirm": "x"})
    assert mismatch.status_code == 422
    assert "Les deux mots de passe ne sont pas identiques." in mismatch.text
    common = client.post(link, data=new_password_form("azertyuiop"))
    assert "trop courant" in common.text
    response = client.post(link, data=new_password_form("mon-mot-de-passe-zoe"))
    assert response.status_code == 303
    home = client.get("/")
    assert "Bienvenue dans Réseau" in home.text
    assert "Bonjour Zoé" in home.text
    person = _person("zoe.martin@exemple.test")
    assert person.status == UserStatus.ACTIVE
    assert person.last_login_at is not None
    auth.logout()
    assert client.get(link).status_code == 404
    assert auth.login(person, "mon-mot-de-passe-zoe").status_code == 303


def test_resend_invitation_voids_the_first_link(client, auth):
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    client.post("/personnes/nouvelle", data=person_form())
    person = _person("zoe.martin@exemple.test")
    response = client.post(f"/personnes/{person.id}/invitation")
    assert response.status_code == 303
    first, second = outbox("zoe.martin@exemple.test")
    assert link_in(first) != link_in(second)
    auth.logout()
    assert client.get(link_in(first)).status_code == 404
    assert client.get(link_in(second)).status_code == 200


def test_resend_invitation_to_active_person_is_refused(client, auth):
    coordinator = make_coordinator()
    person = make_user()
    db.session.commit()
    auth.login(coordinator)
    response = client.post(f"/personnes/{person.id}/invitation")
    assert response.status_code == 409
    assert "Action impossible" in response.text
    assert "dans l&#39;état actuel" in response.text
    assert outbox() == []


def test_disabled_invitation_link_no_longer_works(client, auth):
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    client.post("/personnes/nouvelle", data=person_form())
    person = _person("zoe.martin@exemple.test")
    client.post(f"/personnes/{person.id}/statut", data={"action": "desactiver"})
    auth.logout()
    link = link_in(outbox("zoe.martin@exemple.test")[0])
    response = client.post(link, data=new_password_form("mon-mot-de-passe-zoe"))
    assert response.status_code == 404
    db.session.refresh(person)
    assert person.password_hash is None


# -- self-registration -----------------------------------------------------------------------


def _register(client, centre, **overrides):
    data = person_form(email="lea@exemple.test", first_name="Léa", centre_id=str(centre.id))
    data.update(overrides)
    return client.post("/inscription", data=data)


def _register_and_confirm(client, centre, **overrides):
    """Ask for an account, then follow the link e-mailed to the address and choose a password."""
    assert _register(client, centre, **overrides).status_code == 303
    email = overrides.get("email", "lea@exemple.test")
    link = link_in(outbox(email)[-1])
    assert link.startswith("/inscription/")
    return client.post(link, data=new_password_form())


def test_registration_is_pending_and_tells_the_centre_referents(client):
    centre, other = make_centre(), make_centre()
    referent = make_referent(centre)
    make_referent(other)
    make_referent(centre, status=UserStatus.DISABLED)
    db.session.commit()
    page = client.get("/inscription")
    assert centre.name in page.text
    response = _register(client, centre)
    assert response.status_code == 303
    done = client.get(response.headers["Location"])
    assert "regardez votre messagerie" in done.text
    # Nothing is stored and the referents are not disturbed until the address is confirmed.
    assert _person("lea@exemple.test") is None
    (confirm,) = outbox()
    assert confirm.recipient == "lea@exemple.test"
    link = link_in(confirm)
    page = client.get(link)
    assert page.status_code == 200 and "lea@exemple.test" in page.text
    assert client.post(link, data=new_password_form()).status_code == 200
    person = _person("lea@exemple.test")
    assert person.status == UserStatus.PENDING
    assert person.centre_id == centre.id
    assert person.roles == {Role.PARTICIPANT}
    mails = outbox()[1:]
    assert [mail.recipient for mail in mails] == [referent.email]
    assert "Léa" in mails[0].subject
    assert link_in(mails[0]) == "/personnes/en-attente"
    # The link served once: the address has an account now.
    assert client.get(link).status_code == 404


def test_registration_errors(client):
    centre = make_centre()
    db.session.commit()
    response = _register(client, centre, email="pas-une-adresse", centre_id="999999")
    assert response.status_code == 422
    assert "Saisissez une adresse e-mail valide" in response.text
    assert "Choisissez" in response.text
    assert 'value="Léa"' in response.text
    assert outbox() == []


def test_referent_approves_then_person_logs_in(client, auth):
    centre = make_centre()
    referent = make_referent(centre)
    db.session.commit()
    _register_and_confirm(client, centre)
    person = _person("lea@exemple.test")
    assert auth.login(person, "un-nouveau-mot-de-passe").status_code == 422
    auth.login(referent)
    pending = client.get("/personnes/en-attente")
    assert pending.status_code == 200
    assert "Léa Martin" in pending.text
    response = client.post(f"/personnes/{person.id}/validation", data={"decision": "valider"})
    assert response.status_code == 303
    db.session.refresh(person)
    assert person.status == UserStatus.ACTIVE
    assert person.approved_by_id == referent.id
    assert outbox("lea@exemple.test")[-1].subject == "Votre compte Réseau est validé"
    assert "Aucune demande en attente." in client.get("/personnes/en-attente").text
    again = client.post(f"/personnes/{person.id}/validation", data={"decision": "refuser"})
    assert again.status_code == 303
    db.session.refresh(person)
    assert person.status == UserStatus.ACTIVE
    auth.logout()
    assert auth.login(person, "un-nouveau-mot-de-passe").status_code == 303


def test_referent_declines_and_person_cannot_log_in(client, auth):
    centre = make_centre()
    referent = make_referent(centre)
    db.session.commit()
    _register_and_confirm(client, centre)
    person = _person("lea@exemple.test")
    auth.login(referent)
    client.post(f"/personnes/{person.id}/validation", data={"decision": "refuser"})
    db.session.refresh(person)
    assert person.status == UserStatus.DISABLED
    assert outbox("lea@exemple.test")[-1].subject == "Votre demande de compte Réseau"
    auth.logout()
    response = auth.login(person, "un-nouveau-mot-de-passe")
    assert response.status_code == 422


def test_referent_of_another_centre_cannot_decide(client, auth):
    centre, other = make_centre(), make_centre()
    stranger = make_referent(other)
    db.session.commit()
    _register_and_confirm(client, centre)
    person = _person("lea@exemple.test")
    auth.login(stranger)
    assert "Léa" not in client.get("/personnes/en-attente").text
    response = client.post(f"/personnes/{person.id}/validation", data={"decision": "valider"})
    assert response.status_code == 404
    db.session.refresh(person)
    assert person.status == UserStatus.PENDING


# -- one's own account -----------------------------------------------------------------------


def test_profile_edit(client, auth):
    user = make_user()
    db.session.commit()
    auth.login(user)
    response = client.post(
        "/mon-compte",
        data={"first_name": "Jeanne", "last_name": "", "phone": "", "submit": "1"},
    )
    assert response.status_code == 422
    assert "Ce champ est obligatoire." in response.text
    assert 'value="Jeanne"' in response.text
    response = client.post(
        "/mon-compte",
        data={
            "first_name": "Jeanne",
            "last_name": "Dupont",
            "phone": "02 54 00 00 00",
            "directory_consent": "y",
            "submit": "1",
        },
    )
    assert response.status_code == 303
    db.session.refresh(user)
    assert (user.first_name, user.last_name, user.phone) == ("Jeanne", "Dupont", "02 54 00 00 00")
    assert user.directory_consent is True


def test_password_change_needs_the_current_password(client, auth):
    user = make_user()
    db.session.commit()
    auth.login(user)
    response = client.post(
        "/mon-compte",
        data=password_change_form("nouveau-secret-123", current="pas-le-bon"),
    )
    assert response.status_code == 422
    assert "Ce n&#39;est pas votre mot de passe actuel." in response.text or (
        "Ce n'est pas votre mot de passe actuel." in response.text
    )
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


def test_password_change_logs_out_other_sessions(app, client, auth):
    user = make_user()
    db.session.commit()
    other = app.test_client()
    assert other.post("/connexion", data={"email": user.email, "password": PASSWORD}).status_code
    auth.login(user)
    assert other.get("/mon-compte").status_code == 200
    response = client.post(
        "/mon-compte",
        data=password_change_form("nouveau-secret-123"),
    )
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.session_version == 2
    assert user.check_password("nouveau-secret-123")
    assert client.get("/mon-compte").status_code == 200  # this device stays logged in
    assert other.get("/mon-compte").status_code == 302  # the other one is logged out


# -- people pages ----------------------------------------------------------------------------


def test_people_list_filters_and_fragment(client, auth, htmx_headers):
    centre, other = make_centre(name="Centre A"), make_centre(name="Centre B")
    coordinator = make_coordinator()
    make_user(first_name="Alice", last_name="Aubert", centre=centre)
    make_user(first_name="Bruno", last_name="Bernard", centre=other, category=Category.SALARIE)
    make_trainer(first_name="Chloé", last_name="Caron")
    make_user(first_name="Denis", last_name="Dumas", centre=centre, status=UserStatus.PENDING)
    db.session.commit()
    auth.login(coordinator)
    full = client.get("/personnes")
    assert full.status_code == 200
    assert "<html" in full.text
    for name in ("Aubert", "Bernard", "Caron", "Dumas"):
        assert name in full.text

    def names(**params):
        response = client.get("/personnes", query_string=params, headers=htmx_headers)
        assert response.status_code == 200
        assert "<html" not in response.text
        assert response.text.lstrip().startswith('<section id="person-results"')
        return {n for n in ("Aubert", "Bernard", "Caron", "Dumas") if n in response.text}

    assert names(q="alice aub") == {"Aubert"}
    assert names(q="BERN") == {"Bernard"}
    assert names(categorie="salarie") >= {"Bernard", "Caron"}
    assert "Aubert" not in names(categorie="salarie")
    assert names(role="trainer") == {"Caron"}
    assert names(statut="pending") == {"Dumas"}
    assert names(centre=str(centre.id)) == {"Aubert", "Dumas"}
    assert names(centre="abc", categorie="nimporte", page="-3") >= {"Aubert", "Bernard"}
    assert "Personne ne correspond" in client.get("/personnes?q=zzzz").text


def test_referent_sees_only_own_centre(client, auth):
    centre, other = make_centre(), make_centre()
    referent = make_referent(centre)
    mine = make_user(last_name="Mienne", centre=centre)
    theirs = make_user(last_name="Autre", centre=other)
    db.session.commit()
    auth.login(referent)
    page = client.get("/personnes", query_string={"centre": other.id})
    assert "Mienne" in page.text
    assert "Autre" not in page.text
    assert client.get(f"/personnes/{mine.id}").status_code == 200
    assert client.get(f"/personnes/{theirs.id}").status_code == 404
    assert client.get(f"/personnes/{theirs.id}/modifier").status_code == 404


def test_referent_cannot_manage_a_coordinator_of_own_centre(client, auth):
    centre = make_centre()
    referent = make_referent(centre)
    coordinator = make_coordinator(centre=centre, email="coord@exemple.test")
    db.session.commit()
    auth.login(referent)
    assert client.get(f"/personnes/{coordinator.id}").status_code == 404
    response = client.post(
        f"/personnes/{coordinator.id}/modifier",
        data=person_form(email="pirate@exemple.test"),
    )
    assert response.status_code == 404
    disable = client.post(f"/personnes/{coordinator.id}/statut", data={"action": "desactiver"})
    assert disable.status_code == 404
    db.session.refresh(coordinator)
    assert coordinator.email == "coord@exemple.test"
    assert coordinator.status == UserStatus.ACTIVE


def test_person_edit_records_role_change_in_audit_log(client, auth):
    coordinator = make_coordinator()
    centre = make_centre()
    person = make_user(centre=centre, first_name="Marc")
    db.session.commit()
    auth.login(coordinator)
    form = client.get(f"/personnes/{person.id}/modifier")
    assert form.status_code == 200
    assert 'value="Marc"' in form.text
    response = client.post(
        f"/personnes/{person.id}/modifier",
        data=person_form(
            first_name="Marc",
            email=person.email.upper(),
            centre_id=str(centre.id),
            roles=["trainer"],
        ),
    )
    assert response.status_code == 303
    db.session.refresh(person)
    assert person.roles == {Role.PARTICIPANT, Role.TRAINER}
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "person.roles"))
    assert entry.actor_id == coordinator.id
    assert entry.object_id == person.id
    assert entry.before["roles"] == ["participant"]
    assert entry.after["roles"] == ["participant", "trainer"]


def test_referent_edit_keeps_roles_and_centre(client, auth):
    centre, other = make_centre(), make_centre()
    referent = make_referent(centre)
    person = make_user(centre=centre)
    db.session.commit()
    auth.login(referent)
    response = client.post(
        f"/personnes/{person.id}/modifier",
        data=person_form(
            email=person.email, centre_id=str(other.id), roles=["coordinator"], first_name="Yves"
        ),
    )
    assert response.status_code == 303
    db.session.refresh(person)
    assert person.first_name == "Yves"
    assert person.centre_id == centre.id
    assert person.roles == {Role.PARTICIPANT}


def test_email_must_stay_unique_on_edit(client, auth):
    coordinator = make_coordinator()
    make_user(email="pris@exemple.test")
    person = make_user(email="moi@exemple.test")
    db.session.commit()
    auth.login(coordinator)
    response = client.post(
        f"/personnes/{person.id}/modifier", data=person_form(email=" Pris@Exemple.test ")
    )
    assert response.status_code == 422
    assert "Une personne utilise déjà cette adresse e-mail." in response.text
    same = client.post(f"/personnes/{person.id}/modifier", data=person_form(email=person.email))
    assert same.status_code == 303


def test_deactivation_ends_sessions_and_reactivation(app, client, auth):
    coordinator = make_coordinator()
    person = make_user()
    db.session.commit()
    theirs = app.test_client()
    theirs.post("/connexion", data={"email": person.email, "password": PASSWORD})
    assert theirs.get("/mon-compte").status_code == 200
    auth.login(coordinator)
    response = client.post(f"/personnes/{person.id}/statut", data={"action": "desactiver"})
    assert response.status_code == 303
    db.session.refresh(person)
    assert person.status == UserStatus.DISABLED
    assert theirs.get("/mon-compte").status_code == 302
    assert (
        theirs.post("/connexion", data={"email": person.email, "password": PASSWORD}).status_code
        == 422
    )
    client.post(f"/personnes/{person.id}/statut", data={"action": "activer"})
    db.session.refresh(person)
    assert person.status == UserStatus.ACTIVE
    actions = db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["person.disable", "person.enable"]


def test_nobody_deactivates_themself(client, auth):
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    response = client.post(f"/personnes/{coordinator.id}/statut", data={"action": "desactiver"})
    assert response.status_code == 409
    db.session.refresh(coordinator)
    assert coordinator.status == UserStatus.ACTIVE


def test_coordinator_cannot_drop_own_coordination(client, auth):
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    data = person_form(email=coordinator.email, category="salarie", centre_id="")
    response = client.post(f"/personnes/{coordinator.id}/modifier", data=data)
    assert response.status_code == 422
    assert "retirer votre propre rôle de coordination" in response.text
    db.session.refresh(coordinator)
    assert coordinator.is_coordinator
    kept = client.post(
        f"/personnes/{coordinator.id}/modifier", data={**data, "roles": ["coordinator"]}
    )
    assert kept.status_code == 303


def test_disabled_invitee_can_be_reactivated_and_invited_again(client, auth):
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    client.post("/personnes/nouvelle", data=person_form())
    person = _person("zoe.martin@exemple.test")
    client.post(f"/personnes/{person.id}/statut", data={"action": "desactiver"})
    assert "Réactiver le compte" in client.get(f"/personnes/{person.id}").text
    client.post(f"/personnes/{person.id}/statut", data={"action": "activer"})
    db.session.refresh(person)
    assert person.status == UserStatus.INVITED
    assert client.post(f"/personnes/{person.id}/invitation").status_code == 303
    auth.logout()
    link = link_in(outbox("zoe.martin@exemple.test")[-1])
    assert client.post(link, data=new_password_form("mon-mot-de-passe-zoe")).status_code == 303
    db.session.refresh(person)
    assert person.status == UserStatus.ACTIVE


def test_password_change_keeps_remember_me_on_this_device(client):
    user = make_user()
    db.session.commit()
    client.post("/connexion", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    response = client.post(
        "/mon-compte",
        data=password_change_form("nouveau-secret-123"),
    )
    assert response.status_code == 303
    client.delete_cookie("session")  # the browser was closed
    assert client.get("/mon-compte").status_code == 200


def test_htmx_invitation_success_sends_the_window_to_the_person(client, auth, htmx_headers):
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    response = client.post("/personnes/nouvelle", data=person_form(), headers=htmx_headers)
    person = _person("zoe.martin@exemple.test")
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/personnes/{person.id}"
    edit = client.post(f"/personnes/{person.id}/modifier", data=person_form(), headers=htmx_headers)
    assert edit.status_code == 204
    assert edit.headers["HX-Redirect"] == f"/personnes/{person.id}"
