"""Forms of event registration and of the organiser's participant pages. Rules beyond the shape
of the input (deadline, duplicates, capacity) live in app/events/registration.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from app.core.fields import CountField
from app.core.forms import BaseForm, as_choices

NEEDS_HINT = _l("For example a special diet, an interpreter or accessibility needs. Only the "
                "organiser sees this.")


class SignedInRegisterForm(BaseForm):
    """One click: the name and e-mail address come from the account."""

    organisation_name = StringField(_l("Organisation (optional)"), validators=[
        Optional(), Length(max=200, message=_l("The name of the organisation is too long."))])
    needs = TextAreaField(_l("Needs (optional)"), description=NEEDS_HINT, validators=[
        Optional(), Length(max=1000, message=_l("Write at most 1,000 characters."))])


class RegisterForm(SignedInRegisterForm):
    """Anyone: a name and an e-mail address, confirmed with a link sent to it."""

    name = StringField(_l("Your name"), validators=[
        DataRequired(_l("Enter your name.")),
        Length(max=200, message=_l("The name is too long."))])
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter your e-mail address.")),
        Length(max=254, message=_l("The e-mail address is too long.")),
        Email(_l("Enter a valid e-mail address, like name@example.fi."),
              check_deliverability=False)])


AUDIENCES = (
    ("confirmed", _l("Confirmed participants")),
    ("waiting", _l("People on the waiting list")),
    ("both", _l("Both")),
)


class ParticipantMailForm(BaseForm):
    """A message from the organiser to its participants (shown with a count before sending)."""

    audience = RadioField(_l("Send to"), choices=as_choices(AUDIENCES), default="confirmed",
                          validators=[DataRequired(_l("Choose the recipients."))])
    subject = StringField(_l("Subject"), validators=[
        DataRequired(_l("Write a subject.")),
        Length(max=150, message=_l("The subject is too long."))])
    body = TextAreaField(_l("Message"), validators=[
        DataRequired(_l("Write the message.")),
        Length(max=5000, message=_l("Write at most 5,000 characters."))])


class CapacityForm(BaseForm):
    """Raise or lower the number of places; empty means no limit."""

    capacity = CountField(_l("Places"), validators=[Optional()], maximum=100_000,
                          description=_l("Leave empty for no limit. Freed places go to the "
                                         "waiting list in order."))
