"""Private chat pages and the notifications bell (their sockets are in realtime/)."""
