"""Ticket lists: scope, filters, search, sort and pagination, all done by the database.

A page costs two queries whatever its size: a COUNT and the page itself, with its many-to-one
rows (category, area, priority, location, requester, assignee) joined in.
"""
import re
from dataclasses import dataclass, field, fields
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import joinedload

from extensions import db
from models import MAX_ID, Priority, Ticket, TicketStatus, ticket_search_document
from services.errors import ValidationFailed
from services.helpdesk import sla
from services.helpdesk.access import restrict_to_visible, staff_scope
from services.timeutil import day_bounds, utcnow

SCOPES = ("mine", "assigned", "all")
SORTS = {
    "created": Ticket.created_at,
    "updated": Ticket.updated_at,
    "due": Ticket.due_at,
    "number": Ticket.number,
    "priority": Priority.level,
    "status": Ticket.status,
    "title": Ticket.title,
}
PER_PAGE_CHOICES = (10, 25, 50, 100)
# A search for a common word matches tens of thousands of tickets; counting them all costs more
# than the page itself, so searches count up to here and say "more than".
SEARCH_COUNT_LIMIT = 10_000
SEARCH_MAX = 100
NUMBER_PATTERN = re.compile(r"^(?:tkt-?)?0*(\d{1,9})$", re.IGNORECASE)
WORD_PATTERN = re.compile(r"\w+", re.UNICODE)


@dataclass
class TicketFilters:
    """What a list shows. Built from query-string arguments or an API request; invalid values
    raise ValidationFailed naming the field."""

    status: list[TicketStatus] = field(default_factory=list)
    priority_id: int | None = None
    category_id: int | None = None
    area_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    date_from: date | None = None
    date_to: date | None = None
    overdue: bool = False
    due_soon: bool = False  # with `overdue` too: either
    q: str = ""
    sort: str = "created"
    direction: str = "desc"

    @classmethod
    def from_args(cls, args):
        """From a MultiDict (request.args). Unknown keys are ignored."""
        filters = cls()
        statuses = [value for value in args.getlist("status") if value]
        try:
            filters.status = [TicketStatus(value) for value in statuses]
        except ValueError:
            raise ValidationFailed(_l("Unknown status."), field="status") from None
        for name in ("priority_id", "category_id", "area_id"):
            setattr(filters, name, _positive_int(args.get(name), name))
        assignee = args.get("assignee_id", "")
        if assignee == "none":
            filters.unassigned = True
        else:
            filters.assignee_id = _positive_int(assignee, "assignee_id")
        filters.date_from = _date(args.get("date_from"), "date_from")
        filters.date_to = _date(args.get("date_to"), "date_to")
        if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
            raise ValidationFailed(_l("The end date is before the start date."), field="date_to")
        filters.overdue = args.get("overdue") in ("1", "true", "on", "yes")
        filters.due_soon = args.get("due_soon") in ("1", "true", "on", "yes")
        filters.q = (args.get("q") or "").strip()[:SEARCH_MAX]
        sort = args.get("sort") or "created"
        if sort not in SORTS:
            raise ValidationFailed(_l("Unknown sort."), field="sort")
        filters.sort = sort
        direction = args.get("direction") or ("asc" if sort in ("due", "number", "title") else "desc")
        if direction not in ("asc", "desc"):
            raise ValidationFailed(_l("Direction must be asc or desc."), field="direction")
        filters.direction = direction
        return filters

    def to_args(self, **changes):
        """Query-string arguments that rebuild these filters (for links: pages, sorting, exports)."""
        args = {}
        for item in fields(self):
            value = changes.get(item.name, getattr(self, item.name))
            if value in (None, "", False, []):
                continue
            if item.name == "status":
                args["status"] = [status.value for status in value]
            elif item.name == "unassigned":
                args["assignee_id"] = "none"
            elif isinstance(value, bool):
                args[item.name] = "1"
            elif isinstance(value, date):
                args[item.name] = value.isoformat()
            else:
                args[item.name] = value
        return args

    @property
    def active(self):
        return any([self.status, self.priority_id, self.category_id, self.area_id, self.assignee_id,
                    self.unassigned, self.date_from, self.date_to, self.overdue, self.due_soon, self.q])


def _positive_int(value, name):
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(_l("Must be a whole number."), field=name) from None
    if not 0 < number <= MAX_ID:
        raise ValidationFailed(_l("Out of range."), field=name)
    return number


EARLIEST, LATEST = date(1900, 1, 1), date(9998, 12, 31)


def _date(value, name):
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_l("Must be a date (YYYY-MM-DD)."), field=name) from None
    if not EARLIEST <= day <= LATEST:
        raise ValidationFailed(_l("Out of range."), field=name)
    return day


