"""The forms of a ticket's followers and copies, and what its page needs to show them
(`followers_context`, which the ticket page and the tracking page both add to theirs)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField

from services.helpdesk import watchers
from services.helpdesk.access import is_staff_for
from web.forms import EmptyForm, strip_text


class CopyForm(FlaskForm):
    # The service checks the address, length included (one rule for every way in, in our words).
    email = EmailField(_l("Email address"), filters=[strip_text],
                       render_kw={"autocomplete": "email", "placeholder": _l("name@example.org")})


class RemoveCopyForm(FlaskForm):
    email = HiddenField()


def followers_context(ticket, viewer, public_token=None):
    """Followers (for staff) and copies (for the requester, through the link or signed in, and
    staff) of `ticket` as `viewer` sees them; `public_token`: the tracking page's."""
    staff = is_staff_for(viewer, ticket)
    following = watchers.watchers(ticket) if staff else []
    return {
        "can_follow": staff,
        "following": any(person.id == viewer.id for person in following),
        "followers": following,
        "can_manage_copies": public_token is not None or watchers.may_manage_copies(viewer, ticket),
        "copies": watchers.copies(ticket),
        "max_copies": watchers.MAX_COPIES,
        "copy_form": CopyForm(formdata=None),
        "remove_copy_form": RemoveCopyForm(formdata=None),
        "follow_form": EmptyForm(formdata=None),
    }
