"""What both exports (queue tickets, helpdesk tickets) write the same way: CSV values, text that
never runs as a formula, and openpyxl write-only cells with a style."""
from datetime import datetime

from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def take(buffer):
    """What the buffer holds so far, emptied for the next piece (a streamed CSV)."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def neutralise_formula(value):
    """Text a person typed (a name) must never run as a spreadsheet formula when opened."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return neutralise_formula(value)


def styled_cell(sheet, value, **style):
    cell = WriteOnlyCell(sheet, value=value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell
