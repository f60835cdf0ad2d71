"""The coordinator's page of failed e-mails: see the last error, retry, or give up."""

from __future__ import annotations

from flask import flash, url_for
from flask_login import current_user

from reseau.accounts.access import coordinator_required
from reseau.core.extensions import db
from reseau.core.i18n import ngettext
from reseau.core.web import render_page, see_other
from reseau.main import bp
from reseau.outbox.operations import abandon_failed, failed_mail, outbox_figures, retry_failed


@bp.route("/admin/envois")
@coordinator_required
def failed_mail_list():
    return render_page("main/failed_mail.html", mails=failed_mail(), figures=outbox_figures())


@bp.route("/admin/envois/reessayer", methods=["POST"])
@coordinator_required
def retry_all_mail():
    count = retry_failed(actor=current_user._get_current_object())
    db.session.commit()
    flash(
        ngettext(
            "%(num)s message remis à envoyer : il part au prochain envoi.",
            "%(num)s messages remis à envoyer : ils partent au prochain envoi.",
            count,
        ),
        "success",
    )
    return see_other(url_for("main.failed_mail_list"))


@bp.route("/admin/envois/<int:mail_id>/reessayer", methods=["POST"])
@coordinator_required
def retry_mail(mail_id: int):
    if retry_failed([mail_id], actor=current_user._get_current_object()):
        flash(f"Message n°{mail_id} remis à envoyer : il part au prochain envoi.", "success")
    else:
        flash(f"Le message n°{mail_id} n'est plus en échec.", "info")
    db.session.commit()
    return see_other(url_for("main.failed_mail_list"))


@bp.route("/admin/envois/<int:mail_id>/abandonner", methods=["POST"])
@coordinator_required
def abandon_mail(mail_id: int):
    if abandon_failed(mail_id, actor=current_user._get_current_object()):
        flash(f"Message n°{mail_id} abandonné : il ne sera plus envoyé.", "success")
    else:
        flash(f"Le message n°{mail_id} n'est plus en échec.", "info")
    db.session.commit()
    return see_other(url_for("main.failed_mail_list"))
