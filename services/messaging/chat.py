"""Private one-to-one chat: who may talk with whom, conversations, messages, unread counts and
read state.

Who may chat (the same rule for pages, JSON and sockets):
- a requester (role user) with the agents assigned to their tickets, and with admins;
- staff roles (admin, agent, staff, registrar) with each other;
- admins with anyone. Deactivated accounts and oneself are never contacts.

A conversation is created by its first message. Text is kept as typed (trimmed, control
characters removed, at most MAX_LENGTH characters) and is only ever shown as text, escaped by
Jinja or set with textContent, never as HTML: markup someone writes is shown, never run.
"""
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, true, update
from sqlalchemy.orm import selectinload

import events
from extensions import db, upsert_into
from models import ChatMessage, Conversation, Role, Ticket, User
from services.errors import NotAllowed, NotFound, ValidationFailed
from services.timeutil import utcnow

STAFF_ROLES = (Role.ADMIN, Role.AGENT, Role.STAFF, Role.REGISTRAR)
MAX_LENGTH = 2000
PAGE_SIZE = 30  # messages per page of history
CATCH_UP_LIMIT = 200  # messages per catch-up answer after a reconnect; more means another request
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


# --- who may chat with whom ----------------------------------------------------------------------


def contact_condition(user):
    """SQL condition on User: the people `user` may chat with (besides being active and not themselves)."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.USER:
        their_agents = select(Ticket.assignee_id).where(Ticket.requester_id == user.id, Ticket.assignee_id.is_not(None))
        return or_(User.role == Role.ADMIN, (User.role == Role.AGENT) & User.id.in_(their_agents))
    staff = User.role.in_(STAFF_ROLES)
    if user.role == Role.AGENT:
        requesters = select(Ticket.requester_id).where(Ticket.assignee_id == user.id, Ticket.requester_id.is_not(None))
        return or_(staff, (User.role == Role.USER) & User.id.in_(requesters))
    return staff


def _contacts_query(user):
    return select(User).where(User.active.is_(True), User.id != user.id, contact_condition(user))


def contacts(user):
    """Everyone `user` may start a conversation with, by name."""
    return list(db.session.scalars(_contacts_query(user).order_by(User.full_name, User.username)))


def contact_ids(user, user_ids):
    """The subset of `user_ids` that `user` may chat with, in one query."""
    user_ids = [uid for uid in set(user_ids) if isinstance(uid, int)]
    if not user_ids:
        return set()
    return set(db.session.scalars(_contacts_query(user).where(User.id.in_(user_ids)).with_only_columns(User.id)))


def chat_partner(user, other_id):
    """The person `other_id` if `user` may chat with them, else None."""
    if not isinstance(other_id, int) or isinstance(other_id, bool):
        return None
    return db.session.scalar(_contacts_query(user).where(User.id == other_id))


# --- conversations -------------------------------------------------------------------------------


def _pair(a_id, b_id):
    return (a_id, b_id) if a_id < b_id else (b_id, a_id)


def conversation_between(a_id, b_id):
    first, second = _pair(a_id, b_id)
    return db.session.scalar(select(Conversation).where(Conversation.first_user_id == first,
                                                        Conversation.second_user_id == second))


def _conversation_for_pair(a_id, b_id):
    """The pair's conversation, created if needed. Two first messages at once meet at the unique
    pair: ON CONFLICT DO NOTHING lets the second one find the first one's row."""
    found = conversation_between(a_id, b_id)
    if found is not None:
        return found
    first, second = _pair(a_id, b_id)
    db.session.execute(upsert_into(Conversation.__table__)
                       .values(first_user_id=first, second_user_id=second, created_at=utcnow())
                       .on_conflict_do_nothing(index_elements=["first_user_id", "second_user_id"]))
    return conversation_between(a_id, b_id)


def participants_of(conversation):
    return (conversation.first_user_id, conversation.second_user_id)


def conversation_for(user, conversation_id):
    """A conversation `user` takes part in (with both people loaded); NotFound otherwise."""
    conversation = db.session.scalar(
        select(Conversation).where(Conversation.id == conversation_id,
                                   or_(Conversation.first_user_id == user.id, Conversation.second_user_id == user.id))
        .options(selectinload(Conversation.first_user), selectinload(Conversation.second_user)))
    if conversation is None:
        raise NotFound(_l("This conversation does not exist or is not yours."))
    return conversation


def conversations_of(user):
    """The chat list: [(conversation, other person, last message, unread count)], latest first,
    in four queries whatever the number of conversations."""
    conversations = list(db.session.scalars(
        select(Conversation)
        .where(or_(Conversation.first_user_id == user.id, Conversation.second_user_id == user.id),
               Conversation.last_message_at.is_not(None))
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .options(selectinload(Conversation.first_user), selectinload(Conversation.second_user))))
    if not conversations:
        return []
    ids = [c.id for c in conversations]
    latest = select(func.max(ChatMessage.id)).where(ChatMessage.conversation_id.in_(ids)).group_by(
        ChatMessage.conversation_id)
    last = {m.conversation_id: m for m in db.session.scalars(select(ChatMessage).where(ChatMessage.id.in_(latest)))}
    unread = unread_counts(user)
    return [(c, c.other(user.id), last.get(c.id), unread.get(c.id, 0)) for c in conversations]


