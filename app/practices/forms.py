"""Service model forms. They check the shape of the input; services enforce the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    HiddenField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.codelists import (
    EVIDENCE_LEVELS,
    LANGUAGES,
    REGIONS,
    STAGES,
    TARGET_GROUPS,
    WORK_FORMS,
)
from app.core.fields import parse_int
from app.core.forms import BaseForm, as_choices
from app.practices.models import SECTIONS

SECTION_MAX = 20_000
SUMMARY_TOO_LONG = _l("The summary can be at most 1,000 characters long.")

FIELD_LABELS = {
    "title": _l("Title"),
    "language": _l("Language of the text"),
    "summary": _l("Summary"),
    "problem": _l("The problem"),
    "method": _l("The method"),
    "employer_cooperation": _l("Cooperation with employers"),
    "results": _l("Results"),
    "adoption": _l("Adoption"),
    "target_groups": _l("Target groups"),
    "work_forms": _l("Work forms"),
    "regions": _l("Regions"),
    "stage": _l("Development stage"),
    "evidence": _l("Evidence level"),
    "tags": _l("Tags"),
}

SECTION_HINTS = {
    "problem": _l("The need and the starting point."),
    "method": _l("How it works, in steps."),
    "employer_cooperation": _l("How employers take part."),
    "results": _l("Outcomes and evidence."),
    "adoption": _l("What another organisation needs to take it up: staff, cost, training."),
}
MARKDOWN_HINT = _l("You can use Markdown: **bold**, _italics_, lists with - or 1., links as [text](https://…).")


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (the forms macro renders it as a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _lock_version(form, field) -> None:
    if parse_int(field.data) is None:
        raise ValidationError(_l("The form is out of date. Reload the page and try again."))


class PracticeForm(BaseForm):
    """The working copy of a service model (full save and autosave)."""

    title = StringField(FIELD_LABELS["title"], validators=[
        DataRequired(_l("Give the service model a title.")),
        Length(max=200, message=_l("The title can be at most 200 characters long."))])
    language = SelectField(FIELD_LABELS["language"],
                           description=_l("The language the service model is written in."))
    summary = TextAreaField(
        FIELD_LABELS["summary"],
        validators=[Length(max=1000, message=SUMMARY_TOO_LONG)],
        description=_l("One to three sentences: what the model does and for whom."),
    )
    problem = TextAreaField(FIELD_LABELS["problem"], validators=[
        Length(max=SECTION_MAX, message=_l("The text can be at most 20,000 characters long."))])
    method = TextAreaField(FIELD_LABELS["method"], validators=[
        Length(max=SECTION_MAX, message=_l("The text can be at most 20,000 characters long."))])
    employer_cooperation = TextAreaField(FIELD_LABELS["employer_cooperation"], validators=[
        Length(max=SECTION_MAX, message=_l("The text can be at most 20,000 characters long."))])
    results = TextAreaField(FIELD_LABELS["results"], validators=[
        Length(max=SECTION_MAX, message=_l("The text can be at most 20,000 characters long."))])
    adoption = TextAreaField(FIELD_LABELS["adoption"], validators=[
        Length(max=SECTION_MAX, message=_l("The text can be at most 20,000 characters long."))])
    target_groups = MultiCheckboxField(FIELD_LABELS["target_groups"], validators=[Optional()])
    work_forms = MultiCheckboxField(FIELD_LABELS["work_forms"], validators=[Optional()])
    regions = MultiCheckboxField(FIELD_LABELS["regions"], validators=[Optional()])
    stage = SelectField(FIELD_LABELS["stage"])
    evidence = SelectField(FIELD_LABELS["evidence"])
    tags = StringField(
        FIELD_LABELS["tags"],
        validators=[Length(max=1200, message=_l("The tags can be at most 1,200 characters long."))],
        description=_l("Keywords separated by commas, for example: job coaching, IPS."),
    )
    lock_version = HiddenField(_l("Saved version"), validators=[_lock_version])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = as_choices(LANGUAGES.choices())
        self.target_groups.choices = as_choices(TARGET_GROUPS.choices())
        self.work_forms.choices = as_choices(WORK_FORMS.choices())
        self.regions.choices = as_choices(REGIONS.choices())
        self.stage.choices = as_choices([("", _l("Not chosen yet")), *STAGES.choices()])
        self.evidence.choices = as_choices([("", _l("Not chosen yet")), *EVIDENCE_LEVELS.choices()])
        for name in SECTIONS:
            self[name].description = SECTION_HINTS[name]

    @classmethod
    def for_practice(cls, practice, **kwargs):
        """The form filled from the working copy (no request data)."""
        form = cls(formdata=None, obj=practice, **kwargs)
        form.tags.data = ", ".join(practice.tags or [])
        form.lock_version.data = str(practice.lock_version)
        return form

    def service_data(self) -> dict:
        """The values as services.save_practice takes them."""
        data = {name: self[name].data or "" for name in ("title", "language", "summary", *SECTIONS,
                                                          "stage", "evidence")}
        for name in ("target_groups", "work_forms", "regions"):
            data[name] = list(self[name].data or [])
        data["tags"] = [tag for tag in (self.tags.data or "").split(",") if tag.strip()]
        return data

    def lock_version_value(self) -> int:
        return int(self.lock_version.data)


class CreateForm(BaseForm):
    """A new draft: the owning organisation and the first words."""

    organisation = SelectField(_l("Organisation"), validators=[
        DataRequired(_l("Choose the organisation that owns the service model."))])
    title = StringField(FIELD_LABELS["title"], validators=[
        DataRequired(_l("Give the service model a title.")),
        Length(max=200, message=_l("The title can be at most 200 characters long."))])
    language = SelectField(FIELD_LABELS["language"],
                           description=_l("The language the service model is written in."))
    summary = TextAreaField(
        FIELD_LABELS["summary"],
        validators=[Length(max=1000, message=SUMMARY_TOO_LONG)],
        description=_l("One to three sentences: what the model does and for whom. "
                       "You can also write it later."),
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(org.id), org.name) for org in organisations]
        if len(choices) != 1:
            choices = [("", _l("Choose…")), *choices]
        self.organisation.choices = as_choices(choices)
        self.language.choices = as_choices(LANGUAGES.choices())


class PublishForm(BaseForm):
    change_note = TextAreaField(
        _l("What changed (change note)"),
        validators=[Length(max=1000,
                           message=_l("The change note can be at most 1,000 characters long."))],
        description=_l("Shown in the version history, for example: Results for 2025 added."),
    )


class ActionForm(BaseForm):
    """Only the CSRF token: confirms a button's action (archive, restore, remove...)."""


