"""Calendar feeds (.ics), the one-off download of a session, and the "Mes agendas" page."""

from __future__ import annotations

import segno
import sqlalchemy as sa
from flask import abort, current_app, flash, request, url_for
from flask_login import current_user, login_required
from werkzeug.http import http_date, is_resource_modified

from reseau.audit import record_audit
from reseau.calendars import bp
from reseau.calendars.feeds import Feed, Scope, build_cached, feed_context, fingerprint
from reseau.calendars.models import CalendarToken, FeedKind
from reseau.calendars.tokens import (
    FeedAddress,
    active_tokens,
    feed_token,
    find_token,
    issue_token,
    may_have,
    record_fetch,
)
from reseau.catalogue.models import Cycle, SessionStatus, Theme, TrainingSession
from reseau.data_version import cached
from reseau.database import utcnow
from reseau.extensions import db, limiter
from reseau.views import render_page, see_other

CONTENT_TYPE = "text/calendar; charset=utf-8"
FEED_DESCRIPTIONS = {
    FeedKind.PERSON: "Les séances où vous êtes inscrit·e, et celles où vous êtes sur liste "
    "d'attente (marquées « liste d'attente »).",
    FeedKind.TRAINER: "Les séances des sessions que vous animez.",
    FeedKind.CENTRE: "Les sessions accueillies par votre centre et celles où des membres de "
    "votre centre sont inscrits, avec leurs noms. Ne partagez cette adresse qu'avec l'équipe "
    "du centre.",
}


def _serve(
    feed: Feed, *, public: bool, filename: str | None = None, data_token: str | None = None
):
    """Answer a feed: 304 from the fingerprint alone when the client's copy is current."""
    context = feed_context()
    now = utcnow()
    # What a 304 costs: the fingerprint is kept while the data's version is unchanged.
    mark = cached(
        ("feed", feed, context), lambda: fingerprint(feed, context, now), token=data_token
    )
    # Plain header strings: this runs for every poll of every subscribed calendar.
    response = current_app.response_class(
        headers={
            "Content-Type": CONTENT_TYPE,
            "ETag": f'"{mark.etag}"',
            "Last-Modified": http_date(mark.last_modified),
            "Cache-Control": "public, max-age=300" if public else "private, no-cache",
        }
    )
    if not public:
        response.headers["X-Robots-Tag"] = "noindex"
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if not is_resource_modified(request.environ, etag=mark.etag, last_modified=mark.last_modified):
        response.status_code = 304
        return response
    response.set_data(build_cached(feed, context, mark, now))
    return response


def _token_feed(address: FeedAddress) -> Feed:
    if address.kind == FeedKind.PERSON:
        return Feed(Scope.PERSON, address.user_id, "Mes formations – Réseau")
    if address.kind == FeedKind.TRAINER:
        return Feed(Scope.TRAINER, address.user_id, "Mes séances à animer – Réseau")
    return Feed(Scope.CENTRE, address.centre_id, f"Agenda du centre – {address.centre_name}")


@bp.route("/agenda/prive/<token>.ics")
@limiter.limit(lambda: current_app.config["RATELIMIT_FEED"])
def private_feed(token: str):
    address = find_token(token)
    if address is None:
        abort(404)
    response = _serve(_token_feed(address), public=False, data_token=address.data_token)
    record_fetch(address)
    return response


@bp.route("/agenda/catalogue.ics")
def catalogue_feed():
    name = f"Formations – {current_app.config['NETWORK_NAME']}"
    return _serve(Feed(Scope.CATALOGUE, None, name), public=True)


@bp.route("/agenda/cycles/<int:cycle_id>.ics")
def cycle_feed(cycle_id: int):
    cycle = db.get_or_404(Cycle, cycle_id)
    return _serve(Feed(Scope.CYCLE, cycle.id, f"{cycle.title} ({cycle.year})"), public=True)


@bp.route("/agenda/thematiques/<slug>.ics")
def theme_feed(slug: str):
    theme = db.first_or_404(sa.select(Theme).where(Theme.slug == slug))
    return _serve(Feed(Scope.THEME, theme.id, f"Thématique : {theme.name}"), public=True)


@bp.route("/sessions/<int:session_id>/agenda.ics")
def session_download(session_id: int):
    """ "Ajouter à mon agenda": the séances of one session, to import once (METHOD:PUBLISH)."""
    session = db.get_or_404(TrainingSession, session_id)
    if session.status == SessionStatus.DRAFT:
        abort(404)
    feed = Feed(Scope.SESSION, session.id, session.title, method="PUBLISH")
    return _serve(feed, public=True, filename=f"session-{session.id}.ics")


def _feed_entry(kind: FeedKind, row: CalendarToken | None) -> dict:
    entry = {
        "kind": kind,
        "label": kind.label,
        "description": FEED_DESCRIPTIONS[kind],
        "row": row,
    }
    if kind == FeedKind.CENTRE and current_user.centre is not None:
        entry["label"] = f"Agenda du centre – {current_user.centre.name}"
    if row is not None:
        url = _absolute(url_for("calendars.private_feed", token=feed_token(row)))
        entry.update(_addresses(url))
    return entry


def _absolute(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def _addresses(url: str) -> dict:
    webcal = "webcal://" + url.split("://", 1)[1]
    qr = segno.make(webcal, error="m")
    return {
        "url": url,
        "webcal": webcal,
        "qr": qr.svg_data_uri(scale=4, border=2, dark="#000", light="#fff"),
    }


@bp.route("/agendas")
@login_required
def my_calendars():
    """Each feed the person may subscribe to, with everything needed to do it."""
    rows = active_tokens(current_user)
    entries = [
        _feed_entry(kind, rows.get(kind))
        for kind in (FeedKind.PERSON, FeedKind.TRAINER, FeedKind.CENTRE)
        if may_have(kind, current_user)
    ]
    themes = db.session.scalars(sa.select(Theme).order_by(Theme.position, Theme.name)).all()
    catalogue = _addresses(_absolute(url_for("calendars.catalogue_feed")))
    return render_page(
        "calendars/my_calendars.html",
        entries=entries,
        catalogue=catalogue,
        themes=[
            (theme, _absolute(url_for("calendars.theme_feed", slug=theme.slug))) for theme in themes
        ],
        page_title="Mes agendas",
    )


@bp.route("/agendas/<kind>", methods=["POST"])
@login_required
def regenerate(kind: str):
    """Create the address of a feed, or replace it: the old one stops working at once."""
    try:
        feed_kind = FeedKind(kind)
    except ValueError:
        abort(404)
    if not may_have(feed_kind, current_user):
        abort(404)
    had_one = feed_kind in active_tokens(current_user)
    row = issue_token(feed_kind, current_user, actor=current_user)
    record_audit(
        current_user,
        "calendar.regenerate" if had_one else "calendar.create",
        row,
        summary=f"Adresse d'agenda « {feed_kind.label} »",
    )
    db.session.commit()
    if had_one:
        flash("Nouvelle adresse créée : l'ancienne ne fonctionne plus.", "success")
    else:
        flash("Votre adresse d'agenda est prête.", "success")
    return see_other(url_for("calendars.my_calendars") + f"#agenda-{feed_kind.value}")
