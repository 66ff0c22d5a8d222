"""Who may follow what: predicates for the views, the templates, the services and the tests."""

from __future__ import annotations

from app.organisations.models import Organisation
from app.organisations.permissions import can_view_organisation


def can_follow(user) -> bool:
    """Any signed-in person whose account is active follows and reads their news."""
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and getattr(user, "is_active", False))


def can_follow_organisation(user, organisation: Organisation) -> bool:
    """A verified organisation (one whose page is public) that the person can see."""
    return (can_follow(user) and organisation.is_verified
            and can_view_organisation(user, organisation))
