"""Helpers the test modules share, one topic per module; test modules never import each other.

Plain helpers are imported where needed (`from tests.support.sockets import connect`). The
modules that also define fixtures (attachments, chat, mail) are registered as pytest plugins in
tests/conftest.py, so a test asks for those fixtures by name and never imports them.
"""
