"""People, run-time settings and the audit trail; the column types every table uses."""
import enum
import secrets
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, DateTime, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator
from werkzeug.security import check_password_hash, generate_password_hash

from extensions import db

if TYPE_CHECKING:  # only named in annotations; SQLAlchemy resolves them by name
    from models.helpdesk import Area
    from models.queue import Counter


def utcnow():
    return datetime.now(timezone.utc)


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
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=timezone.utc) if value is not None else None


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
    actor_name: Mapped[str | None] = mapped_column(String(64))  # kept when the account is deleted
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()

    __table_args__ = (db.Index("ix_audit_log_entity", "entity_type", "entity_id"),)
