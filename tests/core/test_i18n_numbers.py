"""French numbers and plurals: one ``number`` filter on Babel, ``ngettext`` with French's rule."""

from __future__ import annotations

from flask import render_template_string

from reseau.core.i18n import ngettext, number

NNBSP = "\u202f"  # French thousands separator (CLDR)


def test_number_writes_french_figures(app):
    with app.test_request_context():
        assert number(1234) == f"1{NNBSP}234"
        assert number(4.5) == "4,5"
        assert number(4.0) == "4"
        assert number(2.26) == "2,3"
        assert number(None) == ""
        assert number(87, "percent") == "87\u00a0%"
        assert number(12.5, "percent") == "12,5\u00a0%"


def test_ngettext_gives_the_singular_to_zero_and_one(app):
    with app.test_request_context():
        forms = [
            ngettext("%(num)s personne a répondu", "%(num)s personnes ont répondu", n)
            for n in (0, 1, 2)
        ]
        assert forms == ["0 personne a répondu", "1 personne a répondu", "2 personnes ont répondu"]
        assert ngettext("%(num)s place", "%(num)s places", 1500) == f"1{NNBSP}500 places"
        assert ngettext("%(num)s heure", "%(num)s heures", 1.5) == "1,5 heure"


def test_templates_have_the_same_ngettext_and_number(app):
    source = (
        '{{ ngettext("%(num)s centre", "%(num)s centres", n) }} · '
        '{{ ngettext("%(num)s à %(who)s", "%(num)s à %(who)s", n, who=who) }} · {{ x|number }}'
    )
    with app.test_request_context():
        html = render_template_string(source, n=0, who="<b>", x=12345.67)
        assert html == f"0 centre · 0 à &lt;b&gt; · 12{NNBSP}345,7"
        assert render_template_string(source, n=3, who="A", x=1).startswith("3 centres")
