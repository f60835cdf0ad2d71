"""Query strings are input too: no GET, whatever its query string, answers 500.

The routes to try are the GET routes of the URL map whose view reads ``request.args`` (itself
or through the functions it calls, or by building a ``FilterForm``); ``PARAMETERS`` gives
each one's parameters and who may see it, and a test fails when a route reading the query
string is missing from it.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from datetime import timedelta
from functools import cache
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.lists import FilterForm
from reseau.funding.models import Funder
from tests import factories

LISTS = ("q", "page")
BILAN = ("annee", "du", "au", "centre", "type")
PERIOD = ("du", "au")
# endpoint -> (roles that see it, query parameters it reads)
PARAMETERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "accounts.login": (("anonymous",), ("next",)),
    "accounts.register": (("anonymous",), ("envoyee",)),
    "accounts.person_list": (
        ("coordinator", "referent"),
        (*LISTS, "categorie", "role", "statut", "centre"),
    ),
    "accounts.person_new": (("coordinator", "referent"), ("centre",)),
    "accounts.centre_list": (("coordinator",), (*LISTS, "departement", "adhesion")),
    "catalogue.theme_list": (("coordinator",), LISTS),
    "catalogue.cycle_list": (("coordinator",), (*LISTS, "thematique", "annee")),
    "catalogue.cycle_edit": (("coordinator",), ("thematique",)),
    "catalogue.session_list": (
        ("coordinator",),
        (*LISTS, "statut", "type", "thematique", "departement", "periode"),
    ),
    "catalogue.session_edit": (("coordinator",), ("module",)),
    "enrolment.public_catalogue": (
        ("anonymous", "participant"),
        (*LISTS, "theme", "cycle", "type", "departement", "mois", "public", "places", "fauteuil"),
    ),
    "enrolment.public_session": (("anonymous", "participant"), ("overlap",)),
    "enrolment.centre_enrolments": (("coordinator", "referent"), ("page", "centre")),
    "diagnostic.campaign_list": (("coordinator", "referent"), ("page",)),
    "diagnostic.follow_up": (("coordinator", "referent"), ("centre",)),
    "diagnostic.results_page": (
        ("coordinator", "referent"),
        ("campagne", "categorie", "departement"),
    ),
    "diagnostic.results_csv": (
        ("coordinator", "referent"),
        ("campagne", "categorie", "departement"),
    ),
    "reports.bilan": (("coordinator", "referent"), BILAN),
    "reports.bilan_csv": (("coordinator", "referent"), BILAN),
    "reports.bilan_sessions": (("coordinator", "referent"), BILAN),
    "reports.bilan_xlsx": (("coordinator", "referent"), BILAN),
    "evaluation.results": (("coordinator",), ("annee",)),
    "complaints.complaint_form": (("anonymous", "participant"), ("session", "categorie")),
    "complaints.register": (("coordinator",), ("statut", "categorie", "annee", "session", "page")),
    "complaints.register_csv": (("coordinator",), ("annee",)),
    "complaints.register_xlsx": (("coordinator",), ("annee",)),
    # Issue 18: the adjustment requests, for the coordinator and the référent·e handicap.
    "adjustments.request_list": (("coordinator", "disability"), ("page", "etat", "session")),
    "funding.bilan_funders": (("coordinator",), PERIOD),
    "funding.funder_report": (("coordinator",), PERIOD),
    "funding.funder_report_pdf": (("coordinator",), PERIOD),
    "funding.funder_report_xlsx": (("coordinator",), PERIOD),
    "funding.funder_sign_in_sheets": (("coordinator",), PERIOD),
    "membership.membership_list": (("coordinator",), ("annee",)),
    "membership.my_centre_membership": (("referent",), ("annee",)),
    "valuation.valuation_page": (("coordinator", "referent"), ("annee", "centre")),
    "imports.upload": (("coordinator", "referent"), ("centre",)),
    "imports.preview": (("coordinator", "referent"), ("voir", "page")),
    "proof.centre_certificates": (("referent",), ("start", "end")),
    "privacy.audit_log": (("coordinator",), ("page", "action", "auteur", "du", "au")),
    "attendance.walk_in": (("trainer",), ("q",)),
}

# "²" and "¹" pass str.isdigit() and then fail int(): GET /catalogue?page=² answered 500.
ODD_VALUES = (
    "²",
    "¹",
    "٣",
    "%",
    "_",
    "\\",
    "/",
    "%_%",
    "",
    " ",
    "-1",
    "0",
    "1",
    "+1",
    "1.5",
    "1e3",
    "99999999999999999999",
    "-99999999999999999999",
    "2147483648",
    "2012-13",
    "9999-12",
    "0001-01",
    "0001-01-01",
    "9999-12-31",
    "2012-02-30",
    "a-venir",
    "1" * 5000,
    "é" * 300,
)
values = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40),
)


def query_strings(names: tuple[str, ...]):
    """Each parameter absent, once or repeated, with odd values."""
    per_name = [
        st.lists(values, max_size=2).map(lambda vs, n=name: [(n, v) for v in vs]) for name in names
    ]
    return st.tuples(*per_name).map(lambda groups: urlencode([pair for g in groups for pair in g]))


# --- Which views read the query string --------------------------------------------------------


@cache
def _reads_query_string(function) -> bool:
    """Whether ``function`` reads ``request.args`` or builds a FilterForm, itself or through a
    function of the package it calls."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError):
        return False
    namespace = function.__globals__
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "args"
            and isinstance(node.value, ast.Name)
            and node.value.id == "request"
        ):
            return True
        if isinstance(node, ast.Call):
            callee = _resolve(node.func, namespace)
            if inspect.isclass(callee) and issubclass(callee, FilterForm):
                return True
            ours = inspect.isfunction(callee) and callee.__module__.startswith("reseau")
            if ours and callee is not function and _reads_query_string(callee):
                return True
    return False


