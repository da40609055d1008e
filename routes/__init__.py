"""Blueprints, one per area. Routes parse, check the role, call a service, and respond."""
from flask import flash


def show_domain_error(form, error, field_map=None):
    """Put a service's error beside the field it names, or flash it when it names none."""
    name = (field_map or {}).get(error.field, error.field)
    field = getattr(form, name, None) if name else None
    if field is not None:
        field.errors = list(field.errors) + [str(error.message)]
    else:
        flash(str(error.message), "danger")
