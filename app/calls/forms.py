"""Forms for calls and criteria. They check the shape of the input; the services
enforce the rules (call open, weights sum to 100 %, content locked, budget balanced)."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.calls.models import (
    LANGS,
    MAX_ADVANCE_PERCENT,
    CriterionKind,
    Filing,
    FundingModel,
)
from app.core.codelists import (
    HISTORICAL_ORGANISATION_TYPES,
    ORGANISATION_TYPES,
    REGIONS,
    TARGET_GROUPS,
)
from app.core.fields import CountField, LocalDateTimeField, MoneyField
from app.core.forms import CHOICE_MESSAGE, BaseForm, PrefixedForm, as_choices
from app.core.i18n import FIGURES

TEXT_MAX = 20_000
# The organisation types a call may give a maximum support share of their own.
SHARE_TYPES = tuple(code for code in ORGANISATION_TYPES.codes
                    if code not in HISTORICAL_ORGANISATION_TYPES)

FUNDING_MODEL_LABELS = {
    FundingModel.grant: _l("Project support"),
    FundingModel.outcome_based: _l("Outcome-based (a fee per outcome)"),
    FundingModel.service_voucher: _l("Service voucher"),
}
FILING_LABELS = {
    Filing.platform: _l("Here, on this platform"),
    Filing.eura2021: _l("In EURA 2021 (the application is prepared and partners are found here)"),
}
TERRITORY_LABELS = {
    "national": _l("National: organisations from anywhere in Finland may apply"),
    "regional": _l("Regional: only organisations in the regions chosen below"),
}
LANGUAGE_LABELS = {"fi": _l("Finnish"), "sv": _l("Swedish"), "en": _l("English")}
CRITERION_KIND_LABELS = {
    CriterionKind.general: _l("General (pass / fail)"),
    CriterionKind.content: _l("Content (0–5)"),
    CriterionKind.horizontal: _l("Horizontal (0–3)"),
    CriterionKind.call_specific: _l("Call-specific (0–5)"),
}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_choice_message",
                          _l("Choose from the options shown (not valid: %(value)s)."))
        super().__init__(label, validators, **kwargs)


class CallForm(BaseForm):
    organisation_id = SelectField(_l("Funding authority"), coerce=str)
    title_fi = StringField(_l("Title in Finnish"), validators=[Length(max=200)])
    title_sv = StringField(_l("Title in Swedish"), validators=[Length(max=200)])
    title_en = StringField(_l("Title in English"), validators=[Length(max=200)])
    description_fi = TextAreaField(_l("Description in Finnish"),
                                   validators=[Length(max=TEXT_MAX)],
                                   description=_l("Markdown: paragraphs, lists and links."))
    description_sv = TextAreaField(_l("Description in Swedish"), validators=[Length(max=TEXT_MAX)])
    description_en = TextAreaField(_l("Description in English"), validators=[Length(max=TEXT_MAX)])
    theme = StringField(_l("Theme"), validators=[Length(max=200)],
                        description=_l("E.g. new job opportunities by developing workplaces."))
    opens_at = LocalDateTimeField(_l("Opens"),
                                  description=_l("Finnish time (Europe/Helsinki)."))
    closes_at = LocalDateTimeField(_l("Closes"),
                                   description=_l("Finnish time (Europe/Helsinki). Applications "
                                                  "can be submitted until this moment."))
    total_budget_cents = MoneyField(_l("Support to be granted in the call (€)"),
                                    description=_l("The ESF+ support the call distributes in "
                                                   "all."))
    max_support_percent = CountField(_l("Maximum support share (%)"), maximum=100, minimum=1,
                                     description=_l("E.g. 80: support may cover at most 80 % of "
                                                    "a project's total eligible cost."))
    eligible_types = MultiCheckboxField(_l("Eligible organisation types"))
    funding_model = RadioField(_l("Funding model"), validators=[Optional()],
                               validate_choice=True)
    outcome_fee_cents = MoneyField(_l("Fee per outcome (€)"),
                                   description=_l("Outcome-based calls only."))
    min_employment_months = CountField(_l("Minimum duration of employment (months)"),
                                       maximum=60,
                                       description=_l("Outcome-based calls only."))
    report_interval_months = CountField(_l("Progress report every (months)"), maximum=36,
                                        minimum=1)
    advance_percent = CountField(_l("Advance, percentage of the support"),
                                 maximum=MAX_ADVANCE_PERCENT,
                                 description=_l("Paid when the project starts and deducted from "
                                                "its payment claims; at most %(percent)s %%.",
                                                percent=FIGURES.max_advance_percent))
    final_report = BooleanField(_l("A final report at the end"))
    territory = RadioField(_l("Territory"), validators=[Optional()], validate_choice=True)
    regions = MultiCheckboxField(_l("Regions"),
                                 description=_l("Regional calls only: organisations with at "
                                                "least one of these regions may apply."))
    contact_name = StringField(_l("Contact person"), validators=[Length(max=200)])
    contact_email = EmailField(
        _l("Contact person's e-mail address"),
        validators=[Optional(), Length(max=254),
                    Email(_l("Enter a valid e-mail address, like name@example.fi."),
                          check_deliverability=False)])
    contact_phone = StringField(_l("Contact person's phone number"),
                                validators=[Length(max=40)],
                                description=_l("For example +358 29 502 0000."))
    filing = RadioField(_l("Where the official application is filed"), validators=[Optional()],
                        validate_choice=True)
    voucher_value_cents = MoneyField(_l("Value of one voucher (€)"),
                                     description=_l("Service-voucher calls only."))
    service_months = CountField(_l("Length of the service (months)"), maximum=24, minimum=1,
                                description=_l("Service-voucher calls only: from 1 to 24."))
    voucher_target_groups = MultiCheckboxField(_l("Target groups of the vouchers"),
                                               description=_l("Service-voucher calls only."))

    def __init__(self, *args, organisations=(), obj=None, **kwargs):
        super().__init__(*args, obj=obj, **kwargs)
        self.organisation_id.choices = as_choices((str(o.id), o.name) for o in organisations)
        self.eligible_types.choices = as_choices(ORGANISATION_TYPES.choices())
        self.funding_model.choices = as_choices(
            (model.value, label) for model, label in FUNDING_MODEL_LABELS.items())
        self.filing.choices = as_choices(
            (filing.value, label) for filing, label in FILING_LABELS.items())
        self.territory.choices = as_choices(TERRITORY_LABELS.items())
        self.regions.choices = as_choices(REGIONS.choices())
        self.voucher_target_groups.choices = as_choices(TARGET_GROUPS.choices())
        if obj is not None and not self.is_submitted():
            self.territory.data = "regional" if obj.regions else "national"
            for code, share in (obj.support_percent_by_type or {}).items():
                if f"share_{code}" in self:
                    self[f"share_{code}"].data = share
            self.filing.data = str(obj.filing)

    def validate_regions(self, field) -> None:
        if self.territory.data == "regional" and not field.data:
            raise ValidationError(_l("Choose at least one region, or make the call national."))

    @property
    def share_fields(self) -> list:
        """The per-type maximum support share inputs, in the code list's order."""
        return [self[f"share_{code}"] for code in SHARE_TYPES]

    def service_data(self, fields) -> dict:
        data = {name: self[name].data for name in fields if name in self}
        if "regions" in fields:
            data["regions"] = self.regions.data if self.territory.data == "regional" else []
        if "support_percent_by_type" in fields:
            data["support_percent_by_type"] = {
                code: self[f"share_{code}"].data for code in SHARE_TYPES
                if self[f"share_{code}"].data is not None}
        if "filing" in fields and not self.filing.data:
            data["filing"] = "platform"
        return data


