"""Views of the parcours room.

The person: "Mon parcours" (page and PDF) and their sharing choice. The referent: the
parcours their centre's people shared, read-only. The coordinator: everyone's.
"""

from __future__ import annotations

from flask import flash, url_for
from flask_login import current_user, login_required

from reseau.accounts.access import manager_required
from reseau.accounts.models import User
from reseau.core.database import utcnow
from reseau.core.downloads import pdf_download
from reseau.core.extensions import db
from reseau.core.i18n import to_local
from reseau.core.web import form_status, render_page, see_other
from reseau.parcours import bp, documents, operations, queries
from reseau.parcours.forms import SharingForm


def _me() -> User:
    # The real object, not the proxy: the audit log records the object's type name.
    return current_user._get_current_object()


def _pdf(person: User):
    content = documents.render(queries.parcours_of(person), issued=to_local(utcnow()))
    return pdf_download(content, f"parcours-{person.id}.pdf")


@bp.route("/mon-parcours")
@login_required
def my_parcours(form: SharingForm | None = None):
    me = _me()
    form = form or SharingForm(formdata=None, data={"shared": me.parcours_shared})
    return render_page(
        "parcours/my_parcours.html",
        parcours=queries.parcours_of(me),
        form=form,
        own=True,
        status=form_status(form),
    )


@bp.route("/mon-parcours.pdf")
@login_required
def my_parcours_pdf():
    return _pdf(_me())


@bp.route("/mon-parcours/partage", methods=["POST"])
@login_required
def set_sharing():
    form = SharingForm()
    if not form.validate_on_submit():
        return my_parcours(form)
    me = _me()
    changed = operations.set_sharing(me, bool(form.shared.data), actor=me)
    db.session.commit()
    if changed and form.shared.data:
        flash("Votre référent·e de centre peut désormais consulter votre parcours.", "success")
    elif changed:
        flash("Votre parcours n'est plus partagé avec votre référent·e de centre.", "success")
    else:
        flash("Votre choix est inchangé.", "info")
    return see_other(url_for("parcours.my_parcours") + "#partage")


@bp.route("/parcours")
@manager_required
def shared_list():
    return render_page("parcours/shared_list.html", people=queries.shared_people(_me()))


@bp.route("/parcours/<int:person_id>")
@manager_required
def person_parcours(person_id: int):
    person = queries.get_readable_person_or_404(_me(), person_id)
    return render_page(
        "parcours/person.html", parcours=queries.parcours_of(person), own=person.id == _me().id
    )


@bp.route("/parcours/<int:person_id>/parcours.pdf")
@manager_required
def person_parcours_pdf(person_id: int):
    return _pdf(queries.get_readable_person_or_404(_me(), person_id))
