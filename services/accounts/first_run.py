"""First run: the web wizard creates the first admin and stores the organisation's settings."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from extensions import db
from models import Role, Setting, User
from services import settings as settings_service
from services.accounts.users import create_user
from services.errors import Conflict, DomainError


def needs_setup():
    """True while nobody can administer the desk: no admin account exists yet."""
    return db.session.scalar(select(User.id).where(User.role == Role.ADMIN).limit(1)) is None


def complete_setup(admin, organisation):
    """Create the first admin and store the settings, once.

    `admin`: username, email, full_name, password. `organisation`: settings keys and values.
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
    settings_service.save_settings(organisation, actor=user)
    return user
