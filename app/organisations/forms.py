"""Organisation forms. They check the shape of the input; services.py enforces the rules
(Business ID check digit and uniqueness, last owner, call roles only in funding authorities)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.codelists import (
    HISTORICAL_ORGANISATION_TYPES,
    ORGANISATION_TYPES,
    REGIONS,
    SERVICE_LANGUAGES,
    TARGET_GROUPS,
)
from app.core.forms import BaseForm, as_choices
from app.organisations.directory import SORTS
from app.organisations.models import Role

ROLE_LABELS = {
    Role.owner: _l("Owner"),
    Role.editor: _l("Editor"),
    Role.member: _l("Member"),
}
CHOICE_MESSAGE = _l("Choose one of the options.")
CHOICES_MESSAGE = _l("Choose from the options shown (not valid: %(value)s).")
ROLE_HINT = _l(
    "Owners manage members and the profile. Editors write service models, applications and "
    "reports. Members read the organisation's non-public items."
)


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (the forms macro renders it as a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_choice_message", CHOICES_MESSAGE)
        super().__init__(label, validators, **kwargs)


def role_choices():
    roles = (Role.member, Role.editor, Role.owner)
    return as_choices((role.value, ROLE_LABELS[role]) for role in roles)


class AtLeastOne:
    """A checkbox group needs one ticked box. Unlike DataRequired it sets no `required`
    flag, which would put `required` on every checkbox of the group."""

    field_flags: dict = {}

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field) -> None:
        if not field.data:
            raise ValidationError(self.message)


def _http_url(form, field) -> None:
    value = (field.data or "").strip()
    if not value:
        return
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(
        ch.isspace() for ch in value
    ):
        raise ValidationError(_l("Enter a web address that starts with https:// or http://."))


class OrganisationForm(BaseForm):
    """Create or edit an organisation's profile."""

    name = StringField(_l("Name of the organisation"), validators=[
        DataRequired(_l("Enter the name of the organisation.")),
        Length(max=200, message=_l("The name can be at most 200 characters long."))])
    business_id = StringField(
        _l("Business ID"),
        validators=[DataRequired(_l("Enter the Business ID.")),
                    Length(max=20, message=_l("A Business ID looks like 1234567-8."))],
        description=_l("The Finnish Business ID (Y-tunnus), for example 1234567-8."),
    )
    unit_name = StringField(
        _l("Name of the unit"),
        validators=[Length(max=200, message=_l("The name can be at most 200 characters long."))],
        description=_l("Only for a unit (a department, a service or an office) registered with "
                       "the Business ID of its organisation, e.g. a municipality's employment "
                       "services. Leave empty for the organisation itself."),
    )
    type = SelectField(_l("Type of organisation"), invalid_choice_message=CHOICE_MESSAGE,
                       validators=[DataRequired(_l("Choose the type of the organisation."))])
    member_municipalities = TextAreaField(
        _l("Member municipalities"),
        validators=[Length(max=7000, message=_l("The list is too long."))],
        description=_l("Only for an employment area: one municipality a line, at most 60. "
                       "The area applies with its responsible municipality's Business ID."),
    )
    regions = MultiCheckboxField(
        _l("Regions where you work"),
        validators=[AtLeastOne(_l("Choose at least one region."))],
        description=_l("Choose at least one."),
    )
    target_groups = MultiCheckboxField(_l("Target groups you work with"), validators=[Optional()])
    languages = MultiCheckboxField(
        _l("Languages you serve people in"), validators=[Optional()],
        description=_l("Partners looking for services in a language find you with these."))
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=5000, message=_l(
            "The description can be at most 5,000 characters long."))],
        description=_l(
            "What the organisation does, in a few sentences. Shown on the public profile."),
    )
    expertise = TextAreaField(
        _l("Areas of expertise"),
        validators=[Length(max=2000, message=_l("The text can be at most 2,000 characters long."))],
        description=_l("For example: supported employment, job coaching, work try-outs. "
                       "Partners find you with these words."),
    )
    website = StringField(
        _l("Website"),
        validators=[Optional(), Length(max=300, message=_l("The address is too long.")), _http_url],
        description=_l("For example https://www.example.fi"),
    )
    contact_email = EmailField(
        _l("Contact e-mail address"),
        validators=[Optional(),
                    Length(max=254, message=_l("The e-mail address is too long.")),
                    Email(_l("Enter a valid e-mail address, like name@example.fi."),
                          check_deliverability=False)],
        description=_l("Shown on the public profile."),
    )

    def __init__(self, *args, obj=None, **kwargs):
        super().__init__(*args, obj=obj, **kwargs)
        # Types kept for history (TE-offices) are not offered, except to one that has it.
        current = getattr(obj, "type", None)
        self.type.choices = as_choices(
            [("", _l("Choose…")),
             *((code, label) for code, label in ORGANISATION_TYPES.choices()
               if code not in HISTORICAL_ORGANISATION_TYPES or code == current)]
        )
        self.regions.choices = as_choices(REGIONS.choices())
        self.target_groups.choices = as_choices(TARGET_GROUPS.choices())
        self.languages.choices = as_choices(SERVICE_LANGUAGES.choices())
        if obj is not None and not self.is_submitted():
            self.member_municipalities.data = "\n".join(obj.member_municipalities or [])

    def service_data(self) -> dict:
        """The values as the services take them (never the funding-authority capability:
        only an administrator grants it)."""
        return {
            "name": self.name.data or "",
            "business_id": self.business_id.data or "",
            "unit_name": self.unit_name.data or "",
            "member_municipalities": self.member_municipalities.data or "",
            "type": self.type.data or "",
            "regions": self.regions.data or [],
            "target_groups": self.target_groups.data or [],
            "languages": self.languages.data or [],
            "description": self.description.data or "",
            "expertise": self.expertise.data or "",
            "website": (self.website.data or "").strip(),
            "contact_email": self.contact_email.data or "",
        }


