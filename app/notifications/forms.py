"""The mail preferences form: one checkbox per kind of notice."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms.validators import ValidationError

from app.core.forms import BaseForm
from app.notifications.messages import KIND_LABELS
from app.notifications.models import NotificationKind as K

CHECKED_VALUES = ("y", "on", "true", "1")


def _checkbox(form, field) -> None:
    # A checkbox sends its value or nothing; anything else did not come from this form.
    if any(value not in CHECKED_VALUES for value in field.raw_data or []):
        raise ValidationError(_l("Tick the box or leave it empty."))


def _mail_field(kind: K) -> BooleanField:
    return BooleanField(KIND_LABELS[kind], validators=[_checkbox])


class PreferencesForm(BaseForm):
    """Send me e-mail when ... (one field per kind, named after it)."""

    reviewer_assigned = _mail_field(K.reviewer_assigned)
    review_due = _mail_field(K.review_due)
    application_submitted = _mail_field(K.application_submitted)
    info_requested = _mail_field(K.info_requested)
    decision_proposed = _mail_field(K.decision_proposed)
    decision_made = _mail_field(K.decision_made)
    partner_invitation = _mail_field(K.partner_invitation)
    report_submitted = _mail_field(K.report_submitted)
    report_handled = _mail_field(K.report_handled)
    report_due = _mail_field(K.report_due)
    event_place_confirmed = _mail_field(K.event_place_confirmed)
    partner_call_answered = _mail_field(K.partner_call_answered)
    partner_message = _mail_field(K.partner_message)
    question_asked = _mail_field(K.question_asked)
    question_answered = _mail_field(K.question_answered)

    def kind_fields(self):
        return [self[str(kind)] for kind in K]

    def choices(self) -> dict[K, bool]:
        return {kind: bool(self[str(kind)].data) for kind in K}
