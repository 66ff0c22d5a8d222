"""Shared, domain-free pieces: database set-up, htmx helpers, pagination, code lists, mail,
audit, personal data."""
