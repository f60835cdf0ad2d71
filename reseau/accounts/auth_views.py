"""Logging in and out, passwords, invitations, self-registration and one's own account."""

from __future__ import annotations

from functools import cache

from flask import current_app, flash, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from reseau.accounts import bp
from reseau.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    SetPasswordForm,
    centre_choices,
    select_choices,
)
from reseau.accounts.models import Category, Centre, TokenPurpose, UserStatus
from reseau.accounts.operations import (
    find_registration,
    find_valid_token,
    get_user_by_email,
    normalise_email,
    record_login,
    register_person,
    request_password_reset,
    request_registration,
    set_password_with_token,
)
from reseau.core.extensions import db, limiter
from reseau.core.security import extend_session
from reseau.core.web import form_status, render_page, safe_next, see_other


@cache
def _dummy_hash() -> str:
    # Checked against when the address is unknown, so that a wrong e-mail costs as long as a
    # wrong password and the answer time does not tell which addresses exist.
    return generate_password_hash("pas-de-compte", method="scrypt")


def _start_session(user, remember: bool) -> None:
    # A fresh session at login: nothing set before (by anyone) survives into the account.
    session.clear()
    login_user(user, remember=remember)
    record_login(user)
    db.session.commit()


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _token_limit() -> str:
    return current_app.config["RATELIMIT_TOKEN"]


def _address_limit() -> str:
    return current_app.config["RATELIMIT_ADDRESS"]


def _typed_address() -> str:
    # Counted per address typed, whoever sends it: each request e-mails that address.
    return "address:" + normalise_email(request.form.get("email", ""))[:254]


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return see_other(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = get_user_by_email(form.email.data)
        if user is None:
            check_password_hash(_dummy_hash(), form.password.data)
        elif user.check_password(form.password.data):
            if user.status == UserStatus.PENDING:
                form.email.errors.append(
                    "Votre compte attend la validation de votre centre. Vous recevrez un e-mail dès qu'il sera validé."
                )
            elif user.is_active:
                _start_session(user, form.remember.data)
                target = safe_next(request.args.get("next"), url_for("main.home"))
                # The home page greets by name in its heading: no second « Bonjour » above it.
                if target != url_for("main.home"):
                    flash(f"Bonjour {user.first_name} !", "success")
                return see_other(target)
        if not form.errors:
            form.password.errors.append("Adresse e-mail ou mot de passe incorrect.")
    return render_page(
        "accounts/login.html", "accounts/_login_form.html", form=form, status=form_status(form)
    )


@bp.route("/deconnexion", methods=["POST"])
@login_required
def logout():
    # Sessions live in signed cookies: a copy of this one must stop working too.
    current_user.session_version += 1
    db.session.commit()
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté·e.", "info")
    return see_other(url_for("accounts.login"))


@bp.route("/session/prolonger", methods=["POST"])
@login_required
def keep_session():
    """« Rester connecté·e » in the idle warning (RGAA 13.1.4): 204 to htmx, else back."""
    extend_session()
    if request.headers.get("HX-Request"):
        return "", 204
    flash("Votre session est prolongée.", "success")
    return see_other(safe_next(request.form.get("next"), url_for("main.home")))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_address_limit, key_func=_typed_address, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data)
        db.session.commit()
        # The same answer whether or not the address exists.
        flash(
            "Si un compte existe avec cette adresse, un e-mail vient de lui être envoyé avec un lien "
            "pour choisir un nouveau mot de passe. Le lien est valable 2 heures.",
            "info",
        )
        return see_other(url_for("accounts.login"))
    return render_page("accounts/forgot_password.html", form=form, status=form_status(form))


def _password_from_token(purpose: TokenPurpose, token: str, template: str, success: str):
    found = find_valid_token(token, purpose)
    if found is None:
        return render_page("accounts/token_invalid.html", purpose=purpose.value, status=404)
    user = found.user
    form = SetPasswordForm().for_owner(
        email=user.email, first_name=user.first_name, last_name=user.last_name
    )
    if form.validate_on_submit():
        user = set_password_with_token(found, form.password.data)
        if user is None:  # used by another request meanwhile
            db.session.rollback()
            return render_page("accounts/token_invalid.html", purpose=purpose.value, status=404)
        db.session.commit()
        _start_session(user, remember=False)
        flash(success, "success")
        return see_other(url_for("main.home"))
    return render_page(template, form=form, person=found.user, status=form_status(form))


