"""What happened, announced by the services; whoever has to react subscribes.

A service changes the data, sends one of these signals and goes on: it never imports mail, the
bell or Socket.IO. The subscribers:

- services/messaging/notifications.py: mail through the outbox, and the bell;
- realtime/: Socket.IO events to the pages allowed to hear them.

When a signal is sent is part of its meaning, and each says which:

- *In the transaction*, before its commit (helpdesk tickets, chat, presence, the bell): what a
  subscriber writes (a message in the outbox, a notification) is stored with the change or not
  at all, and what it tells browsers waits for the commit (`extensions.after_commit`), so nobody
  hears of a change that was rolled back.
- *After the commit* (the walk-in queue, sessions ending): nothing joins these transactions, and
  the subscribers read what was committed (the waiting counts every screen shows).

The sender is what the signal is about; the keyword arguments carry the rest.
"""
from blinker import Namespace

signals = Namespace()


# --- accounts ---------------------------------------------------------------------------------

sessions_ended = signals.signal("sessions-ended", doc="""\
Sender: a user id. Every session of that person ended (deactivated, deleted, a new password set
by an admin) or their rights changed (role, areas): their open pages must reconnect, which puts
them in the rooms they may now join. After the commit.""")

browser_signed_out = signals.signal("browser-signed-out", doc="""\
Sender: the id of one browser's session. It signed out: that browser's pages leave, the person's
other devices stay signed in. After the session ended.""")


# --- walk-in queue ----------------------------------------------------------------------------

queue_line_changed = signals.signal("queue-line-changed", doc="""\
Sender: the ids of the services whose waiting lines moved (a queue ticket issued, finished,
parked, transferred, cancelled). Panels refresh their lists, screens their waiting counts.
After the commit.""")

queue_ticket_issued = signals.signal("queue-ticket-issued", doc="""\
Sender: the new QueueTicket, issued at a kiosk or through the API. A network receipt printer
prints it (services/queue/printing.py). After the commit.""")

queue_ticket_called = signals.signal("queue-ticket-called", doc="""\
Sender: the QueueTicket a counter called. `recall`: a repeat of an earlier call (a recall or a
parked ticket brought back). Call screens chime and announce it. After the commit.""")

queue_ticket_withdrawn = signals.signal("queue-ticket-withdrawn", doc="""\
Sender: a QueueTicket that was called and is back in a line (transferred to another service):
screens stop showing its call. After the commit.""")

counter_state_changed = signals.signal("counter-state-changed", doc="""\
Sender: the Counter whose staff opened it, took a break or closed it. Screens show it, panels of
that counter follow, estimates change. After the commit.""")


# --- helpdesk ---------------------------------------------------------------------------------

ticket_filed = signals.signal("ticket-filed", doc="""\
Sender: the new Ticket, assigned already when an agent was free. `by`: the requester's account,
or None when filed without one. In the transaction.""")

ticket_assigned = signals.signal("ticket-assigned", doc="""\
Sender: the Ticket. `by`: who assigned it; `previous_assignee_id`: who had it (None: nobody).
In the transaction.""")

ticket_status_changed = signals.signal("ticket-status-changed", doc="""\
Sender: the Ticket, in its new status. `by`: who changed it (None: the system, or a requester
without an account); `old_status`; `by_staff`: an agent or admin working on it changed it;
`automatically`: the auto-close job closed it. In the transaction.""")

ticket_priority_changed = signals.signal("ticket-priority-changed", doc="""\
Sender: the Ticket. `by`: the staff member who changed it. In the transaction.""")

ticket_edited = signals.signal("ticket-edited", doc="""\
Sender: the Ticket. `by`: who edited its title, description, category or location;
`previous_area_id`: its area before (a new category may move it). In the transaction.""")

ticket_deleted = signals.signal("ticket-deleted", doc="""\
Sender: the Ticket, about to be deleted by an admin (`by`). In the transaction.""")

reply_added = signals.signal("reply-added", doc="""\
Sender: the Ticket. `comment`: the new TicketComment, a public reply or an internal note;
`by_staff`: an agent or admin working on the ticket wrote it. In the transaction.""")

ticket_copy_changed = signals.signal("ticket-copy-changed", doc="""\
Sender: the Ticket. `email`: the address put in copy (`added` True) or taken out of it (False);
`by`: the User who did it, or an audit.Outsider (the requester through the tracking link, or the
person in copy leaving through the link in a mail). In the transaction.""")


# --- messaging --------------------------------------------------------------------------------

notification_added = signals.signal("notification-added", doc="""\
Sender: the new Notification (the bell), for `recipient` (a User). In the transaction.""")

notifications_read = signals.signal("notifications-read", doc="""\
Sender: the User who read them; `ids`: the notifications now read. In the transaction.""")

chat_message_sent = signals.signal("chat-message-sent", doc="""\
Sender: the new ChatMessage; `author` and `recipient` (Users). In the transaction.""")

chat_messages_read = signals.signal("chat-messages-read", doc="""\
Sender: the Conversation; `reader` (a User) has seen the other person's messages up to
`up_to_id`, at `read_at`. In the transaction.""")

presence_changed = signals.signal("presence-changed", doc="""\
Sender: a user id. `online`: whether they now have a live connection; `last_seen` when they went
away; `after_grace`: tell contacts only if they are still away a moment later (a page reload
reconnects at once). In the transaction.""")
