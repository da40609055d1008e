"""The data model, one module per part, each read top to bottom: people, settings and the audit
trail (accounts), the walk-in queue (queue), the helpdesk (helpdesk), notifications, chat and
presence (messaging), the mail outbox and job runs (jobs). Everything is importable from
`models` itself, and importing it registers every table with the metadata.

Timestamps are stored in UTC (`UTCDateTime` returns aware datetimes on every database) and
shown in the organisation's timezone.
"""
# flake8: noqa: F401  (re-exports)
from models.accounts import (MAX_ID, AuditLog, Role, Setting, User, UTCDateTime, enum_column, new_session_token,
                             utcnow, valid_id)
from models.queue import (Counter, CounterService, PriorityReason, QueueSequence, QueueStatus, QueueTicket, Service,
                          ServiceHours, StaffCounter)
from models.helpdesk import (SEARCH_DOCUMENT_SQL, AgentArea, Area, Attachment, CaptchaChallenge, Category, Location,
                             Priority, Sequence, Ticket, TicketComment, TicketStatus, include_in_schema_compare,
                             new_tracking_token, ticket_search_document)
from models.messaging import ChatMessage, Conversation, Notification, NotificationKind, SocketConnection
from models.jobs import JobRun, OutboxMessage, OutboxStatus
