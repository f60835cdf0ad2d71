"""Views of the parcours room.

The person: "Mon parcours" (page and PDF) and their sharing choice. The referent: the
parcours their centre's people shared, read-only, with the certificates of its trainings
(attestation de présence, certificat de réalisation). The coordinator: everyone's.
"""

from __future__ import annotations

from flask import current_app, flash, url_for
from flask_login import current_user, login_required

from reseau.accounts.access import manager_required
from reseau.accounts.models import User
from reseau.attendance.queries import get_own_closed_session_or_404
from reseau.core.database import utcnow
from reseau.core.downloads import pdf_download
from reseau.core.extensions import db
from reseau.core.i18n import to_local
from reseau.core.web import form_status, render_page, see_other
from reseau.parcours import bp, operations, queries
from reseau.parcours.forms import SharingForm
from reseau.proof import certificates


def _me() -> User:
    # The real object, not the proxy: the audit log records the object's type name.
    return current_user._get_current_object()


def _pdf(person: User):
    from reseau.parcours import documents  # fpdf only when a PDF is produced

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


# --- the certificates of someone else's parcours ---------------------------------------------
# Who may read the parcours (its consent rule, queries.may_read) may download the documents
# the person could download themselves from it; 404 for any other person or session.


def _readable_training_or_404(person_id: int, session_id: int):
    person = queries.get_readable_person_or_404(_me(), person_id)
    session, hours = get_own_closed_session_or_404(session_id, person)
    return person, session, hours


@bp.route("/parcours/<int:person_id>/formations/<int:session_id>/attestation.pdf")
@manager_required
def person_attendance_certificate(person_id: int, session_id: int):
    from reseau.attendance import pdf as attendance_pdf  # fpdf only when a PDF is produced

    person, session, hours = _readable_training_or_404(person_id, session_id)
    content = attendance_pdf.issued_certificates(session, [(person, hours)], current_app.config)
    return pdf_download(content, f"attestation-session-{session.id}-personne-{person.id}.pdf")


@bp.route("/parcours/<int:person_id>/formations/<int:session_id>/certificat-realisation.pdf")
@manager_required
def person_completion_certificate(person_id: int, session_id: int):
    person, session, hours = _readable_training_or_404(person_id, session_id)
    content = certificates.render([(session, person, hours)], issued=session.closed_at)
    return pdf_download(
        content, f"certificat-realisation-session-{session.id}-personne-{person.id}.pdf"
    )
