"""The first-run wizard, which exists only until the first admin account does, and what follows
it: the checklist of what is ready and what is next (`/setup/done`), the suggested helpdesk
catalogue for a desk that skipped it, and the notice wherever the helpdesk cannot take tickets yet."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from models import Role
from routes.admin.forms import security_for_port
from routes.auth.views import start_session
from routes.first_run.forms import SetupForm
from services.accounts.first_run import complete_setup, needs_setup, setup_progress
from services.errors import DomainError
from services.helpdesk import catalogues, starter_catalogue
from services.helpdesk.readiness import helpdesk_readiness, takes_tickets
from services.settings import default_locale
from web.forms import EmptyForm
from web.pages import show_domain_error
from web.security import roles_required, safe_next_url

bp = Blueprint("setup", __name__)
# The account service names its fields plainly; the wizard prefixes the admin's.
ADMIN_FIELDS = {"username": "admin_username", "email": "admin_email", "password": "new_password"}


@bp.app_template_global("helpdesk_readiness")
def readiness_for_templates():
    """Pages that show the set-up notice (templates/first_run/_notices.html) ask for it when they render."""
    return helpdesk_readiness()


@bp.app_template_global("helpdesk_takes_tickets")
def takes_tickets_for_templates():
    """The admin's banner in base.html asks on every page: one EXISTS query, for admins only."""
    return takes_tickets()


@bp.route("/setup", methods=["GET", "POST"])
def wizard():
    if not needs_setup():
        abort(404)
    form = SetupForm()
    if request.method == "GET":
        config = current_app.config
        form.organisation_name.data = config["ORGANISATION_NAME"]
        form.timezone.data = config["TIMEZONE"]
        form.default_locale.data = config["DEFAULT_LOCALE"]
        form.mail_port.data = config["MAIL_PORT"]
        configured = "ssl" if config["MAIL_USE_SSL"] else "starttls" if config["MAIL_USE_TLS"] else "none"
        form.mail_security.data = security_for_port(config["MAIL_PORT"], configured)
        # The admin reaches the wizard at the address the desk will be used at, most likely.
        form.public_url.data = config["PUBLIC_URL"] or request.host_url.rstrip("/")
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
            user = complete_setup(admin, organisation, with_starter_catalogue=form.wants_starter_catalogue())
        except DomainError as error:
            show_domain_error(form, error, ADMIN_FIELDS)
        else:
            current_app.extensions["setup_done"] = True
            start_session(user)
            flash(_("The service desk is set up. Welcome!"), "success")
            return redirect(url_for("setup.done"))
    languages = starter_catalogue.LANGUAGES
    return render_template("first_run/wizard.html", form=form,
                           starter={code: starter_catalogue.starter_areas(code) for code in languages},
                           priority_names={code: starter_catalogue.priority_names(code) for code in languages})


@bp.get("/setup/done")
@roles_required(Role.ADMIN)
def done():
    """Where the wizard ends, and any time later: what is ready and what is next."""
    return render_template("first_run/done.html", progress=setup_progress(),
                           priorities=catalogues.priorities_by_level())


@bp.post("/setup/starter-catalogue")
@roles_required(Role.ADMIN)
def add_starter_catalogue():
    """For a desk that skipped the suggested catalogue: add it now, in the desk's default language.
    Rows whose names already exist are left alone, so pressing it twice adds nothing."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        installed = starter_catalogue.add_starter_catalogue(default_locale(), current_user)
    except DomainError as error:
        flash(str(error), "danger")
    else:
        if installed.categories:
            flash(ngettext("%(num)d category was added in %(areas)s. Review them and give each area its agents.",
                           "%(num)d categories were added in %(areas)s. Review them and give each area its agents.",
                           len(installed.categories),
                           areas=", ".join(sorted({c.area.name for c in installed.categories}))), "success")
        else:
            flash(_("The suggested categories were already there; nothing was added."), "info")
    return redirect(safe_next_url(request.form.get("next"), url_for("admin_helpdesk.categories")))
