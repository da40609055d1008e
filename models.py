"""The data model: every table and enum, read top to bottom in sections: accounts and settings,
the walk-in queue, the helpdesk, messaging (notifications, chat, presence), jobs (the mail outbox
and job runs). Importing it registers every table with the metadata.

Timestamps are stored in UTC (`UTCDateTime` returns aware datetimes on every database) and
shown in the organisation's timezone.
"""
import enum
import secrets
from datetime import UTC, date, datetime, time

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import (JSON, Boolean, Date, DateTime, Enum, ForeignKey, Integer, SmallInteger, String, Text, Time,
                        UniqueConstraint, event, literal_column)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.schema import DDL
from sqlalchemy.types import TypeDecorator
from werkzeug.security import check_password_hash, generate_password_hash

from extensions import db

# =================================================================================================
# Accounts and settings: people, run-time settings, the audit trail; the column types every table uses.
# =================================================================================================


def utcnow():
    return datetime.now(UTC)


MAX_ID = 2_147_483_647  # the largest integer id both databases hold


def valid_id(value):
    """An id that may exist: a positive int the database can hold (a bigger one would overflow
    the query instead of simply finding nothing)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


class UTCDateTime(TypeDecorator):
    """Naive UTC in the database, aware UTC in Python, so SQLite and PostgreSQL behave alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=UTC) if value is not None else None


def new_session_token():
    return secrets.token_hex(16)


class Role(str, enum.Enum):
    ADMIN = "admin"
    STAFF = "staff"  # counter attendant
    REGISTRAR = "registrar"  # kiosk
    AGENT = "agent"  # helpdesk technician
    USER = "user"  # requester

    def __str__(self):
        return self.value


