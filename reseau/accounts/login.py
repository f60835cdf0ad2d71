"""Flask-Login set-up: sessions carry the person's id and session version."""

from __future__ import annotations

from reseau.accounts.models import User
from reseau.extensions import db, login_manager


def init_login(app) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(alternative_id: str) -> User | None:
        user_id, _, version = alternative_id.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or user.session_version != int(version) or not user.is_active:
            return None
        return user
