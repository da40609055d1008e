"""Attachment downloads: only for people who may see the ticket, through the same checks as its page.

Files are sent with the content type found when they were uploaded, under a sandboxing CSP, and
as downloads except images, so an uploaded file can never run as a page of this site.
"""
from flask import send_file
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from routes.helpdesk import bp
from services.errors import NotFound
from services.helpdesk import attachments, tickets
from services.helpdesk.access import is_staff_for, ticket_by_token, visible_ticket

FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; frame-ancestors 'none'"


@bp.get("/tickets/<int:ticket_id>/files/<int:attachment_id>")
@login_required
def download(ticket_id, attachment_id):
    ticket = visible_ticket(ticket_id, current_user)
    attachment = tickets.attachment_of(ticket, attachment_id, include_internal=is_staff_for(current_user, ticket))
    return send_attachment(attachment)


@bp.get("/soporte/t/<token>/files/<int:attachment_id>")
def public_download(token, attachment_id):
    ticket = ticket_by_token(token)
    attachment = tickets.attachment_of(ticket, attachment_id, include_internal=False)
    return send_attachment(attachment)


def send_attachment(attachment):
    path = attachments.file_path(attachment)
    inline = attachment.content_type in attachments.IMAGE_TYPES
    try:  # a file gone from disk (retention, a lost volume) is "not found", never a server error
        if not path.is_file():
            raise FileNotFoundError(path)
        response = send_file(path, mimetype=attachment.content_type, as_attachment=not inline,
                             download_name=attachment.original_name, conditional=True)
    except FileNotFoundError:
        raise NotFound(_l("This file is no longer available.")) from None
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.cache_control.private = True
    return response