def enum_column(enum_class, length=16):
    """Stored as its value in a VARCHAR, so adding a member never needs a type migration."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)  # stored lower-case
    email: Mapped[str | None] = mapped_column(String(255), unique=True)  # stored lower-case
    full_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.USER, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str | None] = mapped_column(String(8))
    # Changes on every password change or deactivation, which ends every open session.
    session_token: Mapped[str] = mapped_column(String(32), unique=True, default=new_session_token)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Helpdesk agents: contact, specialty, whether new tickets may go to them, and when one last
    # did (the tie-breaker that spreads work evenly).
    phone: Mapped[str] = mapped_column(String(40), default="")
    specialty: Mapped[str] = mapped_column(String(100), default="")
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    last_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when their last socket closed

    counter: Mapped["Counter | None"] = relationship(back_populates="staff")
    areas: Mapped[list["Area"]] = relationship(secondary="agent_areas", order_by="Area.name")
    # Counters a staff member may pick at the panel; none listed means any active counter.
    allowed_counters: Mapped[list["Counter"]] = relationship(secondary="staff_counters", order_by="Counter.position")

    def set_password(self, password):
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        self.session_token = new_session_token()

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    # Flask-Login keeps this in the session instead of the id, so a new token logs the user out.
    def get_id(self):
        return self.session_token

    @property
    def is_active(self):
        return self.active

    @property
    def display_name(self):
        return self.full_name or self.username

    def has_role(self, *roles):
        return self.role in roles

    def __repr__(self):
        return f"<User {self.username} {self.role.value}>"


class Setting(db.Model):
    """Run-time settings an admin changes in the web pages (organisation, SMTP, ...)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[object | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AuditLog(db.Model):
    """Who changed what, when, and the values before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The account's username, kept when the account is deleted; for someone without an account
    # (a requester through the tracking link) their name, with `actor_via` saying how they acted.
    actor_name: Mapped[str | None] = mapped_column(String(120))
    actor_via: Mapped[str | None] = mapped_column(String(16))  # "link": the ticket's tracking link
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()

    __table_args__ = (db.Index("ix_audit_log_entity", "entity_type", "entity_id"),)


# =================================================================================================
# Walk-in queue: services and their hours, counters, and the numbered queue tickets.
# =================================================================================================


class Service(db.Model):
    """A line people queue for at the kiosk (A "General", B "Caja", ...)."""

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(3), unique=True)
    color: Mapped[str] = mapped_column(String(7), default="#0d6efd")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    hours: Mapped[list["ServiceHours"]] = relationship(
        back_populates="service", cascade="all, delete-orphan",
        order_by=lambda: [ServiceHours.weekday, ServiceHours.opens_at],
    )


class ServiceHours(db.Model):
    """One opening period of a service on a weekday (0 = Monday). No rows: always open."""

    __tablename__ = "service_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    opens_at: Mapped[time] = mapped_column(Time)
    closes_at: Mapped[time] = mapped_column(Time)

    service: Mapped[Service] = relationship(back_populates="hours")


class CounterState(str, enum.Enum):
    """Whether a counter is calling now. Its staff close it or take a break, with a reason the
    call screen shows; estimates count only open counters."""

    OPEN = "open"
    BREAK = "break"
    CLOSED = "closed"

    def __str__(self):
        return self.value


class Counter(db.Model):
    """A desk where a staff member calls queue tickets (módulo, ventanilla)."""

    __tablename__ = "counters"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # the admin's switch: an inactive one is not used
    position: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[CounterState] = mapped_column(enum_column(CounterState), default=CounterState.OPEN)
    state_reason: Mapped[str] = mapped_column(String(80), default="")
    state_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    service_links: Mapped[list["CounterService"]] = relationship(
        back_populates="counter", cascade="all, delete-orphan", order_by="CounterService.position"
    )
    staff: Mapped[list[User]] = relationship(back_populates="counter")


class StaffCounter(db.Model):
    """A counter a staff member is allowed to work at."""

    __tablename__ = "staff_counters"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counters.id", ondelete="CASCADE"), primary_key=True)


class CounterService(db.Model):
    """The services a counter serves, in the order it prefers them."""

    __tablename__ = "counter_services"

    counter_id: Mapped[int] = mapped_column(ForeignKey("counters.id", ondelete="CASCADE"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    counter: Mapped[Counter] = relationship(back_populates="service_links")
    service: Mapped[Service] = relationship()


class Screen(db.Model):
    """A named call screen (a TV in a waiting room) at /screen/<slug>: the services it shows (none
    listed: all), its language, how many earlier calls it lists and a message that scrolls along
    its foot."""

    __tablename__ = "screens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    locale: Mapped[str | None] = mapped_column(String(8))  # None: the organisation's language
    recent_count: Mapped[int | None] = mapped_column(SmallInteger)  # None: the Settings page's number
    ticker: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    services: Mapped[list[Service]] = relationship(secondary="screen_services", order_by="Service.position")


class ScreenService(db.Model):
    __tablename__ = "screen_services"

    screen_id: Mapped[int] = mapped_column(ForeignKey("screens.id", ondelete="CASCADE"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), primary_key=True)


# --- Queue tickets -----------------------------------------------------------------------


class QueueStatus(str, enum.Enum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    ON_HOLD = "on_hold"  # parked while the person fetches something; brought back later
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"

    def __str__(self):
        return self.value


class PriorityReason(str, enum.Enum):
    """Why a queue ticket goes ahead of the normal ones of its service."""

    ELDERLY = "elderly"
    PREGNANT = "pregnant"
    DISABILITY = "disability"

    def __str__(self):
        return self.value


class QueueSequence(db.Model):
    """The last number issued per service and day; its row lock makes numbers unique and gap-free."""

    __tablename__ = "queue_sequences"

    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class QueueTicket(db.Model):
    """A number in a walk-in line (A-023). `service_id` is the line it waits in now (it changes on
    transfer); the code keeps the service and number it was issued with."""

    __tablename__ = "queue_tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    issued_service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    issue_date: Mapped[date] = mapped_column(Date)  # in the organisation's timezone
    number: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(8))
    priority: Mapped[PriorityReason | None] = mapped_column(enum_column(PriorityReason))
    status: Mapped[QueueStatus] = mapped_column(enum_column(QueueStatus), default=QueueStatus.WAITING)
    token: Mapped[str] = mapped_column(String(32), unique=True, default=lambda: secrets.token_urlsafe(18))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first call: waiting time ends
    last_called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # latest call or recall
    serving_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id", ondelete="SET NULL"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recalls: Mapped[int] = mapped_column(Integer, default=0)

    service: Mapped[Service] = relationship(foreign_keys=[service_id])
    counter: Mapped[Counter | None] = relationship()
    staff: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("issued_service_id", "issue_date", "number"),
        db.Index("ix_queue_tickets_line", "service_id", "status", "issued_at"),
        db.Index("ix_queue_tickets_counter_status", "counter_id", "status"),
        db.Index("ix_queue_tickets_issued_at", "issued_at"),
    )

    @property
    def spoken_code(self):
        """"A 23": numbers are announced as numbers, never digit by digit."""
        prefix, _, _ = self.code.partition("-")
        return f"{prefix} {self.number}"


# =================================================================================================
# Helpdesk: catalogues (priorities, areas, categories, locations), tickets, their conversation and attachments.
# =================================================================================================


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
    # When the SLA job warned the assignee that due_at is near, and escalated it once overdue;
    # cleared when due_at moves, so each happens once per due time.
    sla_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sla_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

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


class TicketWatcher(db.Model):
    """A staff member following a ticket: they hear of it as its assignee would."""

    __tablename__ = "ticket_watchers"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class TicketCopy(db.Model):
    """Someone the requester put in copy, by email: they receive the ticket's public replies."""

    __tablename__ = "ticket_copies"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(255), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CannedReply(db.Model):
    """A reply template: shared with every agent (no owner) or one agent's own. Its body may hold
    placeholders ({requester_name}, {ticket_number}, {tracking_link}) filled in when inserted."""

    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User | None] = relationship()


