"""Administration: user accounts, organisation settings, the audit trail. Admins only."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db
from models import Role, User
from routes.admin.forms import NewUserForm, ResetPasswordForm, SettingsForm, UserForm
from routes.admin.mail_check import MailCheckFailed, mail_settings_from, send_test_mail
from services import audit as audit_service
from services import settings as settings_service
from services.accounts import users as user_service
from services.errors import DomainError
from services.helpdesk.readiness import helpdesk_readiness
from web.forms import EmptyForm
from web.pages import page_number, run_action, show_domain_error
from web.security import roles_required

bp = Blueprint("admin", __name__)


@bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Every page of this blueprint is for admins; the decorator answers everyone else."""


@bp.get("/users")
def users():
    role = request.args.get("role") if request.args.get("role") in {r.value for r in Role} else None
    page = user_service.list_users(search=request.args.get("q"), role=role, page=page_number())
    return render_template("admin/users.html", page=page, role=role, q=request.args.get("q", ""),
                           action_form=EmptyForm())


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = user_service.create_user(
                form.username.data, form.new_password.data, form.role.data, email=form.email.data,
                full_name=form.full_name.data, actor=current_user, must_change_password=True,
                active=form.active.data,
            )
            user_service.assign_counter(user, form.counter_id.data, current_user)
            user_service.set_allowed_counters(user, form.allowed_counter_ids.data, current_user)
        except DomainError as error:
            show_domain_error(form, error, {"password": "new_password"})
        else:
            flash(_("Account %(username)s created. It must change its password at first login.",
                    username=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    if form.counter_id.data is None:  # no counter: the "None" option
        form.counter_id.data = 0
    if request.method == "GET":
        form.allowed_counter_ids.data = [counter.id for counter in user.allowed_counters]
    if form.validate_on_submit():
        try:
            user_service.update_user(user, current_user, form.username.data, form.email.data,
                                     form.full_name.data, form.role.data, form.active.data)
            user_service.assign_counter(user, form.counter_id.data, current_user)
            user_service.set_allowed_counters(user, form.allowed_counter_ids.data, current_user)
        except DomainError as error:
            db.session.refresh(user)
            show_domain_error(form, error)
        else:
            flash(_("Account %(username)s saved.", username=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user,
                           password_form=ResetPasswordForm(), action_form=EmptyForm())


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id):
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user_service.reset_password(user, form.new_password.data, current_user)
        except DomainError as error:
            show_domain_error(form, error, {"password": "new_password"})
        else:
            flash(_("New temporary password set for %(username)s.", username=user.username), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user_form.html", user=user,
                           form=UserForm(obj=user, formdata=None),
                           password_form=form, action_form=EmptyForm()), 400


@bp.post("/users/<int:user_id>/<any(activate, deactivate):action>")
def set_active(user_id, action):
    user = db.get_or_404(User, user_id)
    active = action == "activate"
    done = (_("Account %(username)s activated.", username=user.username) if active
            else _("Account %(username)s deactivated.", username=user.username))
    return run_action(lambda: user, lambda user, form: user_service.set_active(user, active, current_user),
                      done=done, to=url_for("admin.users"))


@bp.post("/users/<int:user_id>/delete")
def delete_user(user_id):
    user = db.get_or_404(User, user_id)
    return run_action(lambda: user, lambda user, form: user_service.delete_user(user, current_user),
                      done=_("Account %(username)s deleted.", username=user.username), to=url_for("admin.users"))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    stored = settings_service.all_settings()
    form = SettingsForm.for_settings(stored)
    if request.method == "GET":
        form.test_mail_to.data = current_user.email
    if form.validate_on_submit():
        changes = {
            **form.organisation_settings(),
            "allow_registration": bool(form.allow_registration.data),
            **form.mail_settings(keep_password=stored.get("mail_password")),
            **form.display_settings(),
            **form.helpdesk_settings(),
        }
        settings_service.save_settings(changes, current_user)
        flash(_("Settings saved."), "success")
        return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form, readiness=helpdesk_readiness())


@bp.post("/settings/test-mail")
def test_mail():
    """The Settings form's "Send a test mail" button: a message sent now through the mail settings
    as typed on the page (saved or not; an empty password field means the stored one). Nothing is
    saved; the page comes back as it was, with the outcome beside the button."""
    stored = settings_service.all_settings()
    form = SettingsForm.for_settings(stored)
    outcome = None
    if form.validate_on_submit() and mail_check_ready(form):
        settings = mail_settings_from(form.mail_settings(keep_password=stored.get("mail_password")))
        recipient = form.test_mail_to.data or current_user.email
        try:
            send_test_mail(settings, recipient, str(get_locale()), current_user.display_name)
        except MailCheckFailed as failure:
            outcome = ("danger", str(failure.message))
        else:
            outcome = ("success", _("The test mail was sent to %(address)s through %(server)s:%(port)d. If it does "
                                    "not arrive, look in the spam folder.", address=recipient,
                                    server=settings.server, port=settings.port))
    elif form.csrf_token.errors:
        abort(400)
    else:
        outcome = ("danger", _("Nothing was sent: correct the marked fields first."))
    return render_template("admin/settings.html", form=form, readiness=helpdesk_readiness(), test_outcome=outcome)


def mail_check_ready(form):
    """A test needs a server, a sender and someone to send it to; each missing one is marked."""
    required = [(form.mail_server, _("Write the SMTP server to test.")),
                (form.mail_default_sender, _("Write the sender address the mail comes from.")),
                (form.test_mail_to, _("Write the address to send the test mail to."))]
    missing = False
    for field, message in required:
        value = field.data or (current_user.email if field is form.test_mail_to else None)
        if not (value or "").strip():
            field.errors = [*field.errors, message]
            missing = True
    return not missing


@bp.get("/audit")
def audit():
    return render_template("admin/audit.html", page=audit_service.history(page_number()))
