"""Accounts: people and their roles (users) and the first-run set-up (first_run)."""
