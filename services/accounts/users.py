"""Accounts: sign-in, self-registration, and the admin's user management.

The rule that matters most here: the organisation always keeps one active admin. The check
locks the admin rows (FOR UPDATE on PostgreSQL), so two admins demoting each other at the same
moment cannot both succeed.

When a change ends someone's sessions or changes their rights, `events.sessions_ended` tells their
open pages after the commit.
"""
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

import events
from extensions import db
from models import Counter, Role, User, new_session_token
from services import audit
from services.errors import Conflict, NotAllowed, ValidationFailed

MIN_PASSWORD_LENGTH = 8


def normalise_login(value):
    return (value or "").strip().lower()


def snapshot(user):
    """What the audit trail keeps of a user (never the password hash)."""
    return {
        "username": user.username,
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role.value,
        "active": user.active,
    }


def find_by_login(login):
    login = normalise_login(login)
    if not login:
        return None
    return db.session.scalar(select(User).where(or_(User.username == login, User.email == login)))


def authenticate(login, password):
    """The active user with this username or email and password, else None."""
    user = find_by_login(login)
    if user is None:
        # Hash anyway, with the same method, so an unknown name takes as long as a known one.
        User().set_password(password or "")
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    user.last_login_at = datetime.now(UTC)
    db.session.commit()
    return user


def check_password_strength(password, field="password"):
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            _l("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field=field
        )


def _check_unique(username, email, exclude_id=None):
    for field, column, value in (("username", User.username, username), ("email", User.email, email)):
        if not value:
            continue
        query = select(User.id).where(column == value)
        if exclude_id is not None:
            query = query.where(User.id != exclude_id)
        if db.session.scalar(query) is not None:
            if field == "username":
                raise Conflict(_l("That username is already taken."), field=field)
            raise Conflict(_l("That email address is already registered."), field=field)


def _commit_unique(username, email):
    """Commit; a concurrent insert of the same name or email surfaces as a Conflict."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        _check_unique(username, email)
        raise Conflict(_l("That username or email address is already taken."), field="username") from None


def create_user(username, password, role=Role.USER, email=None, full_name="", actor=None,
                must_change_password=False, active=True):
    username, email = normalise_login(username), normalise_login(email) or None
    if not username:
        raise ValidationFailed(_l("A username is required."), field="username")
    check_password_strength(password)
    _check_unique(username, email)
    user = User(
        username=username,
        email=email,
        full_name=(full_name or "").strip(),
        role=Role(role),
        must_change_password=must_change_password,
        active=active,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor or user, "user.created", "user", user.id, after=snapshot(user))
    _commit_unique(username, email)
    return user


def register_user(username, email, password, full_name=""):
    """Self-registration: always the `user` role."""
    return create_user(username, password, Role.USER, email=email, full_name=full_name)


def _ensure_another_admin_remains(user):
    """Raise if `user` is the last active admin. Locks the admin rows until commit."""
    admin_ids = db.session.scalars(
        select(User.id).where(User.role == Role.ADMIN, User.active.is_(True)).with_for_update()
    ).all()
    if user.id in admin_ids and len(admin_ids) <= 1:
        raise NotAllowed(_l("This is the last active administrator; it must stay an active admin."))


def update_user(user, actor, username, email, full_name, role, active):
    username, email, role = normalise_login(username), normalise_login(email) or None, Role(role)
    if not username:
        raise ValidationFailed(_l("A username is required."), field="username")
    before, rights_change = snapshot(user), user.role != role or (user.active and not active)
    if user.role == Role.ADMIN and user.active and (role != Role.ADMIN or not active):
        _ensure_another_admin_remains(user)
    _check_unique(username, email, exclude_id=user.id)
    user.username, user.email, user.full_name, user.role = username, email, (full_name or "").strip(), role
    if user.active and not active:
        user.session_token = new_session_token()
    user.active = active
    after = snapshot(user)
    if after != before:
        audit.record(actor, "user.updated", "user", user.id, before=before, after=after)
    _commit_unique(username, email)
    if rights_change:  # open pages hold rooms the old role allowed: they reconnect under the new one
        events.sessions_ended.send(user.id)
    return user


def assign_counter(user, counter_id, actor):
    """The counter a staff member works at by default (None: they pick one at the panel)."""
    counter_id = counter_id or None
    if counter_id is not None and db.session.get(Counter, counter_id) is None:
        raise ValidationFailed(_l("Unknown counter."), field="counter_id")
    if user.counter_id != counter_id:
        audit.record(actor, "user.counter_changed", "user", user.id, before={"counter_id": user.counter_id},
                     after={"counter_id": counter_id})
        user.counter_id = counter_id
        db.session.commit()
    return user


def set_allowed_counters(user, counter_ids, actor):
    """The counters a staff member may pick at the panel (empty: any active counter)."""
    counters = db.session.scalars(select(Counter).where(Counter.id.in_(counter_ids or []))).all()
    before = sorted(c.id for c in user.allowed_counters)
    after = sorted(c.id for c in counters)
    if before != after:
        audit.record(actor, "user.allowed_counters_changed", "user", user.id,
                     before={"counter_ids": before}, after={"counter_ids": after})
        user.allowed_counters = counters
        db.session.commit()
    return user


def set_active(user, active, actor):
    if user.active == active:
        return user
    if not active and user.role == Role.ADMIN:
        _ensure_another_admin_remains(user)
    before = snapshot(user)
    user.active = active
    if not active:
        user.session_token = new_session_token()  # ends the sessions the user has open
    audit.record(actor, "user.activated" if active else "user.deactivated", "user", user.id,
                 before=before, after=snapshot(user))
    db.session.commit()
    if not active:
        events.sessions_ended.send(user.id)
    return user


def delete_user(user, actor):
    if user.id == actor.id:
        raise NotAllowed(_l("You cannot delete your own account."))
    if user.role == Role.ADMIN and user.active:
        _ensure_another_admin_remains(user)
    user_id = user.id
    audit.record(actor, "user.deleted", "user", user_id, before=snapshot(user))
    db.session.delete(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_l("This account has history that must be kept; deactivate it instead.")) from None
    events.sessions_ended.send(user_id)


def reset_password(user, new_password, actor):
    """An admin sets a temporary password; the user must choose a new one at next login."""
    check_password_strength(new_password)
    user.set_password(new_password)
    user.must_change_password = True
    audit.record(actor, "user.password_reset", "user", user.id)
    db.session.commit()
    events.sessions_ended.send(user.id)
    return user


def change_own_password(user, current_password, new_password):
    if not user.check_password(current_password or ""):
        raise ValidationFailed(_l("The current password is not correct."), field="current_password")
    check_password_strength(new_password, field="new_password")
    if current_password == new_password:
        raise ValidationFailed(_l("Choose a password different from the current one."), field="new_password")
    user.set_password(new_password)
    user.must_change_password = False
    audit.record(user, "user.password_changed", "user", user.id)
    db.session.commit()
    return user


def set_locale(user, locale):
    user.locale = locale
    db.session.commit()


def update_profile(user, full_name, locale):
    user.full_name = (full_name or "").strip()
    user.locale = locale
    db.session.commit()
    return user


def count_active_admins():
    return db.session.scalar(select(func.count()).where(User.role == Role.ADMIN, User.active.is_(True)))


def list_users(search=None, role=None, page=1, per_page=25):
    query = select(User).order_by(User.username)
    if search:
        escaped = search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(or_(*(column.like(pattern, escape="\\") for column in
                                  (User.username, User.email, func.lower(User.full_name)))))
    if role:
        query = query.where(User.role == Role(role))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
