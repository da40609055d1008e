"""Canned replies: the reply templates staff insert from a ticket's reply box.

The rules:

- a template is **shared** (no owner: every admin and agent sees it) or **personal** (one admin's
  or agent's own: nobody else sees it, admins included, so nobody's picker fills up with other
  people's drafts);
- admins create, edit and delete shared templates; admins and agents create, edit and delete
  their own personal ones. Agents cannot share: what the whole desk says is an admin's call;
- titles are unique, ignoring case and spacing, among one person's templates and among the
  shared ones (a personal template may have a shared one's title: the picker marks which is which);
- a body holds at most BODY_MAX characters and only the placeholders in PLACEHOLDERS; it is
  filled in on the server for the ticket being answered (`filled_for_ticket`), never in the
  browser, so one ticket's secret tracking link can only ever land in that ticket's reply;
- every change writes an audit row in the same transaction.
"""
import re
import unicodedata
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from extensions import db
from models import CannedReply, Role, valid_id
from services import audit
from services.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from services.timeutil import utcnow

TITLE_MAX = 120  # the column's length
BODY_MAX = 5000  # a reply is at most 20 000 (tickets.BODY_MAX): room left for what the placeholders become
STAFF_ROLES = (Role.ADMIN, Role.AGENT)

# {name}, forgiving {{name}} and { name } (people used to other tools type those); a name starts
# with a letter, so "{1}" or "{ }" are left alone as text.
PLACEHOLDER = re.compile(r"\{\{?\s*([^\W\d]\w*)\s*\}\}?")
# What each placeholder becomes, in the order the forms list them.
PLACEHOLDERS = {
    "requester_name": _l("the requester's name"),
    "ticket_number": _l("the ticket's number, e.g. TKT-000123"),
    "ticket_title": _l("the ticket's title"),
    "tracking_link": _l("where the requester follows the ticket: their private tracking link if they have no "
                        "account, otherwise the ticket's page"),
    "agent_name": _l("your name (whoever inserts the template)"),
}
# Characters that would turn a filled-in name or title into Markdown (a link, emphasis, code):
# a requester names themselves; their name must not become a link in a staff reply.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]])")
ADVISORY_LOCK_CLASS = 0x43524550  # PostgreSQL advisory lock space of canned-reply titles ("CREP")


@dataclass(frozen=True)
class FilledReply:
    """A template as the picker offers it for one ticket."""

    id: int
    title: str
    shared: bool
    body: str


# --- who may do what ----------------------------------------------------------------------------


def is_staff(user):
    return user is not None and user.is_authenticated and user.role in STAFF_ROLES


def may_share(user):
    return is_staff(user) and user.role == Role.ADMIN


def may_see(user, reply):
    return is_staff(user) and (reply.owner_id is None or reply.owner_id == user.id)


def may_edit(user, reply):
    return may_see(user, reply) and (reply.owner_id == user.id or may_share(user))


def visible_reply(reply_id, user):
    """The template if `user` may see it; NotFound otherwise, whether or not it exists (someone
    else's personal template is nobody's business)."""
    reply = db.session.get(CannedReply, reply_id) if valid_id(reply_id) else None
    if reply is None or not may_see(user, reply):
        raise NotFound(_l("This reply template does not exist or is not yours to see."))
    return reply


def editable_reply(reply_id, user):
    """The template if `user` may change it: NotFound as in `visible_reply`, NotAllowed for a
    shared template an agent sees but may not change."""
    reply = visible_reply(reply_id, user)
    if not may_edit(user, reply):
        raise NotAllowed(_l("Only admins change shared reply templates. Copy it into your own to adapt it."))
    return reply


# --- reading ------------------------------------------------------------------------------------


def sort_key(title):
    """Alphabetical, ignoring case and accents ("Ñ" next to "N", "Árbol" among the "A"s)."""
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)), title


def visible_replies(user):
    """`user`'s own templates, then the shared ones, each alphabetically."""
    if not is_staff(user):
        return []
    rows = db.session.scalars(select(CannedReply).where(
        (CannedReply.owner_id.is_(None)) | (CannedReply.owner_id == user.id))).all()
    return sorted(rows, key=lambda reply: (reply.owner_id is None, sort_key(reply.title)))


# --- placeholders -------------------------------------------------------------------------------


def unknown_placeholders(body):
    """The placeholder names in `body` that PLACEHOLDERS does not know, each once, in order."""
    found = [match.group(1) for match in PLACEHOLDER.finditer(body or "")]
    return list(dict.fromkeys(name for name in found if name not in PLACEHOLDERS))


def placeholder_list():
    return ", ".join("{" + name + "}" for name in PLACEHOLDERS)


def as_markdown_text(value):
    """A value shown as typed in a Markdown reply: one line, Markdown's own characters escaped,
    "<" as an entity (no HTML tag, no <link>)."""
    one_line = " ".join(str(value or "").split())
    return MARKDOWN_SPECIAL.sub(r"\\\1", one_line).replace("<", "&lt;")


def placeholder_values(ticket, agent, requester_link):
    """What each placeholder becomes in a reply to `ticket` written by `agent`. `requester_link`
    is the absolute link the requester follows this ticket at (the route builds it the way the
    mail does), written as a Markdown autolink so the reply shows it as a link."""
    return {
        "requester_name": as_markdown_text(ticket.requester_name),
        "ticket_number": ticket.number,
        "ticket_title": as_markdown_text(ticket.title),
        "tracking_link": f"<{requester_link}>",
        "agent_name": as_markdown_text(agent.display_name),
    }


