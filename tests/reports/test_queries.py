"""Every figure of the bilan on the hand-computed year of fixtures.py."""

from __future__ import annotations

from datetime import date

from reseau.accounts.models import Category
from reseau.core.periods import Period
from reseau.reports.queries import build_bilan
from reseau.reports.wording import participants_sentence
from tests.diagnostic.fixtures import P, Y, add_skill, answer, make_campaign
from tests.factories import make_theme, make_user
from tests.reports.fixtures import build_year

B, S, E, PART = Category.BENEVOLE, Category.SALARIE, Category.ELU, Category.PARTENAIRE


def test_sessions_seances_and_hours(app):
    build_year()
    bilan = build_bilan(Period.year(2011))
    total = bilan.total
    # S1 and S2 held, S3 cancelled, S4 a draft; S2's cancelled séance gives no hours.
    assert (total.held, total.cancelled, total.seances, total.hours) == (2, 1, 3, 8.0)
    assert total.trainee_hours == 19.0
    kinds = {offer.label: offer for offer in bilan.by_kind}
    formation, rencontre = kinds["Formation"], kinds["Rencontre régionale"]
    assert (formation.held, formation.cancelled, formation.hours, formation.trainee_hours) == (
        1, 1, 6.0, 15.0,
    )  # fmt: skip
    assert (rencontre.held, rencontre.hours, rencontre.trainee_hours) == (1, 2.0, 4.0)
    themes = {offer.label: (offer.held, offer.hours) for offer in bilan.by_theme}
    assert themes == {"Les fondamentaux": (1, 6.0), "Sans thématique": (1, 2.0)}
    assert [(o.label, o.held, o.hours) for o in bilan.by_cycle] == [
        ("Cycle 2011 – Les fondamentaux", 1, 6.0)
    ]
    months = dict(bilan.hours_by_month)
    assert len(months) == 12
    assert (months["2011-03"], months["2011-06"], months["2011-09"]) == (6.0, 2.0, 0.0)


def test_people_counted_once_walk_ins_included(app):
    build_year()
    bilan = build_bilan(Period.year(2011))
    # alice came to two sessions, eve walked in: 5 people.
    assert bilan.participants == 5
    assert bilan.by_category == {B: 2, S: 1, E: 1, PART: 1}
    assert bilan.by_department == [("18 – Cher", 2), ("36 – Indre", 2), ("Sans centre social", 1)]
    assert [(c.name, c.member, c.people) for c in bilan.centres] == [
        ("Centre Y", False, 2),
        ("Centre X", True, 2),
    ]
    assert (bilan.member_centres, bilan.other_centres) == (1, 1)
    assert bilan.first_timers == 4  # bob was already there in 2010
    assert participants_sentence(len(bilan.centres), bilan.by_category) == (
        "2 centres sociaux, 5 participants dont 1 salarié, 2 bénévoles, 1 élu et 1 partenaire"
    )


def test_attendance_no_shows_waitlist_satisfaction(app):
    build_year()
    bilan = build_bilan(Period.year(2011))
    assert (bilan.expected, bilan.attended, bilan.attendance_percent) == (10, 6, 60)
    rates = {r.label: (r.expected, r.attended, r.percent) for r in bilan.rates}
    assert rates == {"Les fondamentaux": (8, 4, 50), "Sans thématique": (2, 2, 100)}
    assert bilan.no_shows == 1
    assert (bilan.waitlisted, bilan.waitlisted_people) == (1, 1)
    assert bilan.satisfaction == {5: 1, 4: 1, 3: 1, 2: 0, 1: 0}
    assert bilan.satisfaction_average == 4.0
    assert [(c.title, c.gained, c.missing) for c in bilan.comments] == [
        ("S2", "", "Plus de temps"),
        ("S1", "Très utile", ""),
    ]


def test_events_one_line_each(app):
    build_year()
    bilan = build_bilan(Period.year(2011))
    lines = [(e.session.title, e.centres, e.participants, e.by_category) for e in bilan.events]
    assert lines == [("S1", 2, 4, {B: 2, S: 1, E: 1}), ("S2", 1, 2, {B: 1, PART: 1})]


