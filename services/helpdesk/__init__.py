"""The helpdesk: tickets from filing to closing (tickets), who sees what (access), lists and
search (queries), automatic assignment, the catalogues, attachments, the CAPTCHA of filing
without an account, the conversation's timeline, figures (stats) and exports (exports, pdf)."""