class BusinessHours(db.Model):
    """One working period of the organisation on a weekday (0 = Monday); due times count only
    these. No rows: every hour counts."""

    __tablename__ = "business_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    opens_at: Mapped[time] = mapped_column(Time)
    closes_at: Mapped[time] = mapped_column(Time)


class Holiday(db.Model):
    """A day the organisation does not work: due times skip it."""

    __tablename__ = "holidays"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    name: Mapped[str] = mapped_column(String(120))


class CaptchaChallenge(db.Model):
    """A CAPTCHA image shown at /soporte, kept on the server so each answer works once. Only an
    HMAC of the answer is stored; the browser's session holds the nonce."""

    __tablename__ = "captcha_challenges"

    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


# =================================================================================================
# Messaging: notifications, private chat and presence.
# =================================================================================================


class NotificationKind(str, enum.Enum):
    ASSIGNED = "assigned"  # a ticket was assigned to you
    REPLY = "reply"  # someone answered on your ticket
    STATUS = "status"  # your ticket changed status
    REOPENED = "reopened"  # the requester reopened a ticket you handle or follow
    SLA_WARNING = "sla_warning"  # a ticket you handle is near its due time
    SLA_OVERDUE = "sla_overdue"  # a ticket of your area is past its due time

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


# =================================================================================================
# Jobs: the mail outbox and the scheduled jobs' runs.
# =================================================================================================


class OutboxStatus(str, enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry

    def __str__(self):
        return self.value


class OutboxMessage(db.Model):
    """A mail written in the same transaction as the change that caused it; the sender delivers it."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(enum_column(OutboxStatus), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (db.Index("ix_outbox_messages_due", "status", "next_attempt_at"),)


class JobRun(db.Model):
    """One row per scheduled job. A process runs a job only after claiming the row with a
    conditional update, so with several processes each run happens once."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_result: Mapped[str | None] = mapped_column(Text)
