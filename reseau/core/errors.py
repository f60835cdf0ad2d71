"""French error pages, full or as an htmx fragment."""

from __future__ import annotations

from flask import render_template
from flask_wtf.csrf import CSRFError
from htmx_flask import request
from werkzeug.exceptions import HTTPException, InternalServerError

from reseau.core.extensions import db

MESSAGES = {
    400: (
        "Requête incorrecte",
        "La demande n'a pas pu être comprise. Rechargez la page et réessayez.",
    ),
    401: ("Connexion nécessaire", "Connectez-vous pour accéder à cette page."),
    403: ("Accès refusé", "Vous n'avez pas accès à cette page avec votre compte."),
    404: (
        "Page introuvable",
        "Cette page n'existe pas, ou plus. Vérifiez l'adresse ou revenez à l'accueil.",
    ),
    405: ("Action impossible", "Cette action n'est pas possible à cette adresse."),
    409: (
        "Action impossible",
        "Cette action n'est pas possible dans l'état actuel. Rechargez la page pour voir où en sont les choses.",
    ),
    410: (
        "Adresse désactivée",
        "Cette adresse a été désactivée ou remplacée. Retrouvez la nouvelle dans « Mes agendas ».",
    ),
    413: ("Fichier trop volumineux", "Le fichier envoyé dépasse la taille autorisée."),
    429: ("Trop de tentatives", "Vous avez fait trop de tentatives. Patientez quelques minutes."),
    500: (
        "Erreur du serveur",
        "Un problème est survenu de notre côté. Réessayez dans un instant ; si cela continue, prévenez la coordination.",
    ),
}


# A page without template, layout or database, for when rendering the real one fails.
FALLBACK_500 = (
    '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Erreur du serveur · Réseau'
    "</title></head><body><main><h1>Erreur du serveur</h1><p>"
    + MESSAGES[500][1]
    + '</p><p><a href="/">Revenir à l\'accueil</a></p></main></body></html>'
)


def render_error(code: int, detail: str | None = None):
    """Return the French error page (or fragment, for htmx) for ``code``."""
    title, message = MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    context = {"code": code, "title": title, "message": detail or message}
    if request.htmx:
        # htmx swaps error answers into the page's message area (see base.html's htmx-config).
        headers = {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}
        return render_template("errors/_error.html", **context), code, headers
    return render_template("errors/error.html", **context), code


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400, "Le formulaire a expiré ou n'est pas valide. Rechargez la page et recommencez."
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_error(error.code or 500)

    @app.errorhandler(InternalServerError)
    def server_error(error):
        # The page must come out even when the database is the problem: the rollback or the
        # layout (which loads the logged-in person) may fail too.
        try:
            db.session.rollback()
            return render_error(500)
        except Exception:
            app.logger.exception("the error page could not be rendered")
            return FALLBACK_500, 500, {"Content-Type": "text/html; charset=utf-8"}
