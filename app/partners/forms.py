"""Partner call forms: they check the shape of the input; services.py enforces the rules
(verified organisation, deadline not in the past, open funding calls, closed calls)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from app.core.codelists import ORGANISATION_TYPES, REGIONS, SERVICE_LANGUAGES, TARGET_GROUPS
from app.core.fields import parse_int
from app.core.forms import CHOICE_MESSAGE, BaseForm, as_choices
from app.organisations.forms import MultiCheckboxField
from app.partners import services
from app.partners.models import PartnerCallClosure

DATE_MESSAGE = _l("Enter a date, for example 2026-03-01.")


class PartnerCallForm(BaseForm):
    """Announce or edit a partner call. `organisations` are those the writer may announce for
    (the choice is shown only when there are several); `organisation` the call's own."""

    organisation = SelectField(_l("Organisation"), invalid_choice_message=CHOICE_MESSAGE)
    title = StringField(_l("Title"), validators=[
        Length(max=200, message=_l("The title can be at most 200 characters long."))])
    description = TextAreaField(
        _l("What are you looking for?"),
        validators=[Length(max=services.DESCRIPTION_MAX, message=_l(
            "The description can be at most 10,000 characters long."))],
        description=_l("The project or the service model, what the partner would do and what "
                       "you offer. Markdown is allowed."))
    partner_kind = StringField(
        _l("What kind of partner"),
        validators=[Length(max=500, message=_l("The text can be at most 500 characters long."))],
        description=_l("For example: a staffing firm with employer contacts in Etelä-Savo."))
    partner_types = MultiCheckboxField(_l("Types of organisation wanted"))
    regions = MultiCheckboxField(_l("Regions"))
    target_groups = MultiCheckboxField(_l("Target groups"))
    languages = MultiCheckboxField(_l("Languages of the work"))
    call_id = SelectField(_l("Funding call (optional)"), invalid_choice_message=CHOICE_MESSAGE)
    practice_id = SelectField(_l("Your service model (optional)"),
                              invalid_choice_message=CHOICE_MESSAGE)
    deadline = DateField(_l("Last day for answers"), validators=[Optional()],
                         format="%Y-%m-%d")
    lock_version = HiddenField()

    def __init__(self, *args, organisations=(), organisation=None, partner_call=None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline.messages = {"invalid": DATE_MESSAGE}
        self.organisations = list(organisations)
        self.organisation.choices = as_choices(
            (str(o.id), o.display_name) for o in self.organisations)
        # An unknown organisation is answered by the view with a message on the field.
        self.organisation.validate_choice = False
        self.partner_types.choices = as_choices(ORGANISATION_TYPES.choices())
        self.regions.choices = as_choices(REGIONS.choices())
        self.target_groups.choices = as_choices(TARGET_GROUPS.choices())
        self.languages.choices = as_choices(SERVICE_LANGUAGES.choices())
        calls = services.open_funding_calls()
        if partner_call is not None and partner_call.call_id and partner_call.call_id not in {
                c for c, _t in calls}:
            calls.append((partner_call.call_id, _l("The call linked now (closed)")))
        self.call_id.choices = as_choices(
            [("", _l("None")), *((str(c), title) for c, title in calls)])
        practices = []
        for o in (self.organisations if organisation is None else [organisation]):
            practices.extend(services.own_practices(o))
        self.practice_id.choices = as_choices(
            [("", _l("None")), *((str(p), title) for p, title in practices)])
        if partner_call is not None and not self.is_submitted():
            self.fill(partner_call)

    def fill(self, partner_call) -> None:
        self.title.data = partner_call.title
        self.description.data = partner_call.description
        self.partner_kind.data = partner_call.partner_kind
        self.partner_types.data = list(partner_call.partner_types or [])
        self.regions.data = list(partner_call.regions or [])
        self.target_groups.data = list(partner_call.target_groups or [])
        self.languages.data = list(partner_call.languages or [])
        self.call_id.data = str(partner_call.call_id or "")
        self.practice_id.data = str(partner_call.practice_id or "")
        self.deadline.data = partner_call.deadline
        self.lock_version.data = str(partner_call.lock_version)

    def chosen_organisation(self):
        wanted = parse_int(self.organisation.data)
        if len(self.organisations) == 1 and not self.organisation.data:
            return self.organisations[0]
        return next((o for o in self.organisations if o.id == wanted), None)

    def values(self) -> services.PartnerCallInput:
        return services.PartnerCallInput(
            title=self.title.data or "", description=self.description.data or "",
            partner_kind=self.partner_kind.data or "",
            partner_types=self.partner_types.data or [], regions=self.regions.data or [],
            target_groups=self.target_groups.data or [], languages=self.languages.data or [],
            call_id=parse_int(self.call_id.data), practice_id=parse_int(self.practice_id.data),
            deadline=self.deadline.data)


CLOSURE_LABELS = {
    PartnerCallClosure.filled: _l("Filled: we found a partner"),
    PartnerCallClosure.withdrawn: _l("Withdrawn: we no longer look for a partner"),
    PartnerCallClosure.expired: _l("The deadline has passed"),
}


class CloseForm(BaseForm):
    closure = RadioField(_l("Why is the call closed?"), invalid_choice_message=CHOICE_MESSAGE)
    lock_version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.closure.choices = as_choices(
            (c.value, CLOSURE_LABELS[c])
            for c in (PartnerCallClosure.filled, PartnerCallClosure.withdrawn))


class MessageForm(BaseForm):
    """An answer to a call, or a message in a thread."""

    organisation = SelectField(_l("Answer in the name of"), invalid_choice_message=CHOICE_MESSAGE)
    # No Length validator: it would render maxlength, and a browser would cut a pasted text
    # short without a word; the service refuses over 5,000 characters with a message.
    body = TextAreaField(_l("Message"))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = list(organisations)
        self.organisation.choices = as_choices(
            (str(o.id), o.display_name) for o in self.organisations)
        self.organisation.validate_choice = False

    def chosen_organisation(self):
        wanted = parse_int(self.organisation.data)
        if len(self.organisations) == 1 and not self.organisation.data:
            return self.organisations[0]
        return next((o for o in self.organisations if o.id == wanted), None)


SORTS = {"newest": _l("Newest first"), "deadline": _l("Deadline first")}
STATES = {"open": _l("Open"), "closed": _l("Closed")}


class FilterForm(BaseForm):
    """The list's filters: a GET form (no CSRF)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Length(max=100)])
    state = SelectField(_l("Show"))
    type = MultiCheckboxField(_l("Type of partner wanted"))
    region = MultiCheckboxField(_l("Region"))
    target_group = MultiCheckboxField(_l("Target group"))
    sort = SelectField(_l("Sort"))
    organisation = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = as_choices(STATES.items())
        self.sort.choices = as_choices(SORTS.items())
        self.type.choices = as_choices(ORGANISATION_TYPES.choices())
        self.region.choices = as_choices(REGIONS.choices())
        self.target_group.choices = as_choices(TARGET_GROUPS.choices())
