"""The error a service raises when a business rule is broken."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the change. `message` is a translatable text for the user; `field`
    names the form field it belongs to, when there is one."""

    def __init__(self, message, field: str | None = None, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code
