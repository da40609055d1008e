"""Blueprints, one per area. Routes parse, check the role, call a service, and respond."""
from flask import flash, request
from werkzeug.routing import IntegerConverter

from models import MAX_ID, valid_id

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