def scoped_query(user, scope):
    """Tickets of a scope, always within what `user` may see:
    mine = filed by them; assigned = their work as an agent; all = everything they may see."""
    query = select(Ticket)
    if scope == "mine":
        query = query.where(Ticket.requester_id == user.id)
    elif scope == "assigned":
        query = query.where(staff_scope(user))
    elif scope != "all":
        raise ValidationFailed(_l("Unknown scope."), field="scope")
    return restrict_to_visible(query, user)


def search_condition(q, dialect_name):
    """Number, requester, title and description. PostgreSQL: full-text with prefix matching on the
    indexed document; elsewhere LIKE on each word. A ticket number matches exactly too."""
    words = WORD_PATTERN.findall(q.lower())[:8]
    number = NUMBER_PATTERN.match(q.strip())
    by_number = Ticket.number == f"TKT-{int(number.group(1)):06d}" if number else None
    if not words:
        return by_number if by_number is not None else None
    if dialect_name == "postgresql":
        tsquery = " & ".join(f"{word}:*" for word in words)
        by_text = ticket_search_document().bool_op("@@")(func.to_tsquery(text("'simple'"), tsquery))
    else:
        by_text = and_(*[
            or_(*[func.lower(column).contains(word, autoescape=True)
                  for column in (Ticket.number, Ticket.requester_name, Ticket.requester_email, Ticket.title,
                                 Ticket.description)])
            for word in words
        ])
    return by_text if by_number is None else or_(by_number, by_text)


def apply_filters(query, filters, now=None):
    now = now or utcnow()
    if filters.status:
        query = query.where(Ticket.status.in_(filters.status))
    for name in ("priority_id", "category_id", "area_id", "assignee_id"):
        value = getattr(filters, name)
        if value is not None:
            query = query.where(getattr(Ticket, name) == value)
    if filters.unassigned:
        query = query.where(Ticket.assignee_id.is_(None))
    if filters.date_from:
        query = query.where(Ticket.created_at >= day_bounds(filters.date_from)[0])
    if filters.date_to:
        query = query.where(Ticket.created_at < day_bounds(filters.date_to)[1])
    # Due soon and overdue as services/helpdesk/sla.py defines them (working time, on hold paused).
    due_conditions = ([sla.overdue_condition(now)] if filters.overdue else []) + (
        [sla.due_soon_condition(now)] if filters.due_soon else [])
    if due_conditions:
        query = query.where(or_(*due_conditions))
    if filters.q:
        condition = search_condition(filters.q, db.session.get_bind().dialect.name)
        if condition is not None:
            query = query.where(condition)
    return query


def ordered(query, filters):
    column = SORTS[filters.sort]
    if filters.sort == "priority":
        query = query.join(Priority, Priority.id == Ticket.priority_id)
    order = column.asc() if filters.direction == "asc" else column.desc()
    if filters.sort == "due":  # the only column that may be empty; elsewhere NULLS LAST would stop
        order = order.nulls_last()  # PostgreSQL from reading the index in order
    tie = Ticket.id.asc() if filters.direction == "asc" else Ticket.id.desc()
    return query.order_by(order, tie)


def with_related(query):
    return query.options(
        joinedload(Ticket.category), joinedload(Ticket.area), joinedload(Ticket.priority),
        joinedload(Ticket.location), joinedload(Ticket.requester), joinedload(Ticket.assignee),
    )


def filtered_tickets(user, scope, filters, now=None):
    """The ordered select for a list or an export (no pagination, related rows joined in)."""
    return with_related(ordered(apply_filters(scoped_query(user, scope), filters, now), filters))


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int
    total_capped: bool = False  # there are more than `total`

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page), self.page)

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages or (self.total_capped and len(self.items) == self.per_page)

    @property
    def prev_num(self):
        return self.page - 1

    @property
    def next_num(self):
        return self.page + 1


def list_tickets(user, scope, filters, page=1, per_page=25, now=None):
    """One page of tickets: a COUNT and one SELECT."""
    per_page = min(max(per_page, 1), PER_PAGE_CHOICES[-1])
    base = apply_filters(scoped_query(user, scope), filters, now)
    counted = base.with_only_columns(Ticket.id)
    if filters.q:
        counted = counted.limit(SEARCH_COUNT_LIMIT + 1)
    total = db.session.scalar(select(func.count()).select_from(counted.subquery()))
    capped = total > SEARCH_COUNT_LIMIT
    query = with_related(ordered(base, filters)).limit(per_page).offset((page - 1) * per_page)
    return Page(items=list(db.session.scalars(query).unique()), total=min(total, SEARCH_COUNT_LIMIT), page=page,
                per_page=per_page, total_capped=capped)
