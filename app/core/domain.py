"""The errors a service raises when a business rule is broken or the actor may not act."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A rule refused the change. `message` is a translatable text for the user; `field`
    names the form field it belongs to, when there is one."""

    def __init__(self, message, field: str | None = None, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code


class NotAllowed(DomainError):
    """The actor may not do this: a service's own check with the permission predicate that the
    view and the template use. Views have normally answered 403 or 404 before it can happen."""

    def __init__(self, message=None, field: str | None = None):
        super().__init__(message or _l("You do not have permission to do this."), field=field,
                         code="not_allowed")


class Conflict(DomainError):
    """Someone saved a newer version since the writer loaded theirs: nothing was saved, and
    the view shows both versions (the unit of work answers 409 and leaves the form alone)."""
