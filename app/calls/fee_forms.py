"""The form of one row of an outcome-based call's fee table. It checks the shape of the input
(a choice, a label, euros, whole numbers, stage lines "label; percent"); app/calls/fees.py
enforces the rules (months for employment, at most four stages summing to 100 %)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from app.calls.fees import MAX_LABEL, MAX_MONTHS, OUTCOME_TYPE_LABELS, FeeInput, StageInput
from app.core.fields import CountField, MoneyField, parse_int
from app.core.forms import CHOICE_MESSAGE, BaseForm, as_choices

STAGES_MAX_LENGTH = 1000


def parse_stages(text: str | None) -> list[StageInput]:
    """Stage lines "label; percent" (the percent may end with "%"), blank lines skipped.
    Raises ValueError with a message naming the line."""
    stages = []
    for number, line in enumerate((text or "").replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        label, separator, percent = line.rpartition(";")
        percent = percent.strip().removesuffix("%").strip()
        value = parse_int(percent, max_digits=3)
        if not separator or not label.strip() or value is None:
            raise ValueError(_l("Line %(n)s: write when the stage is paid, a semicolon and a "
                                "whole percent, e.g. “Employment starts; 30”.", n=number))
        stages.append(StageInput(label=label.strip(), percent=value))
    return stages


def stages_text(stages: list[dict]) -> str:
    """A row's stages as the form shows them."""
    return "\n".join(f"{stage['label']}; {stage['percent']}" for stage in stages or [])


class FeeForm(BaseForm):
    fee_id = HiddenField()
    outcome_type = SelectField(_l("Outcome"), validators=[DataRequired(message=CHOICE_MESSAGE)])
    label = StringField(_l("Name of the outcome"), validators=[DataRequired(),
                                                             Length(max=MAX_LABEL)],
                        description=_l("As applicants and progress reports show it, e.g. "
                                       "“Employment lasting at least six months”."))
    min_months = CountField(_l("Minimum duration of employment (months)"), maximum=MAX_MONTHS,
                            description=_l("Required for employment; leave it empty for the "
                                           "other outcomes."))
    fee_cents = MoneyField(_l("Fee per outcome (€)"), required=True,
                           description=_l("In euros, e.g. 3 000 or 2 500,50."))
    stages = TextAreaField(
        _l("Stages of payment (optional)"), validators=[Length(max=STAGES_MAX_LENGTH)],
        description=_l("One stage a line: when it is paid, a semicolon and its percent of the "
                       "fee, e.g. “Employment starts; 30” and “Employment has lasted six months; "
                       "70”. At most four stages, whole percents summing to 100. Leave it empty "
                       "to pay the whole fee at once."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome_type.choices = as_choices(
            [("", _l("Choose…")),
             *((kind.value, label) for kind, label in OUTCOME_TYPE_LABELS.items())])
        self.stage_values: list[StageInput] = []

    def validate_stages(self, field) -> None:
        try:
            self.stage_values = parse_stages(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def fill(self, fee) -> None:
        """Show a stored row for editing."""
        self.fee_id.data = str(fee.id)
        self.outcome_type.data = fee.outcome_type.value
        self.label.data = fee.label
        self.min_months.data = fee.min_months
        self.fee_cents.data = fee.fee_cents
        self.stages.data = stages_text(fee.stages)

    def values(self) -> FeeInput:
        return FeeInput(outcome_type=self.outcome_type.data or "", label=self.label.data or "",
                        fee_cents=self.fee_cents.data, min_months=self.min_months.data,
                        stages=list(self.stage_values))