class PartnerSearchForm(FlaskForm):
    """Search the organisations to invite (a GET form)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search organisations by name"), validators=[Length(max=100)])

    def __init__(self, *args, **kwargs):
        from flask import url_for

        super().__init__(*args, **kwargs)
        # The organisation picker suggests as one types (app/partners/finder_views.py).
        self.q.render_kw = {
            "autocomplete": "off", "aria-controls": "pick-results-practice",
            "hx-get": url_for("partners.pick", **{"for": "practice"}),
            "hx-trigger": "input changed delay:300ms, search",
            "hx-target": "#pick-results-practice", "hx-swap": "innerHTML",
            "hx-sync": "this:replace"}


class PartnerInviteForm(BaseForm):
    organisation = SelectField(_l("Organisation to invite"), validators=[
        DataRequired(_l("Choose an organisation."))],
        description=_l("Only verified organisations can be named as partners."))

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = as_choices(
            [("", _l("Choose…")), *((str(org.id), org.display_name) for org in candidates)])


class PartnerResponseForm(BaseForm):
    decision = SelectField(_l("Answer"), validators=[DataRequired(_l("Choose accept or decline."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = as_choices([("accept", _l("Accept")), ("decline", _l("Decline"))])


class ContactForm(BaseForm):
    contact = SelectField(
        _l("Contact person"), validators=[DataRequired(_l("Choose a person."))],
        description=_l("A member of the organisation. Signed-in users see the e-mail address."))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.contact.choices = as_choices(
            [("", _l("Choose…")), *((str(m.user_id), m.user.display_name) for m in members)])


class AttachmentForm(BaseForm):
    file = FileField(
        _l("File"),
        validators=[FileRequired(_l("Choose a file to upload."))],
        description=_l("PDF, Word (DOCX), Excel (XLSX), OpenDocument (ODT, ODS), PNG or JPEG; "
                       "at most 10 MB."),
    )

    def __init__(self, *args, **kwargs):
        from app.core.uploads import ACCEPT

        super().__init__(*args, **kwargs)
        self.file.render_kw = {"accept": ACCEPT}


class ValidateForm(BaseForm):
    organisation = SelectField(_l("Validating funding authority"), validators=[
        DataRequired(_l("Choose the funding authority."))])
    statement = TextAreaField(
        _l("Statement"),
        validators=[DataRequired(_l("Write a short statement on why the model is validated.")),
                    Length(max=2000,
                           message=_l("The statement can be at most 2,000 characters long."))],
        description=_l("Shown on the model's page with the validation badge."),
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = as_choices((str(org.id), org.name) for org in organisations)


class WithdrawForm(BaseForm):
    reason = TextAreaField(
        _l("Reason (optional)"),
        validators=[Length(max=1000,
                           message=_l("The reason can be at most 1,000 characters long."))],
    )


class AdoptForm(BaseForm):
    organisation = SelectField(_l("Your organisation"), validators=[
        DataRequired(_l("Choose your organisation."))])
    regions = MultiCheckboxField(_l("Regions where you use the model"), validators=[Optional()])
    since = DateField(_l("In use since (optional)"), validators=[Optional()],
                      description=_l("For example 2025-03-01."))
    note = TextAreaField(
        _l("Note (optional)"),
        validators=[Length(max=2000, message=_l("The note can be at most 2,000 characters long."))],
        description=_l("How you use the model, or what you changed. Shown on the model's page."),
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = as_choices((str(org.id), org.name) for org in organisations)
        self.regions.choices = as_choices(REGIONS.choices())


class ListFilterForm(FlaskForm):
    """The public list's filters (a GET form read from the query string)."""

    class Meta:
        csrf = False

    target_group = MultiCheckboxField(_l("Target group"))
    region = MultiCheckboxField(_l("Region"))
    language = MultiCheckboxField(_l("Language"))
    sort = SelectField(_l("Sort"))

    def __init__(self, *args, sorts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.target_group.choices = as_choices(TARGET_GROUPS.choices())
        self.region.choices = as_choices(REGIONS.choices())
        self.language.choices = as_choices(LANGUAGES.choices())
        self.sort.choices = as_choices(
            (key, label) for key, (label, _cols) in (sorts or {}).items())
