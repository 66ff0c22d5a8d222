"""Forms of events. They check the shape of the input; app/events/services.py enforces the
rules (end after start, place or link by format, a published call, the deadline)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.calls.forms import MultiCheckboxField
from app.core.codelists import SERVICE_LANGUAGES, current_language
from app.core.fields import CountField, LocalDateTimeField, parse_int
from app.core.forms import CHOICE_MESSAGE, BaseForm, as_choices
from app.events.models import EventFormat, EventKind
from app.events.services import CAPACITY_MAX, PLACE_MAX, REASON_MAX, TITLE_MAX, URL_MAX

TEXT_MAX = 20_000
KIND_LABELS = {
    EventKind.info_session: _l("Information session"),
    EventKind.networking: _l("Networking meeting"),
    EventKind.training: _l("Training"),
    EventKind.other: _l("Other event"),
}
FORMAT_LABELS = {
    EventFormat.online: _l("Online"),
    EventFormat.in_person: _l("In person"),
    EventFormat.hybrid: _l("In person and online (hybrid)"),
}
HELSINKI_HINT = _l("Finnish time (Europe/Helsinki).")


class EventForm(BaseForm):
    kind = RadioField(_l("Kind of event"), validators=[DataRequired(message=CHOICE_MESSAGE)],
                      validate_choice=True)
    title = StringField(_l("Title"), validators=[DataRequired(message=_l(
        "Give the event a title.")), Length(max=TITLE_MAX)])
    description = TextAreaField(_l("Description"), validators=[Length(max=TEXT_MAX)],
                                description=_l("Markdown: paragraphs, lists and links."))
    starts_at = LocalDateTimeField(_l("Starts"), required=True, description=HELSINKI_HINT,
                                   required_message=_l("Give the start time."))
    ends_at = LocalDateTimeField(_l("Ends"), required=True, description=HELSINKI_HINT,
                                 required_message=_l("Give the end time."))
    format = RadioField(_l("How the event is held"),
                        validators=[DataRequired(message=CHOICE_MESSAGE)], validate_choice=True)
    place = StringField(_l("Place"), validators=[Length(max=PLACE_MAX)],
                        description=_l("The address: required for an event held in person."))
    online_url = StringField(_l("Link to the online event"), validators=[Length(max=URL_MAX)],
                             description=_l("An https:// address: required for an online "
                                            "event. Shown to the people registered."))
    capacity = CountField(_l("Number of places"), maximum=CAPACITY_MAX, minimum=1,
                          description=_l("Leave empty for no limit."))
    languages = MultiCheckboxField(_l("Languages of the event"))
    accessibility = TextAreaField(_l("Accessibility"), validators=[Length(max=5000)],
                                  description=_l("E.g. step-free access, induction loop, "
                                                 "interpretation."))
    registration_deadline = LocalDateTimeField(
        _l("Registration closes"),
        description=_l("Finnish time (Europe/Helsinki). Optional; before the event starts."))
    call_id = SelectField(_l("Funding call"), validators=[Optional()], validate_choice=True,
                          description=_l("E.g. the call whose information session this is."))
    practice_id = SelectField(_l("Service model"), validators=[Optional()], validate_choice=True)
    lock_version = HiddenField()

    def __init__(self, *args, calls=(), practices=(), **kwargs):
        super().__init__(*args, **kwargs)
        language = current_language()
        self.kind.choices = as_choices((k.value, label) for k, label in KIND_LABELS.items())
        self.format.choices = as_choices((f.value, label) for f, label in FORMAT_LABELS.items())
        self.languages.choices = as_choices(SERVICE_LANGUAGES.choices())
        self.call_id.choices = as_choices(
            [("", _l("No call"))] + [(str(c.id), c.title(language)) for c in calls])
        self.practice_id.choices = as_choices(
            [("", _l("No service model"))] + [(str(p.id), p.title) for p in practices])

    def service_data(self) -> dict:
        return {
            "kind": self.kind.data, "title": self.title.data,
            "description": self.description.data, "starts_at": self.starts_at.data,
            "ends_at": self.ends_at.data, "format": self.format.data, "place": self.place.data,
            "online_url": self.online_url.data, "capacity": self.capacity.data,
            "languages": self.languages.data or [], "accessibility": self.accessibility.data,
            "registration_deadline": self.registration_deadline.data,
            "call_id": parse_int(self.call_id.data), "practice_id": parse_int(
                self.practice_id.data),
        }

    def fill_from(self, event) -> None:
        """The event's values into a form shown for editing (GET)."""
        for name in ("title", "description", "starts_at", "ends_at", "place", "online_url",
                     "capacity", "accessibility", "registration_deadline"):
            self[name].data = getattr(event, name)
        self.kind.data = event.kind.value
        self.format.data = event.format.value
        self.languages.data = list(event.languages or [])
        self.call_id.data = str(event.call_id) if event.call_id else ""
        self.practice_id.data = str(event.practice_id) if event.practice_id else ""
        self.lock_version.data = str(event.lock_version)


class CancelForm(BaseForm):
    reason = TextAreaField(_l("Reason for the cancellation"),
                           validators=[DataRequired(message=_l(
                               "Say why the event is cancelled: the people registered are "
                               "told.")), Length(max=REASON_MAX)],
                           description=_l("Sent to the people registered and shown on the "
                                          "event's page."))


class EventFilterForm(BaseForm):
    """The filters of /events (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Words"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    format = SelectField(_l("Format"), validators=[Optional()])
    language = SelectField(_l("Language"), validators=[Optional()])
    region = SelectField(_l("Region"), validators=[Optional()])
    organisation = HiddenField()
    call = HiddenField()
    when = SelectField(_l("When"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from app.core.codelists import REGIONS

        any_choice = [("", _l("Any"))]
        self.kind.choices = as_choices(
            any_choice + [(k.value, label) for k, label in KIND_LABELS.items()])
        self.format.choices = as_choices(
            any_choice + [(f.value, label) for f, label in FORMAT_LABELS.items()])
        self.language.choices = as_choices(any_choice + list(SERVICE_LANGUAGES.choices()))
        self.region.choices = as_choices(any_choice + list(REGIONS.choices()))
        self.when.choices = as_choices([("upcoming", _l("Upcoming events")),
                                        ("past", _l("Past events"))])
