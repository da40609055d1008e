"""Signing in and out, self-registration, one's own password and profile, keeping a page's
session alive."""
