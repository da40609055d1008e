"""Helpers every view uses: bounded ids in URLs and forms, page numbers, a service's error shown
beside its field, `run_action` (the one way a button that POSTs acts and goes back) and
`live_fragment` (a page's live parts, fetched again by its script when something changes)."""
from flask import abort, flash, make_response, redirect, request
from werkzeug.routing import IntegerConverter

from extensions import db
from models import MAX_ID, valid_id
from services.errors import DomainError
from web.forms import EmptyForm

MAX_PAGE = 100_000


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` that stops at the largest database integer: bigger ids are a 404, not a 500."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def form_id(name):
    """A row id from the posted form, or 0 (no row) when missing, malformed or out of range."""
    value = request.form.get(name, type=int)
    return value if valid_id(value) else 0


def page_number():
    """The ?page= argument, kept within sane bounds."""
    return min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)


def show_domain_error(form, error, field_map=None):
    """Put a service's error beside the field it names, or flash it when it names none."""
    name = (field_map or {}).get(error.field, error.field)
    field = getattr(form, name, None) if name else None
    if field is not None:
        field.errors = list(field.errors) + [str(error.message)]
    else:
        flash(str(error.message), "danger")


def run_action(find, act, *, done, to, form_class=EmptyForm, done_category="success", failed_category="danger"):
    """A button that POSTs and goes back: find the row it acts on (`find` locks it where two
    people may act at once), check the form, run `act(row, form)`, flash `done` or the service's
    refusal, and redirect to `to` (a URL, or a function of the row). A form that does not validate
    is a broken request (CSRF was checked before the view ran): 400."""
    row = find()
    form = form_class()
    if not form.validate_on_submit():
        abort(400)
    try:
        act(row, form)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), failed_category)
    else:
        flash(done, done_category)
    return redirect(to(row) if callable(to) else to)  # `to`: a URL, never a response


def live_fragment(body, status=200):
    """A page's live parts: never cached, they exist to follow changes."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "private, no-store"
    return response
