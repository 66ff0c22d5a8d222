"""Forms for calls and criteria. They check the shape of the input; the services
enforce the rules (call open, weights sum to 100 %, content locked, budget balanced)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.calls.models import CriterionKind, FundingModel
from app.core.codelists import ORGANISATION_TYPES
from app.core.fields import CountField, LocalDateTimeField, MoneyField
from app.core.forms import CHOICE_MESSAGE, BaseForm, PrefixedForm, as_choices

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
    advance_percent = CountField(_l("Advance, percentage of the support"), maximum=30,
                                 description=_l("Paid when the project starts and deducted from "
                                                "its payment claims; at most 30 %."))
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
