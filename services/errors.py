"""Domain errors. Each carries the HTTP status a route should answer with."""
from sqlalchemy.exc import IntegrityError

from extensions import db


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message  # may be a lazy translation; rendered in the request's language
        self.field = field

    def __str__(self):
        return str(self.message)


class ValidationFailed(DomainError):
    status = 400
    code = "validation_error"


class NotAllowed(DomainError):
    status = 403
    code = "not_allowed"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class InvalidTransition(Conflict):
    """A state change the ticket's current state does not allow."""

    code = "invalid_transition"


class QueueEmpty(Conflict):
    code = "queue_empty"


class ServiceClosed(Conflict):
    code = "service_closed"


class CounterMovedOn(Conflict):
    """The counter is no longer where the caller saw it (another tab, a double tap or a retry acted
    first): nothing was done, and the caller should look again."""

    code = "counter_moved_on"


def commit_or_conflict(message, field=None):
    """Commit; when the database refuses (a unique name taken, a row still referenced, because two
    admins acted at once), roll back and raise Conflict(message): the database has the last word."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(message, field=field) from None
