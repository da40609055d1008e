"""Sign in and out, self-registration, own password and profile, keeping a page's session alive."""
import secrets
import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

import events
from extensions import limiter
from routes.auth.forms import ChangePasswordForm, LoginForm, ProfileForm, RegisterForm
from routes.main import home_url
from services.accounts import users as user_service
from services.errors import DomainError
from services.settings import allow_registration
from web.forms import EmptyForm
from web.pages import show_domain_error
from web.security import safe_next_url

bp = Blueprint("auth", __name__)


def login_rate_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def register_rate_limit():
    return current_app.config["REGISTER_RATE_LIMIT"]


def start_session(user):
    """Sign the user in with a fresh session; only the language choice carries over."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    login_user(user)
    session["last_active"] = time.time()
    session["browser_id"] = secrets.token_hex(8)
    session.permanent = True


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = user_service.authenticate(form.login.data, form.password.data)
        if user is None:
            form.password.errors = [_("Wrong username, email or password, or the account is inactive.")]
        else:
            start_session(user)
            if user.must_change_password:
                return redirect(url_for("auth.change_password"))
            return redirect(safe_next_url(request.args.get("next"), home_url(user)))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    form = EmptyForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        browser_id = session.get("browser_id")
        logout_user()
        events.browser_signed_out.send(browser_id)
        for key in ("last_active", "browser_id"):
            session.pop(key, None)
        flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(register_rate_limit, methods=["POST"])
def register():
    if not allow_registration():
        abort(404)
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = user_service.register_user(
                form.username.data, form.email.data, form.new_password.data, form.full_name.data
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            start_session(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.display_name), "success")
            return redirect(home_url(user))
    return render_template("auth/register.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            user_service.change_own_password(user, form.current_password.data, form.new_password.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            start_session(user)  # the new session token ends every other session
            flash(_("Your password has been changed."), "success")
            return redirect(home_url(user))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.locale.data = current_user.locale or ""
    if form.validate_on_submit():
        user_service.update_profile(current_user, form.full_name.data, form.locale.data or None)
        session.pop("locale", None)
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form)


@bp.get("/session/alive")
@login_required
def session_alive():
    """Asked by open pages with X-Live-Refresh (which does not count as activity): 204 while the
    session lasts; an idle or ended one answers 401, and the page leaves."""
    return "", 204


@bp.post("/session/keepalive")
@login_required
def keepalive():
    """Pinged by pages that stay open all day; the idle-timeout hook already renewed the session."""
    return "", 204
