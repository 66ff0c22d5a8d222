"""One unit of work for every state-changing view: run a service call, commit once, map what
can go wrong to an answer, then send the mail the change queued.

    outcome = perform(lambda: services.publish_practice(current_user, practice, note), form=form)
    if outcome.ok:
        ...  # redirect, or render the saved fragment
    else:
        ...  # render the form again with `outcome.status` (422, 409 or 403)

- `DomainError` (a rule refused the change): rolled back, the message goes to the form field it
  names (or the form's general errors), status 422. `NotAllowed` gives 403.
- `Conflict` (a service saw that the writer's version is out of date) and `StaleDataError`
  (someone changed the row between our read and our write, caught by the
  database through `version_id_col`) and `IntegrityError` (e.g. a unique row created at the
  same moment): rolled back, status 409 with a message saying nothing was saved.
- Success: committed, then the mail outbox is flushed (mail is never sent for a transaction
  that was rolled back).

Services never commit; only this helper does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.core.db import IMMEDIATE_KEY, set_write_intent
from app.core.domain import Conflict, DomainError, NotAllowed
from app.core.forms import show_domain_error
from app.extensions import db

log = logging.getLogger(__name__)

REFUSED = 422
CONFLICT = 409
FORBIDDEN = 403

CONFLICT_MESSAGE = _l("Someone else changed this at the same moment. Your change was not saved: "
                      "check the current version and try again.")
INTEGRITY_MESSAGE = _l("This could not be saved because it clashes with a change made at the "
                       "same moment. Nothing was saved: reload the page and try again.")


@dataclass
class Outcome:
    """What happened to one unit of work."""

    ok: bool
    value: Any = None
    status: int = 200
    message: Any = None
    error: DomainError | None = None

    @property
    def conflict(self) -> bool:
        return self.status == CONFLICT

    def flash(self, success_message=None) -> None:
        """Flash the success message, or the reason of the failure."""
        if self.ok:
            if success_message:
                flash(success_message, "success")
        elif self.message:
            flash(self.message, "error")


def perform(action: Callable[[], Any], *, form=None, conflict_message=None) -> Outcome:
    """Run `action()` (a service call), commit, and flush the outbox; see the module doc.

    On SQLite the unit of work runs in a write (IMMEDIATE) transaction, and what the view
    reads after it (rendering the answer) in deferred ones, so that the write lock is held
    from the first read of the request to the commit and not while the page is rendered."""
    _begin_writing()
    try:
        return _perform(action, form, conflict_message)
    finally:
        set_write_intent(False)


def _begin_writing() -> None:
    set_write_intent(True)
    session = db.session()
    if session.in_transaction() and session.connection().info.get(IMMEDIATE_KEY) is False:
        # A read transaction (e.g. after an earlier unit of work in the same request) cannot
        # become a write one safely on SQLite: end it, so the unit of work reads afresh
        # under the write lock.
        session.commit()


def _perform(action: Callable[[], Any], form, conflict_message) -> Outcome:
    try:
        value = action()
        db.session.commit()
    except Conflict as error:
        db.session.rollback()
        return Outcome(False, status=CONFLICT, message=error.message, error=error)
    except NotAllowed as error:
        db.session.rollback()
        if form is not None:
            show_domain_error(form, error)
        return Outcome(False, status=FORBIDDEN, message=error.message, error=error)
    except DomainError as error:
        db.session.rollback()
        if form is not None:
            show_domain_error(form, error)
        return Outcome(False, status=REFUSED, message=error.message, error=error)
    except StaleDataError:
        db.session.rollback()
        message = conflict_message or CONFLICT_MESSAGE
        _form_error(form, message)
        return Outcome(False, status=CONFLICT, message=message)
    except IntegrityError:
        db.session.rollback()
        log.info("integrity error in a unit of work", exc_info=True)
        _form_error(form, INTEGRITY_MESSAGE)
        return Outcome(False, status=CONFLICT, message=INTEGRITY_MESSAGE)
    from app.core.outbox import flush_outbox

    flush_outbox()
    return Outcome(True, value=value)


def refuse(message, *, form=None, field: str | None = None) -> Outcome:
    """An outcome for input refused before any service ran (e.g. an unknown Business ID)."""
    error = DomainError(message, field=field)
    if form is not None:
        show_domain_error(form, error)
    return Outcome(False, status=REFUSED, message=message, error=error)


def _form_error(form, message) -> None:
    if form is not None:
        show_domain_error(form, DomainError(message))
