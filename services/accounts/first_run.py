"""First run: the web wizard creates the first admin, stores the organisation's settings and
gives the helpdesk its priorities (and, when the admin accepts it, the starter catalogue); then
`setup_progress` says what is ready and what is still to do."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from extensions import db
from models import Counter, CounterService, Role, Service, Setting, User
from services import settings as settings_service
from services.accounts.users import create_user
from services.errors import Conflict, DomainError
from services.helpdesk import starter_catalogue
from services.helpdesk.readiness import HelpdeskReadiness, helpdesk_readiness


def needs_setup():
    """True while nobody can administer the desk: no admin account exists yet."""
    return db.session.scalar(select(User.id).where(User.role == Role.ADMIN).limit(1)) is None


def complete_setup(admin, organisation, with_starter_catalogue=False):
    """Create the first admin and store the settings, once.

    `admin`: username, email, full_name, password. `organisation`: settings keys and values.
    The helpdesk gets its four priorities, named in the organisation's language, and with
    `with_starter_catalogue` the starter areas and categories too.
    The `setup_completed` row is the guard: a second wizard submitted at the same moment
    collides on its primary key and gets a Conflict.
    """
    if not needs_setup():
        raise Conflict(_l("The service desk is already set up."))
    db.session.add(Setting(key="setup_completed", value=True))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_l("The service desk is already set up.")) from None
    try:
        user = create_user(
            admin["username"], admin["password"], Role.ADMIN,
            email=admin.get("email"), full_name=admin.get("full_name", ""),
        )
    except DomainError:
        db.session.rollback()  # the guard row goes too, so the wizard can be submitted again
        raise
    locale = organisation.get("default_locale")
    if with_starter_catalogue:
        starter_catalogue.install(locale, user)
    else:
        starter_catalogue.create_priorities(locale, user)
    settings_service.save_settings(organisation, actor=user)  # commits the catalogue with the settings
    return user


@dataclass(frozen=True)
class SetupProgress:
    """What the set-up checklist shows: the walk-in queue, the helpdesk, mail."""

    services: int  # active
    counters: int  # active, calling at least one service
    counter_staff: int  # active staff and registrar accounts
    helpdesk: HelpdeskReadiness
    mail_ready: bool  # a server and a sender address are set
    public_url: str | None

    @property
    def queue_ready(self):
        return self.services > 0 and self.counters > 0


def setup_progress():
    count = func.count()
    serving_counters = (select(count).select_from(Counter).where(
        Counter.active.is_(True), exists().where(CounterService.counter_id == Counter.id)).scalar_subquery())
    services, counters, staff = db.session.execute(select(
        select(count).select_from(Service).where(Service.active.is_(True)).scalar_subquery(),
        serving_counters,
        select(count).select_from(User).where(User.active.is_(True), User.role.in_([Role.STAFF, Role.REGISTRAR]))
        .scalar_subquery(),
    )).one()
    return SetupProgress(
        services=services, counters=counters, counter_staff=staff, helpdesk=helpdesk_readiness(),
        mail_ready=bool(settings_service.mail_server() and settings_service.mail_default_sender()),
        public_url=settings_service.public_url())
