"""Administration of the catalogue by the regional coordinator (being built)."""

from __future__ import annotations

from reseau.accounts.access import coordinator_required
from reseau.catalogue import bp
from reseau.views import render_page


@bp.route("/admin/sessions")
@coordinator_required
def session_list():
    return render_page("catalogue/placeholder.html")


@bp.route("/admin/thematiques")
@coordinator_required
def theme_list():
    return render_page("catalogue/placeholder.html")