@bp.route("/reinitialiser/<token>", methods=["GET", "POST"])
@limiter.limit(_token_limit)
def reset_password(token: str):
    return _password_from_token(
        TokenPurpose.PASSWORD_RESET,
        token,
        "accounts/reset_password.html",
        "Votre mot de passe est changé. Vous êtes connecté·e.",
    )


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(_token_limit)
def accept_invitation(token: str):
    return _password_from_token(
        TokenPurpose.INVITATION,
        token,
        "accounts/accept_invitation.html",
        "Bienvenue dans Réseau ! Votre compte est prêt.",
    )


@bp.route("/inscription", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_address_limit, key_func=_typed_address, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return see_other(url_for("main.home"))
    if request.method == "GET" and request.args.get("envoyee"):
        return render_page("accounts/register_done.html")
    form = RegisterForm()
    form.centre_id.choices = select_choices(centre_choices())
    if form.validate_on_submit():
        request_registration(
            email=form.email.data,
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            centre=db.session.get(Centre, form.centre_id.data),
            category=Category(form.category.data),
            phone=form.phone.data or "",
            sub_category=form.sub_category.data or "",
        )
        db.session.commit()
        # 303, like every navigating POST; the same answer whether the address is known.
        return see_other(url_for("accounts.register", envoyee="1"))
    return render_page("accounts/register.html", form=form, status=form_status(form))


@bp.route("/inscription/<token>", methods=["GET", "POST"])
@limiter.limit(_token_limit)
def confirm_registration(token: str):
    """The link of a self-registration: its address's owner chooses a password, and the
    account waits for the centre's approval."""
    data = find_registration(token)
    if data is None:
        return render_page("accounts/token_invalid.html", purpose="registration", status=404)
    form = SetPasswordForm().for_owner(
        email=data["email"], first_name=data["first_name"], last_name=data["last_name"]
    )
    if form.validate_on_submit():
        try:
            register_person(
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data["phone"],
                centre=data["centre"],
                category=data["category"],
                sub_category=str(data.get("sub_category") or ""),
                password=form.password.data,
            )
            db.session.commit()
        except IntegrityError:  # the same link followed twice at once: the first one wins
            db.session.rollback()
            return render_page("accounts/token_invalid.html", purpose="registration", status=404)
        return render_page("accounts/register_confirmed.html", centre=data["centre"])
    return render_page(
        "accounts/register_password.html", form=form, data=data, status=form_status(form)
    )


@bp.route("/mon-compte", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    password_form = ChangePasswordForm(prefix="pw").for_owner(
        email=current_user.email,
        first_name=current_user.first_name,
        last_name=current_user.last_name,
    )
    if request.method == "POST" and "pw-submit" in request.form:
        if password_form.validate_on_submit():
            if not current_user.check_password(password_form.current_password.data):
                password_form.current_password.errors.append(
                    "Ce n'est pas votre mot de passe actuel."
                )
            else:
                current_user.set_password(password_form.password.data)
                current_user.session_version += 1
                db.session.commit()
                # Other devices are logged out; this one starts a new session, and keeps
                # "remember me" (the old remember cookie names the old session version).
                cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
                login_user(current_user._get_current_object(), remember=cookie in request.cookies)
                flash("Votre mot de passe est changé. Vos autres sessions sont fermées.", "success")
                return see_other(url_for("accounts.profile"))
        return render_page(
            "accounts/profile.html",
            form=ProfileForm(obj=current_user, formdata=None),
            password_form=password_form,
            status=422,
        )
    if form.validate_on_submit():
        current_user.first_name = form.first_name.data
        current_user.last_name = form.last_name.data
        current_user.phone = form.phone.data or ""
        current_user.directory_consent = form.directory_consent.data
        db.session.commit()
        flash("Vos informations sont enregistrées.", "success")
        return see_other(url_for("accounts.profile"))
    return render_page(
        "accounts/profile.html", form=form, password_form=password_form, status=form_status(form)
    )
