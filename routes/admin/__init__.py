"""Administration of the organisation: user accounts, settings and the audit trail (admins only).
The queue's and the helpdesk's own set-up pages live with their features."""