# --- messages ------------------------------------------------------------------------------------


def clean_body(text):
    text = CONTROL_CHARACTERS.sub("", str(text or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        raise ValidationFailed(_l("Write a message first."), field="body")
    if len(text) > MAX_LENGTH:
        raise ValidationFailed(_l("A message may have at most %(n)d characters.", n=MAX_LENGTH), field="body")
    return text


def message_payload(message, names=None):
    """A message as pages and sockets see it (the body is text: show it with textContent)."""
    return {"id": message.id, "conversation_id": message.conversation_id, "sender_id": message.sender_id,
            "sender_name": (names or {}).get(message.sender_id), "body": message.body,
            "created_at": message.created_at.isoformat(),
            "read_at": message.read_at.isoformat() if message.read_at else None}


def send_message(sender, body, to_user_id=None, conversation_id=None, now=None):
    """Store a message to a person (or in a conversation) `sender` may write to; both people's
    pages hear it after commit (`events.chat_message_sent`), and the recipient's unread counts go up."""
    if conversation_id is not None:
        conversation = conversation_for(sender, conversation_id)
        recipient = chat_partner(sender, conversation.other(sender.id).id)
        if recipient is None:
            raise NotAllowed(_l("You can no longer write to this person."))
    else:
        recipient = chat_partner(sender, to_user_id)
        if recipient is None:
            raise NotFound(_l("There is nobody you may chat with here."))
        conversation = None
    text = clean_body(body)
    conversation = conversation or _conversation_for_pair(sender.id, recipient.id)
    now = now or utcnow()
    message = ChatMessage(conversation_id=conversation.id, sender_id=sender.id, body=text, created_at=now)
    conversation.last_message_at = now
    db.session.add(message)
    db.session.flush()
    events.chat_message_sent.send(message, author=sender, recipient=recipient)
    db.session.commit()
    return message


def history(conversation, before=None, after=None):
    """One page of a conversation, oldest first, in one query: the PAGE_SIZE messages before
    `before` (paging back), the ones after `after` (catching up after a reconnect), or the
    latest page. Returns (messages, has_more)."""
    query = select(ChatMessage).where(ChatMessage.conversation_id == conversation.id)
    if after is not None:
        limit = CATCH_UP_LIMIT
        query = query.where(ChatMessage.id > after).order_by(ChatMessage.id)
    else:
        limit = PAGE_SIZE
        if before is not None:
            query = query.where(ChatMessage.id < before)
        query = query.order_by(ChatMessage.id.desc())
    messages = list(db.session.scalars(query.limit(limit + 1)))
    has_more = len(messages) > limit
    messages = messages[:limit]
    return (messages if after is not None else messages[::-1]), has_more


def read_up_to(conversation, user):
    """The newest of `user`'s messages the other person has read (0 when none)."""
    return db.session.scalar(select(func.max(ChatMessage.id)).where(
        ChatMessage.conversation_id == conversation.id, ChatMessage.sender_id == user.id,
        ChatMessage.read_at.is_not(None))) or 0


# --- unread and read -----------------------------------------------------------------------------


def _unread_for(user):
    mine = or_(Conversation.first_user_id == user.id, Conversation.second_user_id == user.id)
    return (select(ChatMessage.conversation_id, func.count()).join(Conversation)
            .where(mine, ChatMessage.read_at.is_(None),
                   or_(ChatMessage.sender_id.is_(None), ChatMessage.sender_id != user.id))
            .group_by(ChatMessage.conversation_id))


def unread_counts(user):
    """{conversation_id: messages to `user` not read yet}, in one query."""
    return dict(db.session.execute(_unread_for(user)).all())


def unread_total(user):
    return sum(unread_counts(user).values())


def unread_summary(user, conversation_id):
    """What the `chat:unread` event tells `user`: this conversation's count and the total."""
    counts = unread_counts(user)
    return {"conversation_id": conversation_id, "unread": counts.get(conversation_id, 0),
            "total": sum(counts.values())}


def mark_read(user, conversation, up_to_id=None, now=None):
    """`user` has seen the other person's messages up to `up_to_id` (all when None). The sender
    hears "read"; the reader's other tabs get their counts. Returns the number newly read."""
    now = now or utcnow()
    query = (update(ChatMessage)
             .where(ChatMessage.conversation_id == conversation.id, ChatMessage.read_at.is_(None),
                    or_(ChatMessage.sender_id.is_(None), ChatMessage.sender_id != user.id))
             .values(read_at=now).execution_options(synchronize_session=False))
    if up_to_id is not None:
        query = query.where(ChatMessage.id <= up_to_id)
    count = db.session.execute(query).rowcount
    if count:
        newest = db.session.scalar(select(func.max(ChatMessage.id)).where(
            ChatMessage.conversation_id == conversation.id, ChatMessage.sender_id != user.id,
            ChatMessage.read_at.is_not(None)))
        events.chat_messages_read.send(conversation, reader=user, up_to_id=newest, read_at=now)
    db.session.commit()
    return count
