"""The realistic data set (tests/e2e/realistic.py) stays what it says: every text at its form's
limit, accents, three-letter prefixes, four-digit queue numbers, values the forms accept."""
import re

from sqlalchemy import func, select
from wtforms.validators import Length, Regexp

from extensions import db
from models import (Area, CannedReply, Category, ChatMessage, Counter, Holiday, Location, Notification, QueueTicket,
                    Screen, Service, Ticket, TicketComment, User)
from routes.admin.forms import UserForm
from routes.helpdesk.canned_replies import CannedReplyForm
from routes.helpdesk.catalogue_forms import AgentForm, AreaForm, CategoryForm, LocationForm
from routes.helpdesk.forms import TicketForm
from routes.helpdesk.sla_forms import HolidayForm
from routes.queue.forms import CounterForm, ScreenForm, ServiceForm
from services.settings import organisation_name
from tests.e2e import realistic


def validator(form, field, kind):
    return next(v for v in getattr(form, field).kwargs["validators"] if isinstance(v, kind))


def longest(form, field):
    return validator(form, field, Length).max


def lengths(column):
    return set(db.session.scalars(select(func.length(column))))


def test_the_realistic_data_set_is_at_the_forms_limits(app):
    with app.app_context():
        ids = realistic.seed()
        assert len(organisation_name()) == realistic.ORGANISATION_MAX == 60  # the long organisation name
        assert lengths(User.full_name) == {longest(UserForm, "full_name")}
        assert lengths(Service.name) == {longest(ServiceForm, "name")}
        assert all(re.fullmatch(r"[A-Z]{3}", p) for p in db.session.scalars(select(Service.prefix)))
        assert lengths(Counter.name) == {longest(CounterForm, "name")}
        assert lengths(Screen.name) == {longest(ScreenForm, "name")}
        assert lengths(Area.name) == {longest(AreaForm, "name")}
        assert lengths(Category.name) == {longest(CategoryForm, "name")}
        assert lengths(Location.name) == {longest(LocationForm, "name")}
        assert lengths(Ticket.title) == {longest(TicketForm, "title")}
        assert lengths(CannedReply.title) == {longest(CannedReplyForm, "title")}
        assert longest(HolidayForm, "name") in lengths(Holiday.name)
        agents = db.session.scalars(select(User).where(User.specialty != "")).all()
        assert {len(a.specialty) for a in agents} == {longest(AgentForm, "specialty")}
        assert longest(AgentForm, "phone") in {len(a.phone) for a in agents}
        for agent in agents:
            assert re.fullmatch(validator(AgentForm, "phone", Regexp).regex, agent.phone)
        for screen in db.session.scalars(select(Screen)):
            assert re.fullmatch(validator(ScreenForm, "slug", Regexp).regex, screen.slug)
        assert min(db.session.scalars(select(QueueTicket.number))) >= 1000
        assert all(re.search(r"[áéíóúñÁÉÍÓÚÑ]", name) for name in db.session.scalars(select(User.full_name)))
        assert db.session.scalar(select(func.count()).select_from(Ticket).where(Ticket.requester_id.is_(None))) == 1
        for model in (TicketComment, ChatMessage, Notification, Holiday):
            assert db.session.scalar(select(func.count()).select_from(model)) > 0
        assert {"hd_ticket", "hd_token", "token", "screen_slug", "copy_token", "canned_own"} <= ids.keys()