def _type_label(code: str) -> LazyString:
    return LazyString(lambda: ORGANISATION_TYPES.label(code))


# One optional share per organisation type (fixed when the module is imported, like any form
# class): an empty input means the type has the call's maximum support share.
for _code in SHARE_TYPES:
    setattr(CallForm, f"share_{_code}", CountField(
        _type_label(_code), maximum=100, minimum=1, render_kw={"size": 4}))
del _code


class DocumentForm(BaseForm):
    """A call document: the file is checked by app.core.uploads in the service."""

    kind = RadioField(_l("Kind of document"), validators=[DataRequired(message=CHOICE_MESSAGE)],
                      default="notice")
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)],
                        description=_l("E.g. Call notice (hakuilmoitus)."))
    language = SelectField(_l("Language of the document"), default="fi")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = as_choices([("notice", _l("The official call notice")),
                                        ("other", _l("Other document"))])
        self.language.choices = as_choices((lang, LANGUAGE_LABELS[lang]) for lang in LANGS)


class InfoSessionForm(BaseForm):
    """An information session on the call (Finnish time)."""

    starts_at = LocalDateTimeField(_l("Starts"), required=True,
                                   description=_l("Finnish time (Europe/Helsinki)."))
    ends_at = LocalDateTimeField(_l("Ends (optional)"))
    place = StringField(_l("Place"), validators=[Length(max=300)],
                        description=_l("An address, or leave empty for an online session."))
    url = StringField(_l("Link to the online session"), validators=[Length(max=500)],
                      description=_l("An https:// address."))
    description = TextAreaField(_l("Description"), validators=[Length(max=500)])


class CriterionForm(PrefixedForm):
    class Meta:
        # Prefixed, several on one page: the app-wide CSRFProtect checks the plain token.
        csrf = False

    kind = SelectField(_l("Kind"), validators=[DataRequired(message=CHOICE_MESSAGE)])
    title = StringField(_l("Criterion"), validators=[DataRequired(), Length(max=300)])
    weight = CountField(_l("Weight (%)"), maximum=100,
                        description=_l("Scored criteria only; the weights sum to 100 %."))
    guidance = TextAreaField(_l("Guidance for applicants and reviewers"),
                             validators=[Length(max=5000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = as_choices(
            (kind.value, label) for kind, label in CRITERION_KIND_LABELS.items())
