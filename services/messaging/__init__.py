"""People hearing from the desk and from each other: who is told what of a ticket change
(notifications: mail and the bell), the bell's store (inbox), private chat and presence."""
