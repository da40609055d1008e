"""What every page and request shares: who may do what and the session rules (security), error
pages and JSON errors (errors), the language and timezone of each request (i18n), Markdown
cleaned for display (markup), form pieces (forms) and helpers every view uses (pages)."""
