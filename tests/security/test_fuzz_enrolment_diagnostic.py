"""Property-based robustness of the enrolment and diagnostic forms (issue 8), beside
test_fuzz_forms.py and with its values and settings: the enrol button, cancelling, the offer,
the referent's approve/decline, the overlap confirmation, enrolling someone else, the
roster's capacity form, the participant's questionnaire and its autosave, and the query
parameters of their pages. Random, oversized, unicode and malformed values never give a 500,
as full pages or htmx fragments; a refused form answers 422 in French, with the error next to
the field and the value as typed.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reseau.accounts.models import Role
from reseau.catalogue.models import PromotionMode
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.diagnostic.models import SkillLevel, TrainingWish
from reseau.enrolment import operations
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from tests.diagnostic.fixtures import add_skill, make_campaign
from tests.factories import make_centre, make_coordinator, make_session, make_theme, make_user
from tests.security.fuzzing import FUZZ, MALFORMED, VALUES, _forms

HTMX = {"HX-Request": "true"}
FRENCH_REFUSAL = re.compile(r"Requête incorrecte|Action impossible|Page introuvable|Accès refusé")


@pytest.fixture
def world(app):
    centre = make_centre()
    coordinator = make_coordinator()
    participant = make_user(centre=centre)
    referent = make_user(roles=[Role.REFERENT], centre=centre)
    member = make_user(centre=centre)
    start = (utcnow() + timedelta(days=20)).replace(hour=8, minute=0, second=0, microsecond=0)
    open_session = make_session(starts_at=start, capacity=1)
    # Same half-day: enrolling in both asks for the overlap confirmation.
    overlapping = make_session(starts_at=start, capacity=5)
    validated = make_session(starts_at=start + timedelta(days=7), requires_validation=True)
    offered = make_session(
        starts_at=start + timedelta(days=14), capacity=1, promotion_mode=PromotionMode.OFFER
    )
    db.session.flush()
    operations.enrol(participant, overlapping, actor=participant)
    pending = operations.enrol(member, validated, actor=member)
    operations.enrol(referent, offered, actor=referent)
    waiting = operations.enrol(participant, offered, actor=participant)
    operations.cancel(operations.get_enrolment(offered, referent), actor=referent)
    campaign = make_campaign()
    skill = add_skill(campaign, make_theme(), "Animer une réunion")
    question = campaign_question(campaign)
    db.session.commit()
    assert pending.status == EnrolmentStatus.PENDING
    assert waiting.status == EnrolmentStatus.OFFERED
    return {
        "coordinator": coordinator,
        "participant": participant,
        "referent": referent,
        "centre": centre,
        "session": open_session,
        "overlapping": overlapping,
        "validated": validated,
        "pending": pending,
        "offer": waiting,
        "campaign": campaign,
        "skill": skill,
        "question": question,
    }


def campaign_question(campaign):
    from reseau.diagnostic.models import DiagnosticQuestion

    question = DiagnosticQuestion(campaign_id=campaign.id, prompt="Une idée pour le réseau ?")
    db.session.add(question)
    db.session.flush()
    return question


def _url(template: str, world) -> str:
    return template.format(
        session=world["session"].id,
        overlapping=world["overlapping"].id,
        validated=world["validated"].id,
        pending=world["pending"].id,
        offer=world["offer"].id,
        campaign=world["campaign"].id,
        skill=world["skill"].id,
        question=world["question"].id,
        centre=world["centre"].id,
    )


def _check_answer(answer, url, values):
    assert answer.status_code < 500, (url, values, answer.status_code)
    body = answer.get_data(as_text=True)
    assert "Traceback" not in body
    if answer.status_code in (400, 404, 409, 422) and answer.mimetype == "text/html":
        # Refused: in French, on a page or in the fragment (a flash or the field's error).
        assert 'class="field-error"' in body or FRENCH_REFUSAL.search(body) or "flash" in body, (
            url,
            values,
            answer.status_code,
        )


# (who, URL, fields): the buttons of the enrolment room carry few fields, written here;
# the pages' own forms add theirs in test_page_forms_never_fail below.
ENROLMENT_POSTS = [
    ("participant", "/catalogue/sessions/{session}/inscription", ["confirm_overlap", "next"]),
    ("participant", "/catalogue/sessions/{session}/desinscription", ["next"]),
    ("participant", "/inscriptions/{offer}/accepter", ["next"]),
    ("participant", "/inscriptions/{offer}/annuler", ["next"]),
    ("referent", "/inscriptions/{pending}/valider", ["next"]),
    ("referent", "/inscriptions/{pending}/refuser", ["next"]),
    ("referent", "/inscriptions/{pending}/annuler", ["next", "reason"]),
    ("referent", "/catalogue/sessions/{session}/inscrire", ["person", "confirm_overlap"]),
    ("coordinator", "/catalogue/sessions/{session}/inscrire", ["email", "confirm_overlap"]),
    ("coordinator", "/admin/sessions/{session}/inscrits", ["capacity"]),
    ("coordinator", "/admin/sessions/{session}/annuler", ["next", "reason"]),
]


@pytest.mark.parametrize(
    "who, url, names", ENROLMENT_POSTS, ids=[f"{who}:{url}" for who, url, _ in ENROLMENT_POSTS]
)
def test_enrolment_actions_never_fail(client, auth, world, who, url, names):
    auth.login(world[who])
    url = _url(url, world)

    @FUZZ
    @given(st.fixed_dictionaries({name: VALUES for name in names}), st.booleans())
    def check(values, htmx):
        answer = client.post(url, data=values, headers=HTMX if htmx else {})
        _check_answer(answer, url, values)

    check()


def test_the_overlap_confirmation_never_fails(client, auth, world):
    """The second step of enrolling in a session that overlaps another one."""
    auth.login(world["participant"])
    session = world["session"]
    url = f"/catalogue/sessions/{session.id}/inscription"
    first = client.post(url, headers=HTMX)
    assert first.status_code == 409  # the question, with the « quand même » button
    assert 'name="confirm_overlap"' in first.get_data(as_text=True)

    @FUZZ
    @given(VALUES, st.sampled_from(["/mes-formations", "//evil.example", "javascript:x", ""]))
    def check(confirm, next_url):
        values = {"confirm_overlap": confirm, "next": next_url}
        for headers in ({}, HTMX):
            answer = client.post(url, data=values, headers=headers)
            _check_answer(answer, url, values)
            assert "evil.example" not in answer.headers.get("Location", "")

    check()
    # Whatever was sent, the person holds at most one enrolment in the session.
    enrolments = db.session.scalars(
        db.select(Enrolment).where(
            Enrolment.session_id == session.id,
            Enrolment.person_id == world["participant"].id,
        )
    ).all()
    assert len(enrolments) <= 1


def test_the_capacity_form_keeps_what_was_typed(client, auth, world):
    auth.login(world["coordinator"])
    url = _url("/admin/sessions/{session}/inscrits", world)

    @FUZZ
    @given(VALUES)
    def check(typed):
        answer = client.post(url, data={"capacity": typed})
        _check_answer(answer, url, typed)
        if answer.status_code == 422:
            body = answer.get_data(as_text=True)
            assert 'class="field-error"' in body
            assert _input_value(body, "capacity") == typed
        else:
            assert answer.status_code == 303

    check()


def _input_value(body: str, name: str) -> str | None:
    for tag in re.findall(r"<input\b[^>]*>", body):
        if f'name="{name}"' in tag:
            value = re.search(r'\bvalue="([^"]*)"', tag)
            return unescape(value.group(1)) if value else ""
    return None


# --- The participant's questionnaire --------------------------------------------------------


def _questionnaire_fields(client, world) -> list[str]:
    page = client.get(_url("/diagnostic/{campaign}", world))
    assert page.status_code == 200
    forms = _forms(page.get_data(as_text=True), "post")
    names = max(forms, key=len)
    skill, question = world["skill"].id, world["question"].id
    assert {f"level-{skill}", f"wish-{skill}", f"question-{question}", "other_needs"} <= set(names)
    return names


def test_the_questionnaire_never_fails(client, auth, world):
    auth.login(world["participant"])
    names = _questionnaire_fields(client, world)
    url = _url("/diagnostic/{campaign}", world)
    choices = st.sampled_from(
        ["", *(level.value for level in SkillLevel), *(w.value for w in TrainingWish), *MALFORMED]
    )

    @FUZZ
    @given(
        st.fixed_dictionaries(
            {name: choices if name.startswith(("level-", "wish-")) else VALUES for name in names}
        ),
        st.sampled_from(["save", "submit", "", "x" * 300]),
    )
    def check(values, action):
        values = {**values, "action": action}
        answer = client.post(url, data=values)
        _check_answer(answer, url, values)
        assert answer.status_code in (303, 422)

    check()


AUTOSAVES = [
    ("/diagnostic/{campaign}/competences/{skill}", ["level-{skill}", "wish-{skill}"]),
    ("/diagnostic/{campaign}/questions/{question}", ["question-{question}"]),
    ("/diagnostic/{campaign}/autres-besoins", ["other_needs"]),
]


@pytest.mark.parametrize("url, names", AUTOSAVES, ids=[url for url, _ in AUTOSAVES])
def test_the_autosave_never_fails(client, auth, world, url, names):
    auth.login(world["participant"])
    url = _url(url, world)
    names = [_url(name, world) for name in names]

    @FUZZ
    @given(st.fixed_dictionaries({name: VALUES for name in names}), st.booleans())
    def check(values, htmx):
        answer = client.post(url, data=values, headers=HTMX if htmx else {})
        _check_answer(answer, url, values)
        assert answer.status_code in ((200, 422) if htmx else (303, 422)), answer.status_code

    check()


def test_free_answers_are_kept_whole_up_to_the_limit(client, auth, world):
    """What is typed (unicode, markup, quotes) comes back as typed, escaped in the page."""
    from reseau.diagnostic.models import DiagnosticResponse

    auth.login(world["participant"])
    typed = "<b>Étienne</b> « dit » 'oui' & 🙂 e\u0301te\u0301 " + "x" * 4000
    url = _url("/diagnostic/{campaign}/autres-besoins", world)
    assert client.post(url, data={"other_needs": typed}, headers=HTMX).status_code == 200
    response = db.session.scalar(db.select(DiagnosticResponse))
    db.session.refresh(response)
    assert response.other_needs == typed.strip()
    page = client.get(_url("/diagnostic/{campaign}", world)).get_data(as_text=True)
    assert "<b>Étienne</b>" not in page and "&lt;b&gt;Étienne&lt;/b&gt;" in page


# --- Query parameters -----------------------------------------------------------------------

# (who, page, parameters the views read) — the pages' GET forms add theirs.
GET_PAGES = [
    ("participant", "/mes-formations", ["page"]),
    ("referent", "/centre/inscriptions", ["centre", "page"]),
    ("coordinator", "/centre/inscriptions", ["centre", "page"]),
    ("coordinator", "/admin/sessions/{session}/inscrits", ["page", "statut"]),
    ("coordinator", "/admin/sessions/{session}/inscrits.csv", ["page"]),
    ("participant", "/catalogue/sessions/{session}", ["overlap", "next"]),
    ("participant", "/diagnostic", ["page"]),
    ("participant", "/diagnostic/{campaign}", ["page"]),
    ("referent", "/diagnostic/{campaign}/suivi", ["centre", "page"]),
    ("coordinator", "/diagnostic/{campaign}/suivi", ["centre", "page"]),
    ("coordinator", "/diagnostic/resultats", ["campagne", "categorie", "departement"]),
    ("coordinator", "/diagnostic/resultats.csv", ["campagne", "categorie", "departement"]),
]


@pytest.mark.parametrize(
    "who, page, names", GET_PAGES, ids=[f"{who}:{page}" for who, page, _ in GET_PAGES]
)
def test_query_parameters_never_fail(client, auth, world, who, page, names):
    auth.login(world[who])
    url = _url(page, world)
    answer = client.get(url)
    assert answer.status_code == 200, url
    if answer.mimetype == "text/html":
        from_page = {n for form in _forms(answer.get_data(as_text=True), "get") for n in form}
        names = sorted(set(names) | from_page)

    @FUZZ
    @given(st.fixed_dictionaries({name: VALUES for name in names}))
    def check(values):
        for headers in ({}, HTMX):
            answer = client.get(url, query_string=values, headers=headers)
            # A wrong filter is ignored or refused, never a failure.
            assert answer.status_code in (200, 400, 404, 422), (url, values, answer.status_code)
            assert "Traceback" not in answer.get_data(as_text=True)

    check()
