"""Counting the SQL statements a piece of code runs."""
import threading
from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def statements_on(engine):
    """The statements this thread sends through `engine` while the block runs, as a list.

    The engine is shared by every thread of the app, so statements of other threads (a Socket.IO
    background task, a server thread) are left out: they are not what the block costs."""
    thread, statements = threading.get_ident(), []

    def record(connection, cursor, statement, *args):
        if threading.get_ident() == thread:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
