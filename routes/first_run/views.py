"""The first-run wizard: it exists only until the first admin account does."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request
from flask_babel import gettext as _

from routes.auth.views import start_session
from routes.first_run.forms import SetupForm
from routes.main import home_url
from services.accounts.first_run import complete_setup, needs_setup
from services.errors import DomainError
from web.pages import show_domain_error

bp = Blueprint("setup", __name__)
# The account service names its fields plainly; the wizard prefixes the admin's.
ADMIN_FIELDS = {"username": "admin_username", "email": "admin_email", "password": "new_password"}


@bp.route("/setup", methods=["GET", "POST"])
def wizard():
    if not needs_setup():
        abort(404)
    form = SetupForm()
    if request.method == "GET":
        form.organisation_name.data = current_app.config["ORGANISATION_NAME"]
        form.timezone.data = current_app.config["TIMEZONE"]
        form.default_locale.data = current_app.config["DEFAULT_LOCALE"]
        form.mail_port.data = current_app.config["MAIL_PORT"]
        # The admin reaches the wizard at the address the desk will be used at, most likely.
        form.public_url.data = current_app.config["PUBLIC_URL"] or request.host_url.rstrip("/")
    if form.validate_on_submit():
        admin = {
            "username": form.admin_username.data,
            "email": form.admin_email.data,
            "full_name": form.admin_full_name.data,
            "password": form.new_password.data,
        }
        organisation = {
            **form.organisation_settings(),
            **form.mail_settings(),
        }
        try:
            user = complete_setup(admin, organisation)
        except DomainError as error:
            show_domain_error(form, error, ADMIN_FIELDS)
        else:
            current_app.extensions["setup_done"] = True
            start_session(user)
            flash(_("The service desk is ready. Welcome!"), "success")
            return redirect(home_url(user))
    return render_template("first_run/wizard.html", form=form)