def test_other_years_and_ranges(app):
    build_year()
    assert build_bilan(Period.year(2012)).participants == 1
    assert build_bilan(Period.year(2009)).participants == 0
    spring = build_bilan(Period(date(2011, 3, 1), date(2011, 3, 31)))
    assert (spring.total.held, spring.total.hours, spring.participants) == (1, 6.0, 4)
    assert [month for month, _ in spring.hours_by_month] == ["2011-03"]


def test_a_centre_sees_its_own_people_only(app):
    world = build_year()
    bilan = build_bilan(Period.year(2011, centre_id=world.x.id))
    # Sessions where X's people enrolled or came: S1 and S2 (S3 was Y's hank).
    assert (bilan.total.held, bilan.total.cancelled, bilan.total.hours) == (2, 0, 8.0)
    assert bilan.participants == 2
    assert bilan.by_category == {B: 1, S: 1, E: 0, PART: 0}
    assert bilan.total.trainee_hours == 11.0  # alice 6 + 2, bob 3
    assert (bilan.expected, bilan.attended, bilan.no_shows) == (7, 4, 1)
    assert bilan.waitlisted == 1
    assert bilan.satisfaction == {5: 1, 4: 1, 3: 0, 2: 0, 1: 0}
    assert [c.name for c in bilan.centres] == ["Centre X"]
    assert [(e.session.title, e.participants) for e in bilan.events] == [("S1", 2), ("S2", 1)]


def test_needs_coverage(app):
    world = build_year()
    t2 = make_theme(name="La fonction employeur", slug="employeur")
    campaign = make_campaign(opens_on=date(2010, 10, 1), closes_on=date(2010, 12, 1))
    k1 = add_skill(campaign, world.t1, "Le projet social", 1)
    k2 = add_skill(campaign, t2, "Recruter", 2)
    answer(campaign, world.people["alice"], {k1: P, k2: Y})
    answer(campaign, make_user(centre=world.x), {k1: Y})
    bilan = build_bilan(Period.year(2011))
    assert bilan.campaign.id == campaign.id
    needs = [(n.label, n.people, n.sessions, n.covered) for n in bilan.needs]
    assert needs == [
        ("Les fondamentaux", 2, 1, True),
        ("La fonction employeur", 1, 0, False),
    ]
    assert (bilan.needs_covered, bilan.needs_percent) == (1, 50)


def test_sentence_shapes():
    by = {S: 28, B: 12, E: 1, PART: 7}
    assert participants_sentence(27, by) == (
        "27 centres sociaux, 48 participants dont 28 salariés, 12 bénévoles, 1 élu et 7 partenaires"
    )
    assert participants_sentence(None, {B: 29, S: 22}) == (
        "51 participants dont 22 salariés et 29 bénévoles"
    )
    assert participants_sentence(1, {}) == "1 centre social, 0 participant"


def test_needs_come_from_the_period_campaigns_only(app):
    """The 2011 bilan never measures its offer against a later campaign (issue 23)."""
    world = build_year()
    later = make_campaign(opens_on=date(2026, 1, 5), closes_on=date(2026, 3, 1), title="2026")
    k1 = add_skill(later, world.t1, "Le projet social", 1)
    answer(later, world.people["alice"], {k1: P})
    bilan = build_bilan(Period.year(2011))
    assert bilan.campaigns == [] and bilan.campaign is None
    assert bilan.needs == [] and bilan.needs_percent is None
    assert build_bilan(Period.year(2026)).campaign.id == later.id


def test_needs_of_two_campaigns_of_the_period_add_up(app):
    world = build_year()
    spring = make_campaign(opens_on=date(2011, 3, 1), closes_on=date(2011, 4, 1), title="Printemps")
    autumn = make_campaign(opens_on=date(2011, 9, 1), closes_on=date(2011, 10, 1), title="Automne")
    for campaign in (spring, autumn):
        skill = add_skill(campaign, world.t1, "Le projet social", 1)
        answer(campaign, world.people["alice"], {skill: Y})
    bilan = build_bilan(Period.year(2011))
    assert [c.id for c in bilan.campaigns] == [spring.id, autumn.id]
    assert bilan.campaign_titles == "« Printemps » et « Automne »"
    assert [(n.label, n.people, n.score, n.covered) for n in bilan.needs] == [
        ("Les fondamentaux", 2, 2, True)
    ]