def fill(body, values):
    """`body` with each known placeholder replaced; an unknown one (a template saved before a
    placeholder was retired) stays as written rather than failing."""
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), body)


def filled_for_ticket(user, ticket, requester_link):
    """The templates `user` sees, filled in for `ticket`. The route has checked that `user` works
    on the ticket."""
    values = placeholder_values(ticket, user, requester_link)
    return [FilledReply(reply.id, reply.title, reply.owner_id is None, fill(reply.body, values))
            for reply in visible_replies(user)]


# --- changing -----------------------------------------------------------------------------------


def snapshot(reply):
    return {"title": reply.title, "owner_id": reply.owner_id, "body": reply.body}


def save(reply, actor, *, title, body, shared=False, now=None):
    """Create (`reply` None) or change a template, with its audit row. `shared` asks for a shared
    template (admins only); otherwise it is `actor`'s own."""
    if not is_staff(actor):
        raise NotAllowed(_l("Only admins and agents keep reply templates."))
    if reply is not None and not may_edit(actor, reply):
        raise NotAllowed(_l("Only admins change shared reply templates. Copy it into your own to adapt it."))
    if shared and not may_share(actor):
        raise NotAllowed(_l("Only admins share reply templates with everyone."), field="shared")
    title, body = _clean_title(title), _clean_body(body)
    owner_id = None if shared else actor.id
    _lock_titles_of(owner_id)
    if _title_taken(title, owner_id, reply.id if reply else None):
        raise Conflict(_title_taken_message(shared), field="title")
    now = now or utcnow()
    before = snapshot(reply) if reply else None
    if reply is None:
        reply = CannedReply(created_at=now)
        db.session.add(reply)
    reply.owner_id, reply.title, reply.body, reply.updated_at = owner_id, title, body, now
    db.session.flush()
    audit.record(actor, "canned_reply.updated" if before else "canned_reply.created", "canned_reply", reply.id,
                 before=before, after=snapshot(reply))
    try:
        db.session.commit()
    except IntegrityError:  # the owner's account was deleted meanwhile
        db.session.rollback()
        raise Conflict(_l("The template could not be saved; reload the page and try again.")) from None
    return reply


def delete(reply, actor):
    if not may_edit(actor, reply):
        raise NotAllowed(_l("Only admins change shared reply templates. Copy it into your own to adapt it."))
    audit.record(actor, "canned_reply.deleted", "canned_reply", reply.id, before=snapshot(reply))
    db.session.delete(reply)
    db.session.commit()


def _clean_title(value):
    title = " ".join((value or "").split())
    if not title:
        raise ValidationFailed(_l("Give the template a title."), field="title")
    if len(title) > TITLE_MAX:
        raise ValidationFailed(_l("At most %(count)d characters.", count=TITLE_MAX), field="title")
    return title


def _clean_body(value):
    body = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        raise ValidationFailed(_l("Write the text of the reply."), field="body")
    if len(body) > BODY_MAX:
        raise ValidationFailed(_l("At most %(count)d characters.", count=BODY_MAX), field="body")
    unknown = unknown_placeholders(body)
    if unknown:  # said at once, in the request's language (this runs while a form is being saved)
        raise ValidationFailed(ngettext("Unknown placeholder: %(names)s. The ones that work: %(known)s.",
                                        "Unknown placeholders: %(names)s. The ones that work: %(known)s.",
                                        len(unknown), names=", ".join("{" + name + "}" for name in unknown),
                                        known=placeholder_list()), field="body")
    if _holds_a_tracking_link(body):
        raise ValidationFailed(_l("This text holds one ticket's private tracking link. Write {tracking_link} "
                                  "instead: each ticket then gets its own link."), field="body")
    return body


def _holds_a_tracking_link(body):
    """A tracking link pasted from one ticket would send every requester to that ticket."""
    path = current_app.url_map.bind("localhost").build("helpdesk.track", {"token": "TOKEN"})
    prefix = re.escape(path.removesuffix("TOKEN"))
    return re.search(prefix + r"[A-Za-z0-9_-]{8,}", body) is not None


def _lock_titles_of(owner_id):
    """Two saves in one scope at once (two admins naming a shared template alike) take turns on
    PostgreSQL, so both cannot pass the title check; SQLite has one writer at a time anyway."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:space, :owner)"),
                           {"space": ADVISORY_LOCK_CLASS, "owner": owner_id or 0})


def _title_taken(title, owner_id, exclude_id):
    """Compared in Python: SQLite's lower() leaves "Ñ" and "É" as they are. One person's titles are few."""
    scope = CannedReply.owner_id.is_(None) if owner_id is None else CannedReply.owner_id == owner_id
    wanted = title.casefold()
    rows = db.session.execute(select(CannedReply.id, CannedReply.title).where(scope)).all()
    return any(row.title.casefold() == wanted and row.id != exclude_id for row in rows)


def _title_taken_message(shared):
    if shared:
        return _l("A shared template already has this title.")
    return _l("One of your templates already has this title.")
