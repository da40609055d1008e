"""Reply templates ("canned replies"): the pages where admins and agents keep them, and the JSON
the ticket page's picker reads, filled in for the ticket being answered.

Admins and agents only (a 403 for everyone else). Someone else's personal template is a 404;
a shared one an agent opens for editing is a 403 (they see it, but only admins change it). The
rules themselves are in services/helpdesk/canned_replies.py.
"""
from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from marshmallow import Schema, fields
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from extensions import db
from models import Role
from routes.helpdesk import bp
from services.errors import DomainError, NotFound
from services.helpdesk import canned_replies as canned
from services.helpdesk.access import require_staff, visible_ticket
from services.messaging.notifications import requester_link
from web.forms import EmptyForm, strip_text
from web.pages import run_action, show_domain_error
from web.security import roles_required

staff_only = roles_required(Role.ADMIN, Role.AGENT)


class CannedReplyForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip_text],
                        validators=[InputRequired(), DataRequired(), Length(max=canned.TITLE_MAX)],
                        description=_l("What you look it up by in the reply box."))
    scope = RadioField(_l("Who uses it"), default="personal",
                       choices=[SelectChoice("personal", _l("Only me")),
                                SelectChoice("shared", _l("Everyone at the helpdesk (agents and admins)"))])
    body = TextAreaField(_l("Text"), filters=[strip_text],
                         validators=[InputRequired(), DataRequired(), Length(max=canned.BODY_MAX)],
                         description=_l("Markdown works: **bold**, *italics*, lists and links."),
                         render_kw={"rows": 10})

    def for_user(self, user):
        """Only admins choose who uses it; an agent's templates are their own."""
        if not canned.may_share(user):
            del self.scope
        return self

    @property
    def shared(self):
        return self.scope is not None and self.scope.data == "shared"


class FilledReplySchema(Schema):
    id = fields.Integer()
    title = fields.String()
    shared = fields.Boolean()
    body = fields.String(metadata={"description": "the template filled in for the ticket"})


@bp.get("/tickets/canned-replies")
@staff_only
def canned_replies():
    replies = canned.visible_replies(current_user)
    return render_template("helpdesk/canned/list.html",
                           own=[reply for reply in replies if reply.owner_id is not None],
                           shared=[reply for reply in replies if reply.owner_id is None],
                           may_edit=canned.may_edit, may_share=canned.may_share(current_user),
                           action_form=EmptyForm())


@bp.route("/tickets/canned-replies/new", methods=["GET", "POST"], defaults={"reply_id": None})
@bp.route("/tickets/canned-replies/<int:reply_id>/edit", methods=["GET", "POST"])
@staff_only
def edit_canned_reply(reply_id):
    reply = canned.editable_reply(reply_id, current_user) if reply_id else None
    form = CannedReplyForm(obj=reply).for_user(current_user)
    if request.method == "GET":
        start_form(form, reply)
    if form.validate_on_submit():
        try:
            saved = canned.save(reply, current_user, title=form.title.data, body=form.body.data, shared=form.shared)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error, {"shared": "scope"})
        else:
            flash(_("Template “%(title)s” saved.", title=saved.title), "success")
            return redirect(url_for("helpdesk.canned_replies"))
    return render_template("helpdesk/canned/form.html", form=form, reply=reply,
                           placeholders=canned.PLACEHOLDERS, action_form=EmptyForm())


def start_form(form, reply):
    """What the form starts with: the template's own scope, or for a new one a copy of a template
    the person sees (?copy=<id>: an agent adapts a shared one), or nothing."""
    if reply is not None:
        if form.scope is not None:
            form.scope.data = "shared" if reply.owner_id is None else "personal"
        return
    copy_id = request.args.get("copy", type=int)
    if copy_id:
        try:
            original = canned.visible_reply(copy_id, current_user)
        except NotFound:
            return  # a stale or foreign link: an empty form, as for a new template
        form.title.data = _("Copy of %(title)s", title=original.title)[:canned.TITLE_MAX]
        form.body.data = original.body


@bp.post("/tickets/canned-replies/<int:reply_id>/delete")
@staff_only
def delete_canned_reply(reply_id):
    reply = canned.editable_reply(reply_id, current_user)
    return run_action(lambda: reply, lambda reply, form: canned.delete(reply, current_user),
                      done=_("Template “%(title)s” deleted.", title=reply.title),
                      to=url_for("helpdesk.canned_replies"))


@bp.get("/tickets/<int:ticket_id>/canned-replies")
@staff_only
def canned_for_ticket(ticket_id):
    """The picker's list: the templates this person sees, filled in for this ticket, for staff who
    work on it (404 for a ticket they may not see, 403 for its requester)."""
    ticket = visible_ticket(ticket_id, current_user)
    require_staff(current_user, ticket)
    replies = canned.filled_for_ticket(current_user, ticket, requester_link(ticket))
    response = jsonify(ticket_id=ticket.id, replies=FilledReplySchema(many=True).dump(replies))
    response.headers["Cache-Control"] = "private, no-store"  # holds the requester's private link
    return response