def _resolve(node, namespace):
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, namespace)
        # Modules and classes only: a proxy such as current_user needs a request.
        if inspect.ismodule(owner) or inspect.isclass(owner):
            return getattr(owner, node.attr, None)
    return None


def _get_routes_reading_query(app) -> set[str]:
    found = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        view = inspect.unwrap(app.view_functions[rule.endpoint])
        if _reads_query_string(view):
            found.add(rule.endpoint)
    return found


def test_every_get_route_reading_the_query_string_is_tried(app):
    reading = _get_routes_reading_query(app)
    assert reading - set(PARAMETERS) == set(), "add these routes to PARAMETERS"
    assert set(PARAMETERS) - reading == set(), "these routes no longer read the query string"


def test_the_finder_sees_filter_forms_and_helpers(app):
    # The public catalogue reads its filters through a FilterForm; the follow-up through a
    # helper function; the login page directly.
    reading = _get_routes_reading_query(app)
    assert {"enrolment.public_catalogue", "diagnostic.follow_up", "accounts.login"} <= reading
    assert "main.home" not in reading


# --- Every odd query string, as everyone who sees the page -----------------------------------


@pytest.fixture
def world(app):
    """One of everything the routes' URLs name, and a person per role."""
    now = utcnow()
    centre = factories.make_centre()
    coordinator = factories.make_coordinator()
    referent = factories.make_referent(centre)
    trainer = factories.make_trainer()
    participant = factories.make_user(centre=centre)
    disability = factories.make_disability_referent()
    module = factories.make_module()
    session = factories.make_session(
        module=module,
        theme=module.cycle.theme,
        trainers=[trainer],
        starts_at=now + timedelta(days=3),
    )
    campaign = factories.make_campaign()
    funder = Funder(name="Financeur de test")
    db.session.add(funder)
    db.session.commit()
    return {
        "people": {
            "coordinator": coordinator,
            "referent": referent,
            "trainer": trainer,
            "participant": participant,
            "disability": disability,
        },
        "ids": {
            "session_id": session.id,
            "seance_id": session.seances[0].id,
            "campaign_id": campaign.id,
            "key": "participants-categorie",  # a table of the bilan
            "funder_id": funder.id,
            "token": "no-such-import",  # an unknown upload: its page answers 404, never 500
        },
    }


def _path(app, endpoint: str, ids: dict) -> str:
    # The rule with the fewest arguments: a "new" form rather than the "edit" one.
    rule = min(app.url_map.iter_rules(endpoint), key=lambda r: len(r.arguments))
    adapter = app.url_map.bind("localhost")
    return adapter.build(endpoint, {name: ids[name] for name in rule.arguments})


CASES = [(endpoint, role) for endpoint, (roles, _) in sorted(PARAMETERS.items()) for role in roles]


@pytest.mark.parametrize(("endpoint", "role"), CASES)
def test_no_query_string_answers_500(app, client, auth, world, endpoint, role):
    path = _path(app, endpoint, world["ids"])
    if role != "anonymous":
        auth.login(world["people"][role])

    names = PARAMETERS[endpoint][1]
    # Every odd value in every parameter at least once, then what hypothesis makes up.
    for shift in range(len(ODD_VALUES)):
        pairs = [(n, ODD_VALUES[(shift + i) % len(ODD_VALUES)]) for i, n in enumerate(names)]
        response = client.get(path, query_string=pairs)
        assert response.status_code < 500, pairs
        db.session.rollback()

    @settings(
        max_examples=6,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(query=query_strings(names))
    def check(query):
        response = client.get(f"{path}?{query}")
        assert response.status_code < 500, query
        db.session.rollback()

    check()


# --- Searches ---------------------------------------------------------------------------------


def test_a_search_takes_percent_and_underscore_literally(app):
    from reseau.catalogue.models import Theme
    from reseau.core.lists import contains

    for name in ("Réussir à 100 %", "Mot_de_passe", "Chemin a/b", "Autre chose"):
        factories.make_theme(name=name)

    def found(text):
        query = sa.select(Theme.name).where(contains(Theme.name, text)).order_by(Theme.name)
        return db.session.scalars(query).all()

    assert found("%") == ["Réussir à 100 %"]
    assert found("_") == ["Mot_de_passe"]
    assert found("/") == ["Chemin a/b"]
    assert found("MOT_") == ["Mot_de_passe"]
    assert found("") == sorted(["Réussir à 100 %", "Mot_de_passe", "Chemin a/b", "Autre chose"])


def test_odd_page_and_cycle_give_the_catalogue(client):
    for query in ("page=²", "cycle=¹", "page=-1", "page=99999999999999999999", "mois=9999-12"):
        assert client.get(f"/catalogue?{query}").status_code == 200, query
