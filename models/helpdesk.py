"""The helpdesk: catalogues (priorities, areas, categories, locations), tickets, their
conversation and attachments."""
import enum
import secrets
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, event, literal_column
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.schema import DDL

from extensions import db
from models.accounts import User, UTCDateTime, enum_column, utcnow


class Priority(db.Model):
    """low, medium, high, critical: each with the hours that set a ticket's due time."""

    __tablename__ = "priorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    level: Mapped[int] = mapped_column(Integer)
    response_hours: Mapped[int] = mapped_column(Integer)
    resolution_hours: Mapped[int] = mapped_column(Integer)


class Area(db.Model):
    """A team that owns a kind of work (Soporte Técnico, Facturación)."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    categories: Mapped[list["Category"]] = relationship(back_populates="area", order_by="Category.name")


class Category(db.Model):
    """A kind of request inside an area; it gives new tickets their default priority."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    name: Mapped[str] = mapped_column(String(120))
    default_priority_id: Mapped[int] = mapped_column(ForeignKey("priorities.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    area: Mapped[Area] = relationship(back_populates="categories")
    default_priority: Mapped[Priority] = relationship()

    __table_args__ = (UniqueConstraint("area_id", "name"),)


class Location(db.Model):
    """Where the problem is (ubicación): a building, an office, a department."""

    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AgentArea(db.Model):
    """An area an agent works for; new tickets of the area may be assigned to them."""

    __tablename__ = "agent_areas"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True, index=True)


# --- Helpdesk tickets --------------------------------------------------------------------


class TicketStatus(str, enum.Enum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    CLOSED = "closed"

    def __str__(self):
        return self.value


class Sequence(db.Model):
    """A named counter (ticket numbers); incremented in one upsert, its row lock keeps numbers gap-free."""

    __tablename__ = "sequences"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


def new_tracking_token():
    return secrets.token_urlsafe(24)


class Ticket(db.Model):
    """A helpdesk ticket, TKT-000123. The requester is an account or, for tickets filed without
    one, a name and email who follow the ticket through its secret tracking link."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[TicketStatus] = mapped_column(enum_column(TicketStatus), default=TicketStatus.OPEN)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    priority_id: Mapped[int] = mapped_column(ForeignKey("priorities.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id", ondelete="SET NULL"))
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requester_name: Mapped[str] = mapped_column(String(120))
    requester_email: Mapped[str | None] = mapped_column(String(255))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    tracking_token: Mapped[str] = mapped_column(String(40), unique=True, default=new_tracking_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by a public staff reply, cleared when the requester answers: the auto-close clock.
    awaiting_requester_since: Mapped[datetime | None] = mapped_column(UTCDateTime)

    category: Mapped[Category] = relationship()
    area: Mapped[Area] = relationship()
    priority: Mapped[Priority] = relationship()
    location: Mapped[Location | None] = relationship()
    requester: Mapped[User | None] = relationship(foreign_keys=[requester_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    comments: Mapped[list["TicketComment"]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", order_by="TicketComment.id"
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", order_by="Attachment.id"
    )

    __table_args__ = (
        db.Index("ix_tickets_status_created", "status", "created_at"),
        db.Index("ix_tickets_created_at", "created_at"),
        db.Index("ix_tickets_requester", "requester_id", "created_at"),
        db.Index("ix_tickets_assignee_status", "assignee_id", "status"),
        db.Index("ix_tickets_area_status", "area_id", "status"),
        db.Index("ix_tickets_category", "category_id"),
        db.Index("ix_tickets_priority", "priority_id"),
        db.Index("ix_tickets_due_at", "due_at"),
        db.Index("ix_tickets_awaiting", "awaiting_requester_since"),
        db.Index("ix_tickets_closed_at", "closed_at"),
        # Ids are never reused (SQLite would reuse a deleted one), so the audit trail of a
        # deleted ticket can never attach itself to a new one.
        {"sqlite_autoincrement": True},
    )

    @property
    def is_closed(self):
        return self.status == TicketStatus.CLOSED

    @property
    def is_anonymous(self):
        return self.requester_id is None

    def is_overdue(self, now):
        return not self.is_closed and self.due_at is not None and self.due_at < now


# Full-text search on PostgreSQL reads a stored generated column, so a row's words are computed
# once when it is written, never again per row while a query filters; a GIN index serves it.
# SQLite has neither tsvector nor this column and searches with LIKE. The migration creates
# the same column and index.
SEARCH_DOCUMENT_SQL = "to_tsvector('simple', number || ' ' || requester_name || ' ' || title || ' ' || description)"
event.listen(Ticket.__table__, "after_create", DDL(
    f"ALTER TABLE tickets ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({SEARCH_DOCUMENT_SQL}) STORED"
).execute_if(dialect="postgresql"))
event.listen(Ticket.__table__, "after_create", DDL(
    "CREATE INDEX ix_tickets_search ON tickets USING gin (search_vector)").execute_if(dialect="postgresql"))


def ticket_search_document():
    """The PostgreSQL-only search column, for `@@` queries."""
    return literal_column("tickets.search_vector")


def include_in_schema_compare(obj, name, type_, reflected, compare_to):
    """The search column and its index live outside the models (PostgreSQL only, see above)."""
    return not ((type_ == "index" and name == "ix_tickets_search") or (type_ == "column" and name == "search_vector"))


class TicketComment(db.Model):
    """A public reply between requester and staff, or an internal note only staff see."""

    __tablename__ = "ticket_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(120))  # kept for anonymous requesters and deleted accounts
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    from_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="comment", order_by="Attachment.id")

    __table_args__ = (db.Index("ix_ticket_comments_ticket", "ticket_id", "created_at"),)


class Attachment(db.Model):
    """A file on a ticket or on one of its replies, stored outside static/ under a random name.
    When the file is removed (retention), the row stays as the record that it existed."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_comments.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    ticket: Mapped[Ticket] = relationship(back_populates="attachments")
    comment: Mapped[TicketComment | None] = relationship(back_populates="attachments")


class CaptchaChallenge(db.Model):
    """A CAPTCHA image shown at /soporte, kept on the server so each answer works once. Only an
    HMAC of the answer is stored; the browser's session holds the nonce."""

    __tablename__ = "captcha_challenges"

    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
