"""Forms for applications. They check the shape of the input; the services enforce the rules
(call open, content locked, budget balanced)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from app.applications.models import PartnerKind, StaffCostKind
from app.calls import budget
from app.core.codelists import ORGANISATION_TYPES
from app.core.fields import CountField, LocalDateTimeField, MoneyField, ScaledField
from app.core.forms import CHOICE_MESSAGE, BaseForm, PrefixedForm, as_choices

TEXT_MAX = 20_000

STAFF_KIND_LABELS = {
    StaffCostKind.monthly: _l("Months × share of full time × monthly salary"),
    StaffCostKind.hourly: _l("Hours × hourly rate (annual salary / %(hours)s h)",
                             hours=budget.HOURS_PER_YEAR),
}
PARTNER_KIND_LABELS = {
    PartnerKind.co_implementer: _l("Co-implementer: has its own staff costs, flat rate and "
                                   "funding plan in the project's budget"),
    PartnerKind.cooperation: _l("Cooperation partner (e.g. an employer): takes part in the "
                                "work but takes no money"),
}


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
    own_public_cents = MoneyField(_l("Own public funding (€)"))
    private_cents = MoneyField(_l("Private funding (€)"))
    own_cents = MoneyField(_l("Own private funding (€)"))


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


class StaffModelForm(BaseForm):
    staff_cost_model = RadioField(
        _l("How the staff costs are calculated"), default="monthly",
        validators=[AnyOf(("monthly", "hourly"), message=CHOICE_MESSAGE)],
        description=_l("One model for the whole application, co-implementers included."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff_cost_model.choices = as_choices(
            (kind.value, label) for kind, label in STAFF_KIND_LABELS.items())


class PartCostsForm(PrefixedForm):
    """A part's costs outside the flat rate and, for a co-implementer, its funding plan."""

    class Meta:
        csrf = False

    participant_costs_cents = MoneyField(
        _l("Participants' wages and allowances (€)"),
        description=_l("Outside the flat rate: added to the total eligible cost."))
    revenue_cents = MoneyField(_l("Revenue (€)"),
                               description=_l("Deducted from the total eligible cost."))
    support_cents = MoneyField(_l("Support applied for (EU and state) (€)"))
    municipal_cents = MoneyField(_l("Municipal funding (€)"))
    other_public_cents = MoneyField(_l("Other public funding (€)"))
    own_public_cents = MoneyField(_l("Own public funding (€)"))
    private_cents = MoneyField(_l("Private funding (€)"))
    own_cents = MoneyField(_l("Own private funding (€)"))

    COST_FIELDS = ("participant_costs_cents", "revenue_cents")
    PLAN_FIELDS = ("support_cents", "municipal_cents", "other_public_cents",
                   "own_public_cents", "private_cents", "own_cents")

    def values(self, with_plan: bool) -> dict:
        names = self.COST_FIELDS + (self.PLAN_FIELDS if with_plan else ())
        return {name: self[name].data or 0 for name in names}


class PartnerForm(BaseForm):
    kind = RadioField(_l("The partner is"), default=PartnerKind.co_implementer.value,
                      validators=[AnyOf(tuple(k.value for k in PartnerKind),
                                        message=CHOICE_MESSAGE)])
    # The name or the Business ID; the picker (app/partners/finder_views.py) suggests
    # organisations as one types and sends the chosen one's id as `organisation_id`.
    business_id = StringField(_l("Partner organisation: name or Business ID"),
                              validators=[DataRequired(_l(
                                  "Type the name or the Business ID of the partner "
                                  "organisation.")), Length(max=200)],
                              description=_l("Type at least two letters of the name and choose "
                                             "from the list, or type the Business ID, e.g. "
                                             "1234567-1. Only verified organisations can be "
                                             "partners."))
    role_description = _text(_l("The partner's role in the project"), 2000)

    def __init__(self, *args, **kwargs):
        from flask import url_for

        super().__init__(*args, **kwargs)
        self.kind.choices = as_choices(
            (kind.value, label) for kind, label in PARTNER_KIND_LABELS.items())
        # Organisations to choose from after a refused name (the picker without JavaScript),
        # and the one chosen (kept when the form comes back with another message).
        self.candidates: list = []
        self.chosen = None
        self.business_id.render_kw = {
            "autocomplete": "off", "aria-controls": "pick-results-application",
            "hx-get": url_for("partners.pick", **{"for": "application"}),
            "hx-trigger": "input changed delay:300ms, search",
            "hx-target": "#pick-results-application", "hx-swap": "innerHTML",
            "hx-sync": "this:replace"}


class PracticeLinkForm(BaseForm):
    practice = StringField(_l("Service model"), validators=[DataRequired(), Length(max=300)],
                           description=_l("The number or the address of a published service "
                                          "model, e.g. /practices/12-tyohonvalmennus."))


class InfoRequestForm(BaseForm):
    message = TextAreaField(_l("What information is needed"),
                            validators=[DataRequired(), Length(max=5000)])
    deadline = LocalDateTimeField(_l("Deadline"), required=True,
                                  description=_l("Finnish time (Europe/Helsinki)."))


class ApplicationFilterForm(BaseForm):
    class Meta:
        csrf = False

    state = SelectField(_l("State"), validators=[Optional()])
    type = SelectField(_l("Organisation type"), validators=[Optional()])

    def __init__(self, *args, states=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = as_choices([("", _l("All states")), *states])
        self.type.choices = as_choices([("", _l("All types")), *ORGANISATION_TYPES.choices()])

