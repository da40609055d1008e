"""Notifications, private chat and presence."""
import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.accounts import User, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:  # only named in annotations; SQLAlchemy resolves them by name
    from models.helpdesk import Ticket


class NotificationKind(str, enum.Enum):
    ASSIGNED = "assigned"  # a ticket was assigned to you
    REPLY = "reply"  # someone answered on your ticket
    STATUS = "status"  # your ticket changed status

    def __str__(self):
        return self.value


class Notification(db.Model):
    """Something that happened for one person, kept until read (the bell in the navigation bar)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(enum_column(NotificationKind))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    actor_name: Mapped[str | None] = mapped_column(String(120))
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # what the text needs: number, title, status ...
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    ticket: Mapped["Ticket | None"] = relationship()

    __table_args__ = (
        db.Index("ix_notifications_user", "user_id", "id"),
        db.Index("ix_notifications_unread", "user_id", "read_at"),
    )


class Conversation(db.Model):
    """A one-to-one chat; the pair is stored lower id first, so each pair has one conversation."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    second_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    first_user: Mapped[User] = relationship(foreign_keys=[first_user_id])
    second_user: Mapped[User] = relationship(foreign_keys=[second_user_id])

    __table_args__ = (UniqueConstraint("first_user_id", "second_user_id"),)

    def other(self, user_id):
        return self.second_user if user_id == self.first_user_id else self.first_user


class ChatMessage(db.Model):
    __tablename__ = "chat_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the other person saw it

    sender: Mapped[User | None] = relationship()

    __table_args__ = (
        db.Index("ix_chat_messages_conversation", "conversation_id", "id"),
        db.Index("ix_chat_messages_unread", "conversation_id", "read_at"),
    )


class SocketConnection(db.Model):
    """An open Socket.IO connection of a signed-in person, in whichever server process. Presence
    is read from here, so it holds across processes, tabs and restarts: a process that dies
    stops refreshing `seen_at`, and its rows go stale."""

    __tablename__ = "socket_connections"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    process: Mapped[str] = mapped_column(String(64))
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
