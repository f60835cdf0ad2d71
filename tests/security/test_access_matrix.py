"""The global access matrix, generated from ``app.url_map``.

Every route × method of the application has an explicit expected answer for each of:
anonymous, participant, trainer, referent of the centre concerned, referent of another
centre, coordinator. A route without an entry in ``EXPECTED`` makes
``test_every_route_has_an_expectation`` fail. htmx requests are checked like full pages
(same status). POSTs send an empty form: an allowed role gets the form back with errors
(422), or the action's own answer; nothing here relies on a CSRF token (tests disable it;
CSRF itself is tested in tests/core).

Excluded, and said so: ``static`` only. The attendance routes use their own running session
(trainer: the matrix's trainer; participant: enrolled) and a closed one the participant
attended, so the POSTs that cancel or edit the main session do not change their answers.
A trainer of another session gets 404 on every trainer page of this one
(``test_a_trainer_of_another_session_gets_404``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from reseau.accounts.models import UserStatus
from reseau.attendance import checkin
from reseau.attendance.models import Attendance, AttendanceStatus
from reseau.catalogue.models import SessionStatus
from reseau.core.database import utcnow
from reseau.core.extensions import db
from tests.diagnostic.fixtures import add_skill, make_campaign
from tests.factories import (
    make_centre,
    make_coordinator,
    make_cycle,
    make_department,
    make_disability_referent,
    make_module,
    make_referent,
    make_session,
    make_theme,
    make_trainer,
    make_user,
)

ROLES = (
    "anonymous",
    "participant",
    "trainer",
    "referent",
    "other_referent",
    "coordinator",
    "disability",
)
EXCLUDED_ENDPOINTS = {"static"}

L = 302  # to the login page
# Patterns, in the order of ROLES.
PUBLIC = (200,) * 6
LOGGED_IN = (L, 200, 200, 200, 200, 200)
MANAGERS = (L, 403, 403, 200, 200, 200)
OWN_CENTRE = (L, 403, 403, 200, 404, 200)
COORDINATOR = (L, 403, 403, 403, 403, 200)
GONE = (404,) * 6  # an unknown token, for everyone
ANONYMOUS_ONLY = (200, 303, 303, 303, 303, 303)  # logged-in people are sent home
LOGGED_IN_FORM = (L, 422, 422, 422, 422, 422)
COORDINATOR_FORM = (L, 403, 403, 403, 403, 422)  # an empty form comes back with errors
COORDINATOR_ACTION = (L, 403, 403, 403, 403, 303)
# Attendance: the session's trainer and the coordinator; referents are not trainers (403).
TRAINERS = (L, 403, 200, 403, 403, 200)
TRAINERS_ACTION = (L, 403, 303, 403, 403, 303)
ATTENDEE = (L, 200, 404, 404, 404, 404)  # the participant's own certificate or feedback


# Issue 18: the référent·e handicap (a participant of the other centre holding that role
# only) answers like the participant, except on the routes below (7 statuses) and where
# DISABILITY says otherwise: the participant's own enrolment, attendance and evaluation.
READERS = (L, 403, 403, 403, 403, 200, 200)  # the adjustment requests
READERS_FORM = (L, 403, 403, 403, 403, 422, 422)


# (method, rule) -> (URL with {placeholders}, expected status per role, in ROLES order).
# Checked in this order (GETs, then POSTs by path): a few POSTs change what later ones see,
# e.g. cancelling the session before editing it. The diagnostic answering routes answer 404
# to the coordinator (who is not asked to answer) and the centre-wide reminder answers 404
# to the coordinator without a centre: both are the diagnostic room's own rules.
EXPECTED: dict[tuple[str, str], tuple[str, tuple[int, ...]]] = {
    # main
    ("GET", "/"): ("/", PUBLIC),
    # Health, for monitoring: no login, the same answer for all (see _schema_at_head below).
    ("GET", "/sante"): ("/sante", PUBLIC),
    ("GET", "/admin/envois"): ("/admin/envois", COORDINATOR),
    ("POST", "/admin/envois/reessayer"): ("/admin/envois/reessayer", COORDINATOR_ACTION),
    ("POST", "/admin/envois/<int:mail_id>/reessayer"): (
        "/admin/envois/999999/reessayer",
        COORDINATOR_ACTION,
    ),
    ("POST", "/admin/envois/<int:mail_id>/abandonner"): (
        "/admin/envois/999999/abandonner",
        COORDINATOR_ACTION,
    ),
    # accounts
    ("GET", "/admin/centres"): ("/admin/centres", COORDINATOR),
    ("GET", "/admin/centres/<int:centre_id>"): ("/admin/centres/{centre}", COORDINATOR),
    ("GET", "/admin/centres/<int:centre_id>/modifier"): (
        "/admin/centres/{centre}/modifier",
        COORDINATOR,
    ),
    ("GET", "/admin/centres/nouveau"): ("/admin/centres/nouveau", COORDINATOR),
    ("GET", "/admin/departements"): ("/admin/departements", COORDINATOR),
    ("GET", "/admin/departements/<int:department_id>"): (
        "/admin/departements/{department}",
        COORDINATOR,
    ),
    ("GET", "/admin/departements/nouveau"): ("/admin/departements/nouveau", COORDINATOR),
    ("GET", "/connexion"): ("/connexion", ANONYMOUS_ONLY),
    ("GET", "/inscription"): ("/inscription", ANONYMOUS_ONLY),
    ("GET", "/invitation/<token>"): ("/invitation/jeton-inconnu", GONE),
    ("GET", "/mon-compte"): ("/mon-compte", LOGGED_IN),
    ("GET", "/mot-de-passe-oublie"): ("/mot-de-passe-oublie", PUBLIC),
    ("GET", "/personnes"): ("/personnes", MANAGERS),
    ("GET", "/personnes/<int:person_id>"): ("/personnes/{person}", OWN_CENTRE),
    ("GET", "/personnes/<int:person_id>/modifier"): ("/personnes/{person}/modifier", OWN_CENTRE),
    ("GET", "/personnes/en-attente"): ("/personnes/en-attente", MANAGERS),
    ("GET", "/personnes/nouvelle"): ("/personnes/nouvelle", MANAGERS),
    ("GET", "/reinitialiser/<token>"): ("/reinitialiser/jeton-inconnu", GONE),
    ("GET", "/inscription/<token>"): ("/inscription/jeton-inconnu", GONE),
    ("GET", "/personnes/<int:person_id>/statut"): ("/personnes/{person}/statut", OWN_CENTRE),
    ("POST", "/admin/centres/<int:centre_id>/modifier"): (
        "/admin/centres/{centre}/modifier",
        COORDINATOR_FORM,
    ),
    ("POST", "/admin/centres/nouveau"): ("/admin/centres/nouveau", COORDINATOR_FORM),
    ("POST", "/admin/departements/<int:department_id>"): (
        "/admin/departements/{department}",
        COORDINATOR_FORM,
    ),
    ("POST", "/admin/departements/nouveau"): ("/admin/departements/nouveau", COORDINATOR_FORM),
    ("POST", "/connexion"): ("/connexion", (422, 303, 303, 303, 303, 303)),
    ("POST", "/inscription"): ("/inscription", (422, 303, 303, 303, 303, 303)),
    ("POST", "/invitation/<token>"): ("/invitation/jeton-inconnu", GONE),
    ("POST", "/mon-compte"): ("/mon-compte", LOGGED_IN_FORM),
    ("POST", "/mot-de-passe-oublie"): ("/mot-de-passe-oublie", (422, 422, 422, 422, 422, 422)),
    ("POST", "/personnes/<int:person_id>/invitation"): (
        "/personnes/{invited}/invitation",
        (L, 403, 403, 303, 404, 303),
    ),
    ("POST", "/personnes/<int:person_id>/modifier"): (
        "/personnes/{person}/modifier",
        (L, 403, 403, 422, 404, 422),
    ),
    ("POST", "/personnes/<int:person_id>/statut"): (
        "/personnes/{person}/statut",
        (L, 403, 403, 303, 404, 303),
    ),
    ("POST", "/personnes/<int:person_id>/validation"): (
        "/personnes/{pending}/validation",
        (L, 403, 403, 303, 404, 303),
    ),
    ("POST", "/personnes/nouvelle"): ("/personnes/nouvelle", (L, 403, 403, 422, 422, 422)),
    ("POST", "/reinitialiser/<token>"): ("/reinitialiser/jeton-inconnu", GONE),
    ("POST", "/inscription/<token>"): ("/inscription/jeton-inconnu", GONE),
    # catalogue
    ("GET", "/admin/cycles"): ("/admin/cycles", COORDINATOR),
    ("GET", "/admin/cycles/<int:cycle_id>"): ("/admin/cycles/{cycle}", COORDINATOR),
    ("GET", "/admin/cycles/<int:cycle_id>/modifier"): (
        "/admin/cycles/{cycle}/modifier",
        COORDINATOR,
    ),
    ("GET", "/admin/cycles/nouveau"): ("/admin/cycles/nouveau", COORDINATOR),
    ("GET", "/admin/modules/<int:module_id>/modifier"): (
        "/admin/modules/{module}/modifier",
        COORDINATOR,
    ),
    ("GET", "/admin/seances/<int:seance_id>/annuler"): (
        "/admin/seances/{seance}/annuler",
        COORDINATOR,
    ),
    ("GET", "/admin/seances/<int:seance_id>/modifier"): (
        "/admin/seances/{seance}/modifier",
        COORDINATOR,
    ),
    ("GET", "/admin/sessions"): ("/admin/sessions", COORDINATOR),
    ("GET", "/admin/sessions/<int:session_id>"): ("/admin/sessions/{session}", COORDINATOR),
    ("GET", "/admin/sessions/<int:session_id>/annuler"): (
        "/admin/sessions/{session}/annuler",
        COORDINATOR,
    ),
    ("GET", "/admin/sessions/<int:session_id>/modifier"): (
        "/admin/sessions/{session}/modifier",
        COORDINATOR,
    ),
    # The question before publishing; a published session has none: back to its page.
    ("GET", "/admin/sessions/<int:session_id>/publier"): (
        "/admin/sessions/{session}/publier",
        COORDINATOR_ACTION,
    ),
    ("GET", "/admin/sessions/nouvelle"): ("/admin/sessions/nouvelle", COORDINATOR),
    ("GET", "/admin/thematiques"): ("/admin/thematiques", COORDINATOR),
    ("GET", "/admin/thematiques/<int:theme_id>"): ("/admin/thematiques/{theme}", COORDINATOR),
    ("GET", "/admin/thematiques/<int:theme_id>/modifier"): (
        "/admin/thematiques/{theme}/modifier",
        COORDINATOR,
    ),
    ("GET", "/admin/thematiques/nouvelle"): ("/admin/thematiques/nouvelle", COORDINATOR),
    ("POST", "/admin/cycles/<int:cycle_id>/modifier"): (
        "/admin/cycles/{cycle}/modifier",
        COORDINATOR_FORM,
    ),
    ("POST", "/admin/cycles/<int:cycle_id>/modules"): (
        "/admin/cycles/{cycle}/modules",
        COORDINATOR_FORM,
    ),
    ("POST", "/admin/cycles/nouveau"): ("/admin/cycles/nouveau", COORDINATOR_FORM),
    ("POST", "/admin/modules/<int:module_id>/deplacer"): (
        "/admin/modules/{module}/deplacer",
        (L, 403, 403, 403, 403, 400),
    ),
    ("POST", "/admin/modules/<int:module_id>/modifier"): (
        "/admin/modules/{module}/modifier",
        COORDINATOR_FORM,
    ),
    ("POST", "/admin/seances/<int:seance_id>/annuler"): (
        "/admin/seances/{seance}/annuler",
        COORDINATOR_ACTION,
    ),
    ("POST", "/admin/seances/<int:seance_id>/modifier"): (
        "/admin/seances/{seance}/modifier",
        COORDINATOR_FORM,
    ),
    ("POST", "/admin/seances/<int:seance_id>/retablir"): (
        "/admin/seances/{seance}/retablir",
        COORDINATOR_ACTION,
    ),
    ("POST", "/admin/seances/<int:seance_id>/supprimer"): (
        "/admin/seances/{seance}/supprimer",
        COORDINATOR_ACTION,
    ),
    ("POST", "/admin/sessions/<int:session_id>/annuler"): (
        "/admin/sessions/{session}/annuler",
        COORDINATOR_ACTION,
    ),
    ("POST", "/admin/sessions/<int:session_id>/modifier"): (
        "/admin/sessions/{session}/modifier",
        COORDINATOR_ACTION,
    ),
    ("POST", "/admin/sessions/<int:session_id>/publier"): (
        "/admin/sessions/{session}/publier",
        COORDINATOR_ACTION,
    ),
    ("POST", "/admin/sessions/<int:session_id>/seances"): (
        "/admin/sessions/{session}/seances",
        COORDINATOR_FORM,
    ),
    ("POST", "/admin/sessions/nouvelle"): ("/admin/sessions/nouvelle", COORDINATOR_FORM),
    ("POST", "/admin/thematiques/<int:theme_id>/modifier"): (
        "/admin/thematiques/{theme}/modifier",
        COORDINATOR_FORM,
    ),
    ("POST", "/admin/thematiques/nouvelle"): ("/admin/thematiques/nouvelle", COORDINATOR_FORM),
    # diagnostic
    ("GET", "/admin/diagnostic"): ("/admin/diagnostic", MANAGERS),
    ("GET", "/admin/diagnostic/<int:campaign_id>"): ("/admin/diagnostic/{campaign}", COORDINATOR),
    ("GET", "/admin/diagnostic/<int:campaign_id>/competences/<int:skill_id>"): (
        "/admin/diagnostic/{campaign}/competences/{skill}",
        COORDINATOR,
    ),
    ("GET", "/admin/diagnostic/<int:campaign_id>/competences/nouvelle"): (
        "/admin/diagnostic/{campaign}/competences/nouvelle",
        COORDINATOR,
    ),
    ("GET", "/admin/diagnostic/<int:campaign_id>/reponses.csv"): (
        "/admin/diagnostic/{campaign}/reponses.csv",
        COORDINATOR,
    ),
    ("GET", "/admin/diagnostic/nouvelle"): ("/admin/diagnostic/nouvelle", COORDINATOR),
    ("GET", "/diagnostic"): ("/diagnostic", LOGGED_IN),
    ("GET", "/diagnostic/<int:campaign_id>"): ("/diagnostic/{campaign}", LOGGED_IN),
    ("GET", "/diagnostic/<int:campaign_id>/suivi"): ("/diagnostic/{campaign}/suivi", MANAGERS),
    ("GET", "/diagnostic/resultats"): ("/diagnostic/resultats", MANAGERS),
    ("GET", "/diagnostic/resultats.csv"): ("/diagnostic/resultats.csv", MANAGERS),
    ("POST", "/admin/diagnostic/<int:campaign_id>"): (
        "/admin/diagnostic/{campaign}",
        COORDINATOR_FORM,
    ),
    ("POST", "/admin/diagnostic/<int:campaign_id>/competences/<int:skill_id>"): (
        "/admin/diagnostic/{campaign}/competences/{skill}",
        COORDINATOR_FORM,
    ),
    ("POST", "/admin/diagnostic/<int:campaign_id>/competences/<int:skill_id>/supprimer"): (
        "/admin/diagnostic/{campaign}/competences/{skill}/supprimer",
        COORDINATOR_ACTION,
    ),
    ("POST", "/admin/diagnostic/<int:campaign_id>/competences/nouvelle"): (
        "/admin/diagnostic/{campaign}/competences/nouvelle",
        COORDINATOR_FORM,
    ),
    ("POST", "/admin/diagnostic/<int:campaign_id>/invitations"): (
        "/admin/diagnostic/{campaign}/invitations",
        COORDINATOR_ACTION,
    ),
    ("POST", "/admin/diagnostic/<int:campaign_id>/questions"): (
        "/admin/diagnostic/{campaign}/questions",
        COORDINATOR_ACTION,
    ),
    ("POST", "/admin/diagnostic/<int:campaign_id>/questions/<int:question_id>/supprimer"): (
        "/admin/diagnostic/{campaign}/questions/{question}/supprimer",
        COORDINATOR_ACTION,
    ),
    ("POST", "/admin/diagnostic/<int:campaign_id>/themes/<int:theme_id>/session"): (
        "/admin/diagnostic/{campaign}/themes/{theme}/session",
        (L, 403, 403, 403, 403, 404),
    ),
    ("POST", "/admin/diagnostic/nouvelle"): ("/admin/diagnostic/nouvelle", COORDINATOR_FORM),
    ("POST", "/diagnostic/<int:campaign_id>"): (
        "/diagnostic/{campaign}",
        (L, 303, 303, 303, 303, 303),
    ),
    ("POST", "/diagnostic/<int:campaign_id>/autres-besoins"): (
        "/diagnostic/{campaign}/autres-besoins",
        (L, 303, 303, 303, 303, 303),
    ),
    ("POST", "/diagnostic/<int:campaign_id>/competences/<int:skill_id>"): (
        "/diagnostic/{campaign}/competences/{skill}",
        (L, 303, 303, 303, 303, 404),
    ),
    ("POST", "/diagnostic/<int:campaign_id>/questions/<int:question_id>"): (
        "/diagnostic/{campaign}/questions/{question}",
        (L, 303, 303, 303, 303, 404),
    ),
    ("POST", "/diagnostic/<int:campaign_id>/suivi/<int:person_id>/relance"): (
        "/diagnostic/{campaign}/suivi/{person}/relance",
        (L, 403, 403, 303, 404, 303),
    ),
    ("POST", "/diagnostic/<int:campaign_id>/suivi/relance"): (
        "/diagnostic/{campaign}/suivi/relance",
        (L, 403, 403, 303, 303, 404),
    ),
    # imports
    ("GET", "/personnes/import"): ("/personnes/import", MANAGERS),
    ("POST", "/personnes/import"): ("/personnes/import", (L, 403, 403, 422, 422, 422)),
    ("GET", "/personnes/import/<token>"): (
        "/personnes/import/jeton-inconnu",
        (L, 403, 403, 404, 404, 404),
    ),
    ("POST", "/personnes/import/<token>"): (
        "/personnes/import/jeton-inconnu",
        (L, 403, 403, 404, 404, 404),
    ),
    ("POST", "/personnes/import/invitations"): (
        "/personnes/import/invitations",
        (L, 403, 403, 303, 303, 303),
    ),
    ("GET", "/personnes/import/modele.csv"): ("/personnes/import/modele.csv", MANAGERS),
    ("GET", "/personnes/import/modele.xlsx"): ("/personnes/import/modele.xlsx", MANAGERS),
    # privacy
    ("GET", "/admin/donnees-personnelles"): ("/admin/donnees-personnelles", COORDINATOR),
    ("GET", "/admin/journal"): ("/admin/journal", COORDINATOR),
    ("GET", "/admin/personnes/<int:person_id>/anonymiser"): (
        "/admin/personnes/{person}/anonymiser",
        COORDINATOR,
    ),
    ("GET", "/mes-donnees"): ("/mes-donnees", LOGGED_IN),
    ("GET", "/mes-donnees.json"): ("/mes-donnees.json", LOGGED_IN),
    ("POST", "/admin/personnes/<int:person_id>/anonymiser"): (
        "/admin/personnes/{person}/anonymiser",
        COORDINATOR_FORM,
    ),
    ("POST", "/mes-donnees/suppression"): ("/mes-donnees/suppression", LOGGED_IN_FORM),
    # enrolment
    ("GET", "/admin/sessions/<int:session_id>/inscrits"): (
        "/admin/sessions/{session}/inscrits",
        COORDINATOR,
    ),
    ("GET", "/admin/sessions/<int:session_id>/inscrits.csv"): (
        "/admin/sessions/{session}/inscrits.csv",
        COORDINATOR,
    ),
    ("GET", "/catalogue"): ("/catalogue", PUBLIC),
    ("GET", "/catalogue/cycles/<int:cycle_id>"): ("/catalogue/cycles/{cycle}", PUBLIC),
    ("GET", "/catalogue/sessions/<int:session_id>"): ("/catalogue/sessions/{session}", PUBLIC),
    ("GET", "/catalogue/thematiques/<slug>"): ("/catalogue/thematiques/{slug}", PUBLIC),
    ("GET", "/centre/inscriptions"): ("/centre/inscriptions", MANAGERS),
    ("GET", "/mes-formations"): ("/mes-formations", LOGGED_IN),
    ("POST", "/admin/sessions/<int:session_id>/inscrits"): (
        "/admin/sessions/{session}/inscrits",
        COORDINATOR_FORM,
    ),
    ("POST", "/admin/sessions/<int:session_id>/inscrits/<int:enrolment_id>/confirmer"): (
        "/admin/sessions/{session}/inscrits/{enrolment}/confirmer",
        COORDINATOR_ACTION,
    ),
    ("POST", "/catalogue/sessions/<int:session_id>/desinscription"): (
        "/catalogue/sessions/{session}/desinscription",
        (L, 303, 404, 404, 404, 404),
    ),
    ("POST", "/catalogue/sessions/<int:session_id>/inscription"): (
        "/catalogue/sessions/{session}/inscription",
        (L, 303, 303, 303, 303, 303),
    ),
    ("POST", "/catalogue/sessions/<int:session_id>/inscrire"): (
        "/catalogue/sessions/{session}/inscrire",
        (L, 403, 403, 303, 303, 303),
    ),
    ("POST", "/inscriptions/<int:enrolment_id>/accepter"): (
        "/inscriptions/{enrolment}/accepter",
        (L, 303, 404, 404, 404, 404),
    ),
    ("GET", "/inscriptions/<int:enrolment_id>/annuler"): (
        "/inscriptions/{enrolment}/annuler",
        (L, 200, 404, 200, 404, 200),
    ),
    ("POST", "/inscriptions/<int:enrolment_id>/annuler"): (
        "/inscriptions/{enrolment}/annuler",
        (L, 303, 404, 303, 404, 303),
    ),
    ("POST", "/inscriptions/<int:enrolment_id>/refuser"): (
        "/inscriptions/{enrolment}/refuser",
        (L, 403, 403, 303, 404, 303),
    ),
    ("POST", "/inscriptions/<int:enrolment_id>/valider"): (
        "/inscriptions/{enrolment}/valider",
        (L, 403, 403, 303, 404, 303),
    ),
    # calendars
    ("GET", "/agenda/catalogue.ics"): ("/agenda/catalogue.ics", PUBLIC),
    ("GET", "/agenda/cycles/<int:cycle_id>.ics"): ("/agenda/cycles/{cycle}.ics", PUBLIC),
    ("GET", "/agenda/prive/<token>.ics"): ("/agenda/prive/jeton-inconnu.ics", GONE),
    ("GET", "/agenda/thematiques/<slug>.ics"): ("/agenda/thematiques/{slug}.ics", PUBLIC),
    ("GET", "/agendas"): ("/agendas", LOGGED_IN),
    ("GET", "/sessions/<int:session_id>/agenda.ics"): ("/sessions/{session}/agenda.ics", PUBLIC),
    ("POST", "/agendas/<kind>"): ("/agendas/person", (L, 303, 303, 303, 303, 303)),
    ("POST", "/agendas/<kind>/desactiver"): (
        "/agendas/person/desactiver",
        (L, 303, 303, 303, 303, 303),
    ),
    ("POST", "/deconnexion"): ("/deconnexion", (L, 303, 303, 303, 303, 303)),
    ("POST", "/session/prolonger"): ("/session/prolonger", (L, 303, 303, 303, 303, 303)),
    # attendance
    ("GET", "/mes-sessions"): ("/mes-sessions", TRAINERS),
    ("GET", "/mes-sessions/<int:session_id>"): ("/mes-sessions/{running}", TRAINERS),
    ("GET", "/mes-sessions/<int:session_id>/attestations.pdf"): (
        "/mes-sessions/{closed}/attestations.pdf",
        COORDINATOR,
    ),
    ("GET", "/mes-sessions/<int:session_id>/avis"): ("/mes-sessions/{closed}/avis", TRAINERS),
    ("GET", "/mes-sessions/seances/<int:seance_id>"): (
        "/mes-sessions/seances/{running_seance}",
        TRAINERS,
    ),
    ("GET", "/mes-sessions/seances/<int:seance_id>/feuille-emargement.pdf"): (
        "/mes-sessions/seances/{running_seance}/feuille-emargement.pdf",
        TRAINERS,
    ),
    ("GET", "/mes-sessions/seances/<int:seance_id>/qr"): (
        "/mes-sessions/seances/{running_seance}/qr",
        TRAINERS,
    ),
    ("GET", "/mes-sessions/seances/<int:seance_id>/sans-inscription"): (
        "/mes-sessions/seances/{running_seance}/sans-inscription",
        TRAINERS,
    ),
    ("GET", "/emargement/<int:seance_id>/<token>"): (
        "/emargement/{running_seance}/{checkin_token}",
        LOGGED_IN,
    ),
    ("GET", "/mes-formations/<int:session_id>/attestation.pdf"): (
        "/mes-formations/{closed}/attestation.pdf",
        ATTENDEE,
    ),
    ("GET", "/mes-formations/<int:session_id>/avis"): ("/mes-formations/{closed}/avis", ATTENDEE),
    ("POST", "/emargement/<int:seance_id>/<token>"): (
        "/emargement/{running_seance}/{checkin_token}",
        (L, 303, 303, 303, 303, 303),
    ),
    ("POST", "/mes-formations/<int:session_id>/avis"): (
        "/mes-formations/{closed}/avis",
        (L, 422, 404, 404, 404, 404),
    ),
    # The running session's séances are not over: closing is refused with a message (303).
    ("GET", "/mes-sessions/<int:session_id>/cloturer"): (
        "/mes-sessions/{running}/cloturer",
        TRAINERS,
    ),
    ("POST", "/mes-sessions/<int:session_id>/cloturer"): (
        "/mes-sessions/{running}/cloturer",
        TRAINERS_ACTION,
    ),
    ("POST", "/mes-sessions/seances/<int:seance_id>"): (
        "/mes-sessions/seances/{running_seance}",
        TRAINERS_ACTION,
    ),
    ("POST", "/mes-sessions/seances/<int:seance_id>/invite"): (
        "/mes-sessions/seances/{running_seance}/invite",
        (L, 403, 422, 403, 403, 422),
    ),
    ("POST", "/mes-sessions/seances/<int:seance_id>/personnes/<int:person_id>"): (
        "/mes-sessions/seances/{running_seance}/personnes/{person}",
        TRAINERS_ACTION,
    ),
    ("POST", "/mes-sessions/seances/<int:seance_id>/sans-inscription"): (
        "/mes-sessions/seances/{running_seance}/sans-inscription",
        TRAINERS_ACTION,
    ),
    ("POST", "/mes-sessions/seances/<int:seance_id>/tous-presents"): (
        "/mes-sessions/seances/{running_seance}/tous-presents",
        TRAINERS_ACTION,
    ),
    # proof (issue 16): empty forms are refused with the reason (409) or the fields (422).
    ("GET", "/mes-sessions/seances/<int:seance_id>/faire-signer"): (
        "/mes-sessions/seances/{running_seance}/faire-signer",
        TRAINERS,
    ),
    ("GET", "/mes-sessions/seances/<int:seance_id>/faire-signer/<int:person_id>"): (
        "/mes-sessions/seances/{running_seance}/faire-signer/{person}",
        TRAINERS,
    ),
    ("POST", "/mes-sessions/seances/<int:seance_id>/faire-signer/<int:person_id>"): (
        "/mes-sessions/seances/{running_seance}/faire-signer/{person}",
        (L, 403, 409, 403, 403, 409),
    ),
    ("GET", "/emargement/<int:seance_id>/<token>/signer"): (
        "/emargement/{running_seance}/{checkin_token}/signer",
        LOGGED_IN,
    ),
    ("POST", "/emargement/<int:seance_id>/<token>/signer"): (
        "/emargement/{running_seance}/{checkin_token}/signer",
        (L, 409, 409, 409, 409, 409),
    ),
    ("GET", "/mes-sessions/seances/<int:seance_id>/valider"): (
        "/mes-sessions/seances/{running_seance}/valider",
        TRAINERS,
    ),
    ("POST", "/mes-sessions/seances/<int:seance_id>/valider"): (
        "/mes-sessions/seances/{running_seance}/valider",
        (L, 403, 409, 403, 403, 409),
    ),
    ("GET", "/mes-sessions/seances/<int:seance_id>/feuille-scellee"): (
        "/mes-sessions/seances/{running_seance}/feuille-scellee",
        TRAINERS,
    ),
    ("POST", "/mes-sessions/seances/<int:seance_id>/corriger"): (
        "/mes-sessions/seances/{running_seance}/corriger",
        COORDINATOR_FORM,
    ),
    ("GET", "/feuilles-scellees/<int:sheet_id>.pdf"): (
        "/feuilles-scellees/999999.pdf",
        (L, 403, 404, 403, 403, 404),
    ),
    ("GET", "/mes-formations/<int:session_id>/certificat-realisation.pdf"): (
        "/mes-formations/{closed}/certificat-realisation.pdf",
        ATTENDEE,
    ),
    ("GET", "/mes-sessions/<int:session_id>/certificats-realisation.pdf"): (
        "/mes-sessions/{closed}/certificats-realisation.pdf",
        COORDINATOR,
    ),
    # The referent's own centre; the coordinator has none (404).
    ("GET", "/mon-centre/certificats-realisation"): (
        "/mon-centre/certificats-realisation",
        (L, 403, 403, 200, 200, 404),
    ),
    ("GET", "/administration/certificats"): ("/administration/certificats", COORDINATOR),
    ("POST", "/administration/certificats"): ("/administration/certificats", COORDINATOR_FORM),
    ("GET", "/mes-sessions/<int:session_id>/dossier-de-preuves"): (
        "/mes-sessions/{closed}/dossier-de-preuves",
        COORDINATOR,
    ),
    ("POST", "/mes-sessions/<int:session_id>/dossier-de-preuves"): (
        "/mes-sessions/{closed}/dossier-de-preuves",
        COORDINATOR_ACTION,
    ),
    ("GET", "/dossiers-de-preuves/<int:pack_id>.zip"): (
        "/dossiers-de-preuves/999999.zip",
        (L, 403, 403, 403, 403, 404),
    ),
    # reports: a referent's bilan is always their own centre's (``centre`` is ignored).
    ("GET", "/bilan"): ("/bilan", MANAGERS),
    ("GET", "/bilan.xlsx"): ("/bilan.xlsx", MANAGERS),
    ("GET", "/bilan/sessions"): ("/bilan/sessions", MANAGERS),
    ("GET", "/bilan/<key>.csv"): ("/bilan/participants-categorie.csv", MANAGERS),
    # funding (issue 17): the coordinator's.
    ("GET", "/admin/financeurs"): ("/admin/financeurs", COORDINATOR),
    ("GET", "/admin/financeurs/nouveau"): ("/admin/financeurs/nouveau", COORDINATOR),
    ("GET", "/admin/financeurs/bilan"): ("/admin/financeurs/bilan", COORDINATOR),
    ("GET", "/admin/financeurs/<int:funder_id>"): ("/admin/financeurs/{funder}", COORDINATOR),
    ("GET", "/admin/financeurs/<int:funder_id>/modifier"): (
        "/admin/financeurs/{funder}/modifier",
        COORDINATOR,
    ),
    ("GET", "/admin/financeurs/<int:funder_id>/rapport.xlsx"): (
        "/admin/financeurs/{funder}/rapport.xlsx",
        COORDINATOR,
    ),
    ("GET", "/admin/financeurs/<int:funder_id>/rapport.pdf"): (
        "/admin/financeurs/{funder}/rapport.pdf",
        COORDINATOR,
    ),
    ("GET", "/admin/financeurs/<int:funder_id>/feuilles-emargement.zip"): (
        "/admin/financeurs/{funder}/feuilles-emargement.zip",
        COORDINATOR,
    ),
    ("POST", "/admin/financeurs/nouveau"): ("/admin/financeurs/nouveau", COORDINATOR_FORM),
    ("POST", "/admin/financeurs/<int:funder_id>/modifier"): (
        "/admin/financeurs/{funder}/modifier",
        COORDINATOR_FORM,
    ),
    ("GET", "/admin/sessions/<int:session_id>/financeurs"): (
        "/admin/sessions/{closed}/financeurs",
        COORDINATOR,
    ),
    ("POST", "/admin/sessions/<int:session_id>/financeurs"): (
        "/admin/sessions/{closed}/financeurs",
        COORDINATOR_FORM,
    ),
    ("POST", "/admin/sessions/<int:session_id>/financeurs/<int:line_id>/retirer"): (
        "/admin/sessions/{closed}/financeurs/{funding}/retirer",
        COORDINATOR_ACTION,
    ),
    # evaluation (issue 17): the participant's own cold questionnaire, the session's trainers'
    # evaluation (the coordinator reads it: 409 to a POST), each referent's own centre review.
    ("GET", "/mes-formations/<int:session_id>/evaluation-a-froid"): (
        "/mes-formations/{closed}/evaluation-a-froid",
        ATTENDEE,
    ),
    ("POST", "/mes-formations/<int:session_id>/evaluation-a-froid"): (
        "/mes-formations/{closed}/evaluation-a-froid",
        (L, 303, 404, 404, 404, 404),
    ),
    ("POST", "/mes-formations/<int:session_id>/evaluation-a-froid/<name>"): (
        "/mes-formations/{closed}/evaluation-a-froid/gained",
        (L, 303, 404, 404, 404, 404),
    ),
    ("GET", "/mes-sessions/<int:session_id>/bilan-formateur"): (
        "/mes-sessions/{closed}/bilan-formateur",
        TRAINERS,
    ),
    ("POST", "/mes-sessions/<int:session_id>/bilan-formateur"): (
        "/mes-sessions/{closed}/bilan-formateur",
        (L, 403, 422, 403, 403, 409),
    ),
    ("GET", "/mon-centre/bilan-annuel/<int:year>"): (
        "/mon-centre/bilan-annuel/{review_year}",
        (L, 403, 403, 200, 200, 404),
    ),
    ("POST", "/mon-centre/bilan-annuel/<int:year>"): (
        "/mon-centre/bilan-annuel/{review_year}",
        (L, 403, 403, 303, 303, 404),
    ),
    # membership (issue 19): the coordinator's; an empty centre form is a valid "non member".
    ("GET", "/admin/adhesions"): ("/admin/adhesions", COORDINATOR),
    ("POST", "/admin/adhesions/<int:year>/taux"): ("/admin/adhesions/2011/taux", COORDINATOR_FORM),
    ("GET", "/admin/adhesions/<int:year>/centres/<int:centre_id>"): (
        "/admin/adhesions/2011/centres/{centre}",
        COORDINATOR,
    ),
    ("POST", "/admin/adhesions/<int:year>/centres/<int:centre_id>"): (
        "/admin/adhesions/2011/centres/{centre}",
        COORDINATOR_ACTION,
    ),
    ("GET", "/admin/adhesions/<int:year>.xlsx"): ("/admin/adhesions/2011.xlsx", COORDINATOR),
    ("GET", "/admin/adhesions/<int:year>.csv"): ("/admin/adhesions/2011.csv", COORDINATOR),
    ("GET", "/admin/adhesions/<int:year>/appels.pdf"): (
        "/admin/adhesions/2011/appels.pdf",
        COORDINATOR,
    ),
    ("GET", "/admin/adhesions/<int:year>/centres/<int:centre_id>/appel.pdf"): (
        "/admin/adhesions/2011/centres/{centre}/appel.pdf",
        COORDINATOR,
    ),
    # A referent's own centre's record and call; the coordinator has none (404). Nothing in
    # the URL names a centre: the other centre's referent reads their own.
    ("GET", "/mon-centre/adhesion"): ("/mon-centre/adhesion", (L, 403, 403, 200, 200, 404)),
    ("GET", "/mon-centre/adhesion/<int:year>/appel.pdf"): (
        "/mon-centre/adhesion/2012/appel.pdf",
        (L, 403, 403, 200, 200, 404),
    ),
    # valuation (issue 19): the coordinator every centre, a referent their own (403 elsewhere).
    ("GET", "/valorisation"): ("/valorisation", MANAGERS),
    ("GET", "/valorisation/<int:year>/centres/<int:centre_id>.csv"): (
        "/valorisation/2011/centres/{centre}.csv",
        (L, 403, 403, 200, 403, 200),
    ),
    ("GET", "/valorisation/<int:year>/centres/<int:centre_id>.xlsx"): (
        "/valorisation/2011/centres/{centre}.xlsx",
        (L, 403, 403, 200, 403, 200),
    ),
    ("GET", "/admin/valorisation/taux"): ("/admin/valorisation/taux", COORDINATOR),
    ("POST", "/admin/valorisation/taux"): ("/admin/valorisation/taux", COORDINATOR_FORM),
    ("POST", "/admin/sessions/<int:session_id>/preparation"): (
        "/admin/sessions/{closed}/preparation",
        COORDINATOR_ACTION,
    ),
    ("GET", "/admin/evaluations"): ("/admin/evaluations", COORDINATOR),
    ("GET", "/admin/evaluations/cycles/<int:cycle_id>"): (
        "/admin/evaluations/cycles/{cycle}",
        COORDINATOR,
    ),
    ("POST", "/admin/evaluations/cycles/<int:cycle_id>"): (
        "/admin/evaluations/cycles/{cycle}",
        COORDINATOR_FORM,
    ),
    ("POST", "/admin/evaluations/besoins/<int:answer_id>"): (
        "/admin/evaluations/besoins/{cold}",
        COORDINATOR_ACTION,
    ),
    # Issue 18: complaints (anyone sends one; the register is the coordinator's), the
    # accessibility statement and the programme sheets (public).
    ("GET", "/reclamation"): ("/reclamation", PUBLIC),
    ("POST", "/reclamation"): ("/reclamation", (422,) * 6),  # an empty form, for anyone
    ("GET", "/reclamation/envoyee"): ("/reclamation/envoyee", (303,) * 6),  # nothing sent yet
    ("GET", "/accessibilite"): ("/accessibilite", PUBLIC),
    ("GET", "/catalogue/modules/<int:module_id>/programme.pdf"): (
        "/catalogue/modules/{module}/programme.pdf",
        PUBLIC,
    ),
    ("GET", "/admin/reclamations"): ("/admin/reclamations", COORDINATOR),
    ("GET", "/admin/reclamations/<int:complaint_id>"): (
        "/admin/reclamations/{complaint}",
        COORDINATOR,
    ),
    ("GET", "/admin/reclamations/registre.csv"): ("/admin/reclamations/registre.csv", COORDINATOR),
    ("GET", "/admin/reclamations/registre.xlsx"): (
        "/admin/reclamations/registre.xlsx",
        COORDINATOR,
    ),
    ("POST", "/admin/reclamations/incidents/<int:audit_id>"): (
        "/admin/reclamations/incidents/{incident}",
        COORDINATOR_ACTION,
    ),
    ("POST", "/admin/reclamations/<int:complaint_id>/cloturer"): (
        "/admin/reclamations/{complaint}/cloturer",
        COORDINATOR_ACTION,
    ),
    ("POST", "/admin/reclamations/<int:complaint_id>/reponse"): (
        "/admin/reclamations/{complaint}/reponse",
        COORDINATOR_FORM,
    ),
    ("POST", "/admin/reclamations/<int:complaint_id>/traitement"): (
        "/admin/reclamations/{complaint}/traitement",
        COORDINATOR_FORM,
    ),
    # Issue 19, Mon parcours: one's own for everyone; another's for the referent of their
    # centre when they agreed (the matrix's participant did), and for the coordinator. A
    # trainer is no reader (403); the referent of another centre does not see them (404).
    ("GET", "/mon-parcours"): ("/mon-parcours", LOGGED_IN),
    ("GET", "/mon-parcours.pdf"): ("/mon-parcours.pdf", LOGGED_IN),
    ("POST", "/mon-parcours/partage"): ("/mon-parcours/partage", (L, 303, 303, 303, 303, 303)),
    ("GET", "/parcours"): ("/parcours", MANAGERS),
    ("GET", "/parcours/<int:person_id>"): ("/parcours/{person}", OWN_CENTRE),
    ("GET", "/parcours/<int:person_id>/parcours.pdf"): (
        "/parcours/{person}/parcours.pdf",
        OWN_CENTRE,
    ),
    # The certificates of a training in that parcours, under the same consent rule.
    ("GET", "/parcours/<int:person_id>/formations/<int:session_id>/attestation.pdf"): (
        "/parcours/{person}/formations/{closed}/attestation.pdf",
        OWN_CENTRE,
    ),
    ("GET", "/parcours/<int:person_id>/formations/<int:session_id>/certificat-realisation.pdf"): (
        "/parcours/{person}/formations/{closed}/certificat-realisation.pdf",
        OWN_CENTRE,
    ),
    # adjustments and accessible places (issue 18)
    ("GET", "/amenagements"): ("/amenagements", READERS),
    ("GET", "/amenagements/<int:request_id>"): ("/amenagements/{adjustment}", READERS),
    ("POST", "/amenagements/<int:request_id>"): ("/amenagements/{adjustment}", READERS_FORM),
    ("GET", "/centres/<int:centre_id>/accessibilite"): (
        "/centres/{centre}/accessibilite",
        OWN_CENTRE,
    ),
    # Every field of the form is optional: an empty form records "nothing offered".
    ("POST", "/centres/<int:centre_id>/accessibilite"): (
        "/centres/{centre}/accessibilite",
        (L, 403, 403, 303, 404, 303, 403),
    ),
    ("GET", "/admin/sessions/<int:session_id>/accessibilite"): (
        "/admin/sessions/{session}/accessibilite",
        COORDINATOR,
    ),
    ("POST", "/admin/sessions/<int:session_id>/accessibilite"): (
        "/admin/sessions/{session}/accessibilite",
        COORDINATOR_ACTION,
    ),
}

# Where the référent·e handicap's answer is not the participant's (6-status rows only):
# the participant's own enrolment, attendance, certificate and evaluations are not theirs.
DISABILITY: dict[tuple[str, str], int] = {
    (method, rule): 404
    for method, rule in (
        ("POST", "/catalogue/sessions/<int:session_id>/desinscription"),
        ("POST", "/inscriptions/<int:enrolment_id>/accepter"),
        ("GET", "/inscriptions/<int:enrolment_id>/annuler"),
        ("POST", "/inscriptions/<int:enrolment_id>/annuler"),
        ("GET", "/mes-formations/<int:session_id>/attestation.pdf"),
        ("GET", "/mes-formations/<int:session_id>/avis"),
        ("POST", "/mes-formations/<int:session_id>/avis"),
        ("GET", "/mes-formations/<int:session_id>/certificat-realisation.pdf"),
        ("GET", "/mes-formations/<int:session_id>/evaluation-a-froid"),
        ("POST", "/mes-formations/<int:session_id>/evaluation-a-froid"),
        ("POST", "/mes-formations/<int:session_id>/evaluation-a-froid/<name>"),
    )
}


def expected_status(method: str, rule: str, role: str) -> int:
    statuses = EXPECTED[(method, rule)][1]
    if len(statuses) == len(ROLES):
        return statuses[ROLES.index(role)]
    if role == "disability":
        return DISABILITY.get((method, rule), statuses[ROLES.index("participant")])
    return statuses[ROLES.index(role)]


# Fields some POSTs need to reach their access rule instead of "unknown person" (404).
FORM_DATA: dict[tuple[str, str], dict[str, object]] = {
    ("POST", "/mes-sessions/seances/<int:seance_id>/sans-inscription"): {"person_id": "{person}"},
}


class World:
    pass


def build_world() -> World:
    w = World()
    department = make_department()
    w.centre = make_centre(department=department)
    w.other_centre = make_centre(department=department)
    w.coordinator = make_coordinator()
    w.participant = make_user(centre=w.centre)
    w.trainer = make_trainer(centre=w.centre)
    w.referent = make_referent(w.centre)
    w.other_referent = make_referent(w.other_centre)
    w.disability = make_disability_referent(centre=w.other_centre)
    w.invited = make_user(centre=w.centre, status=UserStatus.INVITED, password=False)
    w.pending = make_user(centre=w.centre, status=UserStatus.PENDING)
    w.department = department
    w.theme = make_theme()
    w.cycle = make_cycle(theme=w.theme)
    w.module = make_module(cycle=w.cycle)
    w.session = make_session(seances=2, host_centre=w.centre, theme=w.theme)
    w.session.trainers.append(w.trainer)
    w.seance = w.session.seances[0]
    from reseau.enrolment.models import Enrolment, EnrolmentStatus

    w.enrolment = Enrolment(session=w.session, person=w.participant, status=EnrolmentStatus.PENDING)
    db.session.add(w.enrolment)
    w.campaign = make_campaign()
    w.skill = add_skill(w.campaign, w.theme, "Animer une réunion")
    from reseau.diagnostic.models import DiagnosticQuestion

    w.question = DiagnosticQuestion(campaign_id=w.campaign.id, prompt="Autre chose ?")
    db.session.add(w.question)
    db.session.flush()
    w.stale = utcnow() - timedelta(days=1)
    # Attendance: a session running now (the participant enrolled) and a closed one they
    # attended, both run by the matrix's trainer.
    start = (utcnow() - timedelta(minutes=30)).replace(microsecond=0)
    w.running = make_session(starts_at=start, host_centre=w.centre, trainers=[w.trainer])
    db.session.add(
        Enrolment(session=w.running, person=w.participant, status=EnrolmentStatus.CONFIRMED)
    )
    past = (utcnow() - timedelta(days=10)).replace(microsecond=0)
    w.closed = make_session(
        starts_at=past, host_centre=w.centre, trainers=[w.trainer], status=SessionStatus.CLOSED
    )
    db.session.add(
        Attendance(
            seance=w.closed.seances[0], person_id=w.participant.id, status=AttendanceStatus.PRESENT
        )
    )
    # Issue 17: a funder of the closed session; the participant's cold questionnaire on it.
    from reseau.evaluation.models import ColdAnswer
    from reseau.funding.models import Funder, SessionFunding

    w.funder = Funder(name="FDVA 1", min_group_size=12, volunteers_only=True)
    db.session.add(w.funder)
    db.session.flush()
    w.funding = SessionFunding(session_id=w.closed.id, funder_id=w.funder.id)
    w.cold = ColdAnswer(session_id=w.closed.id, person_id=w.participant.id)
    db.session.add_all([w.funding, w.cold])
    # Issue 19: the participant shares their parcours with their centre's referent.
    w.participant.parcours_shared = True
    db.session.flush()
    # Issue 18: a complaint in the register, and a known incident not yet in it.
    from reseau.complaints.operations import submit_complaint
    from reseau.core.audit import record_audit

    w.complaint = submit_complaint(
        {
            "kind": "complaint",
            "category": "place",
            "name": "Jean Petit",
            "email": "jean.petit@exemple.fr",
            "text": "La salle était trop petite.",
        },
        actor=None,
    )
    w.incident = record_audit(w.coordinator, "seance.cancel", w.seance, summary=w.session.title)
    # Issue 18: the participant's adjustment request for the main session.
    from reseau.adjustments.models import AdjustmentRequest

    w.adjustment = AdjustmentRequest(
        session_id=w.session.id, person_id=w.participant.id, text="Une place près de la porte"
    )
    db.session.add(w.adjustment)
    db.session.flush()
    return w


def placeholders(w: World) -> dict[str, object]:
    return {
        "centre": w.centre.id,
        "department": w.department.id,
        "person": w.participant.id,
        "invited": w.invited.id,
        "pending": w.pending.id,
        "theme": w.theme.id,
        "slug": w.theme.slug,
        "cycle": w.cycle.id,
        "module": w.module.id,
        "session": w.session.id,
        "seance": w.seance.id,
        "enrolment": w.enrolment.id,
        "campaign": w.campaign.id,
        "skill": w.skill.id,
        "question": w.question.id,
        "running": w.running.id,
        "running_seance": w.running.seances[0].id,
        "checkin_token": checkin.make_token(w.running.seances[0].id),
        "closed": w.closed.id,
        "funder": w.funder.id,
        "funding": w.funding.id,
        "cold": w.cold.id,
        "review_year": utcnow().year - 1,
        "complaint": w.complaint.id,
        "incident": w.incident.id,
        "adjustment": w.adjustment.id,
    }


def app_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in EXCLUDED_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule.rule, rule.endpoint


ARGUMENTS = {
    "centre_id": "{centre}",
    "department_id": "{department}",
    "person_id": "{person}",
    "theme_id": "{theme}",
    "slug": "{slug}",
    "cycle_id": "{cycle}",
    "module_id": "{module}",
    "session_id": "{session}",
    "seance_id": "{seance}",
    "enrolment_id": "{enrolment}",
    "campaign_id": "{campaign}",
    "skill_id": "{skill}",
    "question_id": "{question}",
    "token": "jeton-inconnu",
    "kind": "person",
    "funder_id": "{funder}",
    "line_id": "{funding}",
    "answer_id": "{cold}",
    "year": "{review_year}",
    "name": "gained",
    "complaint_id": "{complaint}",
    "audit_id": "{incident}",
    "request_id": "{adjustment}",
}
# Routes whose default object would not show the access rule (an active person cannot be
# re-invited or approved): these use another object of the same centre.
URL_OVERRIDES = {
    "/personnes/<int:person_id>/invitation": "/personnes/{invited}/invitation",
    "/personnes/<int:person_id>/validation": "/personnes/{pending}/validation",
}


def default_url(rule: str) -> str:
    import re

    if rule in URL_OVERRIDES:
        return URL_OVERRIDES[rule]

    def replace(match):
        return ARGUMENTS[match.group(2)]

    return re.sub(r"<(?:(\w+):)?(\w+)>", replace, rule)


def _ordered(rows):
    # Logging out last: it ends the session the other rows need.
    return sorted(rows, key=lambda row: (row[1] == "/deconnexion", row[0] != "GET", row[1]))


def test_every_route_has_an_expectation(app):
    routes = {(method, rule) for method, rule, _ in app_rules(app)}
    missing = sorted(routes - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - routes)
    assert not missing, f"routes without an expected answer per role: {missing}"
    assert not stale, f"expectations for routes that no longer exist: {stale}"


@pytest.fixture
def _schema_at_head(app):
    # /sante answers 503 while the schema is not at the code's revision; create_all records none.
    from tests.main.helpers import schema_at_head

    with schema_at_head(app):
        yield


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.usefixtures("_schema_at_head")
def test_access_matrix(app, client, auth, role):
    world = build_world()
    db.session.commit()
    if role != "anonymous":
        assert auth.login(getattr(world, role)).status_code == 303
    values = placeholders(world)
    wrong = []
    for method, rule in _ordered(EXPECTED):
        url_template = EXPECTED[(method, rule)][0]
        url = url_template.format(**values)
        expected = expected_status(method, rule, role)
        if method == "GET":
            # An htmx fragment request is checked like the page; a fragment request that
            # needs a login gets 401 with HX-Redirect (a redirect would be swapped in).
            answer = client.get(url, headers={"HX-Request": "true"})
            answer.get_data()  # a streamed CSV must end before the next request
            answer.close()
            htmx_expected = 401 if expected == L else expected
            if answer.status_code != htmx_expected:
                wrong.append(f"htmx GET {url}: {answer.status_code}, expected {htmx_expected}")
        data = {k: str(v).format(**values) for k, v in FORM_DATA.get((method, rule), {}).items()}
        answer = client.open(url, method=method, data=data)
        answer.get_data()
        answer.close()
        if answer.status_code != expected:
            wrong.append(f"{method} {url}: {answer.status_code}, expected {expected}")
        if expected == L and answer.status_code == L:
            assert "/connexion" in answer.location
        assert answer.status_code < 500
        db.session.rollback()
    assert not wrong, "\n".join(wrong)


def test_a_trainer_of_another_session_gets_404(app, client, auth):
    world = build_world()
    other = make_trainer(centre=world.other_centre)
    db.session.commit()
    values = placeholders(world) | {"person": world.participant.id}
    assert auth.login(other).status_code == 303
    wrong = []
    for (method, rule), (url_template, statuses) in EXPECTED.items():
        if not rule.startswith("/mes-sessions/") or statuses[ROLES.index("trainer")] == 403:
            continue
        url = url_template.format(**values)
        data = {k: str(v).format(**values) for k, v in FORM_DATA.get((method, rule), {}).items()}
        answer = client.open(url, method=method, data=data)
        if answer.status_code != 404:
            wrong.append(f"{method} {url}: {answer.status_code}, expected 404")
        db.session.rollback()
    assert not wrong, "\n".join(wrong)


# The referent of the centre acting on a person of that centre who holds a role they do not
# hold (a trainer): seeing them is allowed, every action on their account is refused (403:
# the person is visible, nothing to hide). Every route taking a person must be listed.
HIGHER_ROLE: dict[tuple[str, str], tuple[str, int]] = {
    ("GET", "/personnes/<int:person_id>"): ("/personnes/{higher}", 200),
    ("GET", "/personnes/<int:person_id>/modifier"): ("/personnes/{higher}/modifier", 403),
    ("GET", "/personnes/<int:person_id>/statut"): ("/personnes/{higher}/statut", 403),
    ("GET", "/admin/personnes/<int:person_id>/anonymiser"): (
        "/admin/personnes/{higher}/anonymiser",
        403,
    ),
    ("POST", "/personnes/<int:person_id>/modifier"): ("/personnes/{higher}/modifier", 403),
    ("POST", "/personnes/<int:person_id>/statut"): ("/personnes/{higher}/statut", 403),
    ("POST", "/personnes/<int:person_id>/invitation"): (
        "/personnes/{higher_invited}/invitation",
        403,
    ),
    ("POST", "/personnes/<int:person_id>/validation"): (
        "/personnes/{higher_pending}/validation",
        403,
    ),
    ("POST", "/admin/personnes/<int:person_id>/anonymiser"): (
        "/admin/personnes/{higher}/anonymiser",
        403,
    ),
    # A reminder to answer the diagnostic is not an action on the account.
    ("POST", "/diagnostic/<int:campaign_id>/suivi/<int:person_id>/relance"): (
        "/diagnostic/{campaign}/suivi/{higher}/relance",
        303,
    ),
    # Recording attendance is the session's trainers' (a referent is not one).
    ("POST", "/mes-sessions/seances/<int:seance_id>/personnes/<int:person_id>"): (
        "/mes-sessions/seances/{running_seance}/personnes/{higher}",
        403,
    ),
    # Signing for someone on the trainer's device is the session's trainers' too.
    ("GET", "/mes-sessions/seances/<int:seance_id>/faire-signer/<int:person_id>"): (
        "/mes-sessions/seances/{running_seance}/faire-signer/{higher}",
        403,
    ),
    ("POST", "/mes-sessions/seances/<int:seance_id>/faire-signer/<int:person_id>"): (
        "/mes-sessions/seances/{running_seance}/faire-signer/{higher}",
        403,
    ),
    # Reading a parcours is not an action on the account: it needs the person's consent,
    # which this trainer did not give (404, as for anyone who did not agree).
    ("GET", "/parcours/<int:person_id>"): ("/parcours/{higher}", 404),
    ("GET", "/parcours/<int:person_id>/parcours.pdf"): ("/parcours/{higher}/parcours.pdf", 404),
    ("GET", "/parcours/<int:person_id>/formations/<int:session_id>/attestation.pdf"): (
        "/parcours/{higher}/formations/{closed}/attestation.pdf",
        404,
    ),
    ("GET", "/parcours/<int:person_id>/formations/<int:session_id>/certificat-realisation.pdf"): (
        "/parcours/{higher}/formations/{closed}/certificat-realisation.pdf",
        404,
    ),
}


def test_every_people_route_has_a_higher_role_expectation(app):
    routes = {(m, rule) for m, rule, _ in app_rules(app) if "<int:person_id>" in rule}
    assert routes == HIGHER_ROLE.keys(), sorted(routes ^ HIGHER_ROLE.keys())


@pytest.mark.parametrize("make_higher", [make_trainer, make_disability_referent])
def test_a_referent_cannot_act_on_a_higher_role_of_their_centre(app, client, auth, make_higher):
    # A trainer, or a référent·e handicap (issue 18): the referent holds neither role.
    world = build_world()
    higher = make_higher(centre=world.centre, email="formatrice@exemple.test")
    invited = make_higher(centre=world.centre, status=UserStatus.INVITED, password=False)
    pending = make_higher(centre=world.centre, status=UserStatus.PENDING)
    db.session.commit()
    values = placeholders(world) | {
        "higher": higher.id,
        "higher_invited": invited.id,
        "higher_pending": pending.id,
    }
    assert auth.login(world.referent).status_code == 303
    wrong = []
    for (method, _rule), (template, expected) in HIGHER_ROLE.items():
        url = template.format(**values)
        data = {"email": "referent@exemple.test", "first_name": "X", "last_name": "Y"}
        for headers in ({}, {"HX-Request": "true"}):
            answer = client.open(url, method=method, data=data, headers=headers)
            if answer.status_code != expected:
                wrong.append(f"{method} {url} {headers}: {answer.status_code}, not {expected}")
        db.session.rollback()
    assert not wrong, "\n".join(wrong)
    for person, status in ((higher, UserStatus.ACTIVE), (invited, UserStatus.INVITED)):
        db.session.refresh(person)
        assert person.status == status
    db.session.refresh(pending)
    assert pending.status == UserStatus.PENDING
    assert higher.email == "formatrice@exemple.test"


# Issue 19: who reads a person's parcours. The matrix above has the participant sharing it;
# here the same routes without their consent, and their own page.
PARCOURS_ROUTES = (
    "/parcours/{person}",
    "/parcours/{person}/parcours.pdf",
    "/parcours/{person}/formations/{closed}/attestation.pdf",
    "/parcours/{person}/formations/{closed}/certificat-realisation.pdf",
)


def test_a_parcours_is_read_by_the_referent_only_with_consent(app, client, auth):
    world = build_world()
    world.participant.parcours_shared = False
    db.session.commit()
    values = placeholders(world)
    expected = {"participant": 403, "trainer": 403, "referent": 404, "other_referent": 404}
    expected["coordinator"] = 200
    wrong = []
    for role, status in expected.items():
        assert auth.login(getattr(world, role)).status_code == 303
        for template in PARCOURS_ROUTES:
            url = template.format(**values)
            answer = client.get(url)
            if answer.status_code != status:
                wrong.append(f"{role} GET {url}: {answer.status_code}, expected {status}")
        listed = f'/parcours/{world.participant.id}"' in client.get("/parcours").get_data(
            as_text=True
        )
        if role in ("referent", "other_referent") and listed:
            wrong.append(f"{role} lists a parcours not shared")
        auth.logout()
    assert not wrong, "\n".join(wrong)
    # The person themselves reads their own, shared or not, page and PDF.
    assert auth.login(world.participant).status_code == 303
    assert client.get("/mon-parcours").status_code == 200
    assert client.get("/mon-parcours.pdf").mimetype == "application/pdf"
