"""Forms for calls, criteria and applications. They check the shape of the input; the services
enforce the rules (call open, weights sum to 100 %, content locked, budget balanced)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.calls import budget
from app.calls.fields import CountField, LocalDateTimeField, MoneyField, ScaledField
from app.calls.models import CriterionKind, FundingModel, StaffCostKind
from app.core.codelists import ORGANISATION_TYPES
from app.core.forms import BaseForm, as_choices

CHOICE_MESSAGE = _l("Choose one of the options.")
TEXT_MAX = 20_000

FUNDING_MODEL_LABELS = {
    FundingModel.grant: _l("Grant (project funding)"),
    FundingModel.outcome_based: _l("Outcome-based (a fee per outcome)"),
    FundingModel.service_voucher: _l("Service voucher"),
}
CRITERION_KIND_LABELS = {
    CriterionKind.general: _l("General (pass / fail)"),
    CriterionKind.content: _l("Content (0–5)"),
    CriterionKind.horizontal: _l("Horizontal (0–3)"),
    CriterionKind.call_specific: _l("Call-specific (0–5)"),
}
STAFF_KIND_LABELS = {
    StaffCostKind.monthly: _l("Months × share of full time × monthly salary"),
    StaffCostKind.hourly: _l("Hours × hourly rate (annual salary / 1 720 h)"),
}


class PrefixedForm(BaseForm):
    """BaseForm for forms with a prefix (several on one page). BaseForm.validate looks fields up
    by `field.name`, which includes the prefix and raises KeyError for control characters; this
    runs the same checks keyed by the short name."""

    def validate(self, extra_validators=None) -> bool:
        from app.core.forms import _bad_characters, _max_length

        bad = {}
        for field in self:
            for value in field.raw_data or []:
                if not isinstance(value, str):
                    continue
                if _bad_characters(value):
                    bad[field.short_name] = [
                        _l("The text contains characters that are not allowed.")]
                elif len(value) > _max_length(field) * 2:
                    bad[field.short_name] = [_l("The text is too long.")]
        ok = super(BaseForm, self).validate(extra_validators)
        for name, errors in bad.items():
            self[name].errors = errors
        return ok and not bad


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_choice_message",
                          _l("Choose from the options shown (not valid: %(value)s)."))
        super().__init__(label, validators, **kwargs)


class CallForm(BaseForm):
    organisation_id = SelectField(_l("ELY-centre"), coerce=str)
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
    total_budget_cents = MoneyField(_l("Total budget (€)"))
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
    final_report = BooleanField(_l("A final report at the end"))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = as_choices((str(o.id), o.name) for o in organisations)
        self.eligible_types.choices = as_choices(ORGANISATION_TYPES.choices())
        self.funding_model.choices = as_choices(
            (model.value, label) for model, label in FUNDING_MODEL_LABELS.items())

    def service_data(self, fields) -> dict:
        return {name: self[name].data for name in fields if name in self}


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


class ActionForm(BaseForm):
    """A POST with only the CSRF token."""


class StartApplicationForm(BaseForm):
    organisation_id = SelectField(_l("Applying organisation"))
    project_name = StringField(_l("Project name"), validators=[DataRequired(), Length(max=200)])

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = as_choices((str(o.id), o.name) for o in organisations)


def _text(label, max_length=TEXT_MAX, **kwargs):
    return TextAreaField(label, validators=[Length(max=max_length)], **kwargs)


class ProjectSectionForm(BaseForm):
    project_name = StringField(_l("Project name"), validators=[Length(max=200)])
    summary = _text(_l("Summary"), 2000)


def _single(name: str, label):
    return type(f"{name.title().replace('_', '')}Form", (BaseForm,), {name: _text(label)})


class DurationSectionForm(BaseForm):
    start_date = DateField(_l("Start date"), validators=[Optional()])
    end_date = DateField(_l("End date"), validators=[Optional()])


class IndicatorsSectionForm(BaseForm):
    target_participants = CountField(_l("Participants"), maximum=1_000_000)
    target_employed = CountField(_l("Employed"), maximum=1_000_000)
    target_business_started = CountField(_l("Started a business"), maximum=1_000_000)
    target_in_education = CountField(_l("In education or training"), maximum=1_000_000)


class FundingSectionForm(BaseForm):
    support_cents = MoneyField(_l("Support applied for (EU and state) (€)"))
    municipal_cents = MoneyField(_l("Municipal funding (€)"))
    other_public_cents = MoneyField(_l("Other public funding (€)"))
    private_cents = MoneyField(_l("Private funding (€)"))
    own_cents = MoneyField(_l("Own funding (€)"))


SECTION_FORMS = {
    "project": ProjectSectionForm,
    "background": _single("background", _l("Background and need")),
    "target_group": _single("target_group", _l("Target group and how participants are reached")),
    "method": _single("method", _l("Method")),
    "employer_cooperation": _single("employer_cooperation", _l("Employer cooperation")),
    "expected_results": _single("expected_results", _l("Expected results")),
    "dissemination": _single("dissemination", _l("Dissemination")),
    "horizontal_principles": _single("horizontal_principles", _l("Horizontal principles")),
    "duration": DurationSectionForm,
    "indicators": IndicatorsSectionForm,
    "funding": FundingSectionForm,
}


class StaffLineForm(PrefixedForm):
    class Meta:
        # Prefixed, several on one page: the app-wide CSRFProtect checks the plain token.
        csrf = False

    role = StringField(_l("Role"), validators=[DataRequired(), Length(max=200)])
    kind = RadioField(_l("How the cost is calculated"), default="monthly",
                      validators=[AnyOf(("monthly", "hourly"), message=CHOICE_MESSAGE)])
    months = ScaledField(_l("Months"), maximum=budget.MAX_MONTHS_CENTI)
    fte = ScaledField(_l("Share of full time (%)"), maximum=budget.MAX_FTE_CENTI)
    monthly_salary = MoneyField(_l("Monthly salary with side costs (€)"),
                                maximum=budget.MAX_MONTHLY_SALARY_CENTS)
    hours = ScaledField(_l("Hours"), maximum=budget.MAX_HOURS_CENTI)
    annual_salary = MoneyField(_l("Annual salary with side costs (€)"),
                               maximum=budget.MAX_ANNUAL_SALARY_CENTS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = as_choices(
            (kind.value, label) for kind, label in STAFF_KIND_LABELS.items())

    def values(self) -> budget.LineValues:
        kind = self.kind.data if self.kind.data in ("monthly", "hourly") else "monthly"
        return budget.LineValues(
            kind=kind, role=self.role.data or "", months_centi=self.months.data,
            fte_centi=self.fte.data, monthly_salary_cents=self.monthly_salary.data,
            hours_centi=self.hours.data, annual_salary_cents=self.annual_salary.data,
        )


class PartnerForm(BaseForm):
    business_id = StringField(_l("Business ID of the partner organisation"),
                              validators=[DataRequired(), Length(max=20)],
                              description=_l("E.g. 1234567-1. Only verified organisations can be "
                                             "partners."))
    role_description = _text(_l("The partner's role in the project"), 2000)


class PracticeLinkForm(BaseForm):
    practice = StringField(_l("Service model"), validators=[DataRequired(), Length(max=300)],
                           description=_l("The number or the address of a published service "
                                          "model, e.g. /practices/12-tyohonvalmennus."))


class InfoRequestForm(BaseForm):
    message = TextAreaField(_l("What information is needed"),
                            validators=[DataRequired(), Length(max=5000)])
    deadline = LocalDateTimeField(_l("Deadline"), required=True,
                                  description=_l("Finnish time (Europe/Helsinki)."))


class DecisionForm(BaseForm):
    outcome = RadioField(_l("Decision"), validators=[AnyOf(("approved", "rejected"),
                                                           message=CHOICE_MESSAGE)])
    granted = MoneyField(_l("Granted support (€)"),
                         description=_l("Only when approved; at most the support applied for."))
    justification = TextAreaField(_l("Justification"),
                                  validators=[DataRequired(), Length(max=10_000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = as_choices((("approved", _l("Approve")),
                                           ("rejected", _l("Reject"))))


class ApplicationFilterForm(BaseForm):
    class Meta:
        csrf = False

    state = SelectField(_l("State"), validators=[Optional()])
    type = SelectField(_l("Organisation type"), validators=[Optional()])

    def __init__(self, *args, states=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = as_choices([("", _l("All states")), *states])
        self.type.choices = as_choices([("", _l("All types")), *ORGANISATION_TYPES.choices()])