class DirectoryForm(FlaskForm):
    """The directory's filters: a GET form, read from the query string (no CSRF needed)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search by name or expertise"), validators=[Length(max=100)])
    type = MultiCheckboxField(_l("Type"))
    region = MultiCheckboxField(_l("Region"))
    target_group = MultiCheckboxField(_l("Target group"))
    active = BooleanField(_l("Hide ceased organisations"), false_values=("", "0"))
    sort = SelectField(_l("Sort"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = as_choices(ORGANISATION_TYPES.choices())
        self.region.choices = as_choices(REGIONS.choices())
        self.target_group.choices = as_choices(TARGET_GROUPS.choices())
        self.sort.choices = as_choices((key, label) for key, (label, _cols) in SORTS.items())


class ActionForm(BaseForm):
    """Only the CSRF token: confirms a button's action (verify, remove, leave, revoke...)."""


class JoinRequestForm(BaseForm):
    message = TextAreaField(
        _l("Message to the owners (optional)"),
        validators=[Length(max=1000, message=_l(
            "The message can be at most 1,000 characters long."))],
        description=_l("Tell who you are and why you would like to join."),
    )


class JoinDecisionForm(BaseForm):
    decision = HiddenField(validators=[
        AnyOf(["approve", "reject"], message=_l("Choose approve or reject."))])


class InviteForm(BaseForm):
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter the e-mail address of the person you invite.")),
        Length(max=254, message=_l("The e-mail address is too long.")),
        Email(_l("Enter a valid e-mail address, like name@example.fi."),
              check_deliverability=False)])
    role = SelectField(_l("Role"), validators=[DataRequired(_l("Choose a role."))],
                       invalid_choice_message=CHOICE_MESSAGE, description=ROLE_HINT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class MemberRoleForm(BaseForm):
    """One per row of the member table, so each gets a prefix (unique ids and names).

    The global CSRF protection checks the page's `csrf_token` on every POST; a prefixed
    form would otherwise expect its own `<prefix>-csrf_token` as well.
    """

    class Meta:
        csrf = False

    role = SelectField(_l("Role"), validators=[DataRequired(_l("Choose a role."))],
                       invalid_choice_message=CHOICE_MESSAGE)
    is_call_manager = BooleanField(_l("Call manager"))
    is_reviewer = BooleanField(_l("Reviewer"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class TransferForm(BaseForm):
    member = SelectField(_l("New owner"), validators=[DataRequired(_l("Choose a member."))],
                         invalid_choice_message=CHOICE_MESSAGE,
                         description=_l("You will remain in the organisation as an editor."))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.member.choices = as_choices(
            [("", _l("Choose…")),
             *((str(m.id), f"{m.user.display_name} ({m.user.email})") for m in members)]
        )


class RejectForm(BaseForm):
    """One per row of the verification queue (prefixed; see MemberRoleForm about CSRF)."""

    class Meta:
        csrf = False

    reason = TextAreaField(
        _l("Reason for rejection"),
        validators=[DataRequired(_l("Write the reason for the owners.")),
                    Length(max=2000, message=_l(
                        "The reason can be at most 2,000 characters long."))],
        description=_l("The owners see this and can correct the details."),
    )


class AdminOrganisationForm(BaseForm):
    """A platform administrator's form: the name and the lifecycle of an organisation."""

    name = StringField(_l("Name of the organisation"), validators=[
        DataRequired(_l("Enter the name of the organisation.")),
        Length(max=200, message=_l("The name can be at most 200 characters long."))],
        description=_l("A new name keeps the old one on the page as a former name."))
    renamed_on = DateField(
        _l("Old name used until"), validators=[Optional()],
        format="%Y-%m-%d",
        description=_l("Only when the name changes; default today."),
    )
    valid_from = DateField(_l("Operating since"), validators=[Optional()], format="%Y-%m-%d")
    valid_to = DateField(
        _l("Operating until"), validators=[Optional()], format="%Y-%m-%d",
        description=_l("After this day the organisation is shown as ceased and cannot start "
                       "new applications."),
    )
    predecessor = SelectField(
        _l("Took over the tasks of"), invalid_choice_message=CHOICE_MESSAGE,
        description=_l("E.g. the ELY-centre whose tasks an elinvoimakeskus took over."),
    )

    def __init__(self, *args, organisations=(), obj=None, **kwargs):
        super().__init__(*args, obj=obj, **kwargs)
        self.predecessor.choices = as_choices(
            [("", _l("None")), *((str(org.id), org.display_name) for org in organisations)]
        )
        if obj is not None and not self.is_submitted():
            self.predecessor.data = str(obj.predecessor_id or "")
