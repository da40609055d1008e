"""The walk-in queue: services and their hours, counters, and the numbered queue tickets."""
import enum
import secrets
from datetime import date, datetime, time

from sqlalchemy import Boolean, Date, ForeignKey, Integer, SmallInteger, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.accounts import User, UTCDateTime, enum_column, utcnow


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


class Counter(db.Model):
    """A desk where a staff member calls queue tickets (módulo, ventanilla)."""

    __tablename__ = "counters"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

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


# --- Walk-in queue -----------------------------------------------------------------------


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
