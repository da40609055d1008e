"""tickets"""
from routes.helpdesk import bp  # noqa: F401
