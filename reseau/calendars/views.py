"""Calendar feeds (.ics), the one-off download of a session, and the "Mes agendas" page."""

from __future__ import annotations

import hashlib
from urllib.parse import quote, urlencode

import segno
import sqlalchemy as sa
from flask import abort, current_app, flash, request, url_for
from flask_login import current_user, login_required
from werkzeug.http import http_date, is_resource_modified

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
    revoke_token,
)
from reseau.catalogue.models import Cycle, SessionStatus, Theme, TrainingSession
from reseau.core.audit import record_audit
from reseau.core.database import utcnow
from reseau.core.extensions import db, limiter
from reseau.core.http import raw_reader
from reseau.core.web import render_page, see_other
from reseau.enrolment.operations import sees_visio_link
from reseau.outbox import base_url

CONTENT_TYPE = "text/calendar; charset=utf-8"
# Flask-Compress appends the encoding to the ETag of a compressed answer ("…:gzip"): a client
# sends that back, and it names the same version of the feed.
ENCODED_ETAG_SUFFIXES = ("", ":gzip", ":br", ":zstd", ":deflate")
FEED_DESCRIPTIONS = {
    FeedKind.PERSON: "Les séances où vous êtes inscrit·e, et celles où vous êtes sur liste "
    "d'attente (marquées « liste d'attente »).",
    FeedKind.TRAINER: "Les séances des sessions que vous animez.",
    FeedKind.CENTRE: "Les sessions accueillies par votre centre et celles où des membres de "
    "votre centre sont inscrits, avec leurs noms. Ne partagez cette adresse qu'avec l'équipe "
    "du centre.",
}


def _matching_etag(etag: str) -> str | None:
    """Return the variant of ``etag`` the client's If-None-Match names, if any."""
    sent = request.environ.get("HTTP_IF_NONE_MATCH")
    if not sent:
        return None
    if sent == f'"{etag}"':
        return etag  # most polls: the ETag of the last answer, sent back as it came
    if not request.if_none_match:
        return None
    for suffix in ENCODED_ETAG_SUFFIXES:
        if request.if_none_match.contains(etag + suffix):
            return etag + suffix
    return etag if request.if_none_match.star_tag else None


def _serve(
    feed: Feed, *, public: bool, filename: str | None = None, connection=None, counters=None
):
    """Answer a feed: 304 from the fingerprint alone when the client's copy is current (read
    on ``connection``, a ``RawReader``, else on one of its own; ``counters``: the tables'
    counters read with the feed's address)."""
    context = feed_context()
    now = utcnow()
    if connection is None:
        with raw_reader() as own:
            mark = fingerprint(feed, context, now, own)
    else:
        mark = fingerprint(feed, context, now, connection, counters)
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
    matched = _matching_etag(mark.etag)
    if matched is not None or (
        not request.if_none_match
        and not is_resource_modified(request.environ, last_modified=mark.last_modified)
    ):
        response.status_code = 304
        if matched is not None and matched != mark.etag:
            response.headers["ETag"] = f'"{matched}"'
        return response
    response.set_data(build_cached(feed, context, mark, now))
    return response


def _token_feed(address: FeedAddress) -> Feed:
    if address.kind == FeedKind.PERSON:
        return Feed(Scope.PERSON, address.user_id, "Mes formations – Réseau")
    if address.kind == FeedKind.TRAINER:
        return Feed(Scope.TRAINER, address.user_id, "Mes séances à animer – Réseau")
    return Feed(Scope.CENTRE, address.centre_id, f"Agenda du centre – {address.centre_name}")


def _feed_limit() -> str:
    return current_app.config["RATELIMIT_FEED"]


def _guess_limit() -> str:
    return current_app.config["RATELIMIT_TOKEN"]


def _per_address() -> str:
    """Count a private feed's fetches per secret address, not per client: Google's and
    Microsoft's fetchers poll everyone's feeds from a few machines."""
    token = (request.view_args or {}).get("token", "")
    return "feed:" + hashlib.sha256(token.encode()).hexdigest()[:32]


def _not_found(response) -> bool:
    return response.status_code == 404


@bp.route("/agenda/prive/<token>.ics")
@limiter.limit(_feed_limit, key_func=_per_address)
# Guessing addresses: only the wrong ones count, per client address.
@limiter.limit(_guess_limit, deduct_when=_not_found)
def private_feed(token: str):
    with raw_reader() as connection:
        address = find_token(token, connection)
        if address is None:
            abort(404)
        if address.gone:
            abort(410)  # for good: calendar apps may stop asking
        response = _serve(
            _token_feed(address), public=False, connection=connection, counters=address.counters
        )
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
    # Someone who may join the visio gets its link in the file; that file is theirs alone.
    personal = current_user.is_authenticated and sees_visio_link(current_user, session)
    feed = Feed(Scope.SESSION, session.id, "", method="PUBLISH", visio=personal)
    return _serve(feed, public=not personal, filename=f"session-{session.id}.ics")


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
        entry.update(_addresses(url, entry["label"]))
    return entry


def _absolute(path: str) -> str:
    return base_url() + path


def _addresses(url: str, name: str) -> dict:
    """The ways to subscribe to ``url``: webcal link, QR code, one click in Google or Outlook.

    The Google and Outlook links are the "add by URL" pages of those services, pre-filled.
    """
    webcal = "webcal://" + url.split("://", 1)[1]
    qr = segno.make(webcal, error="m")
    outlook = urlencode({"url": url, "name": name}, quote_via=quote)
    return {
        "url": url,
        "webcal": webcal,
        "qr": qr.svg_data_uri(scale=4, border=2, dark="#000", light="#fff"),
        "google": "https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe=""),
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?" + outlook,
        "outlook_work": "https://outlook.office.com/calendar/0/addfromweb?" + outlook,
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
    catalogue = _addresses(
        _absolute(url_for("calendars.catalogue_feed")),
        f"Formations – {current_app.config['NETWORK_NAME']}",
    )
    return render_page(
        "calendars/my_calendars.html",
        entries=entries,
        catalogue=catalogue,
        themes=[
            (theme, _absolute(url_for("calendars.theme_feed", slug=theme.slug))) for theme in themes
        ],
        page_title="Mes agendas",
    )


def _feed_kind_or_404(kind: str) -> FeedKind:
    try:
        return FeedKind(kind)
    except ValueError:
        abort(404)


@bp.route("/agendas/<kind>", methods=["POST"])
@login_required
def regenerate(kind: str):
    """Create the address of a feed, or replace it: the old one stops working at once."""
    feed_kind = _feed_kind_or_404(kind)
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


@bp.route("/agendas/<kind>/desactiver", methods=["POST"])
@login_required
def revoke(kind: str):
    """Turn an address off without making a new one: it answers 410 Gone from now on."""
    feed_kind = _feed_kind_or_404(kind)
    row = revoke_token(feed_kind, current_user, actor=current_user)
    if row is None:
        flash("Cette adresse d'agenda n'existe plus.", "info")
        return see_other(url_for("calendars.my_calendars"))
    record_audit(
        current_user, "calendar.revoke", row, summary=f"Adresse d'agenda « {feed_kind.label} »"
    )
    db.session.commit()
    flash(
        "Adresse désactivée : les applications agenda abonnées ne la mettent plus à jour.",
        "success",
    )
    return see_other(url_for("calendars.my_calendars") + f"#agenda-{feed_kind.value}")
