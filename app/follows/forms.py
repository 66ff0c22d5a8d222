"""Forms of the Following page: add a target group or a region, and the weekly digest."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField
from wtforms.validators import DataRequired, ValidationError

from app.core.codelists import REGIONS, TARGET_GROUPS
from app.core.forms import CHOICE_MESSAGE, BaseForm, PrefixedForm

CHECKED_VALUES = ("y", "on", "true", "1")


def _choices(codes, placeholder):
    def make():
        return [("", placeholder), *codes.choices()]
    return make


class TargetGroupFollowForm(PrefixedForm):
    """Follow a target group (the field is `target_group-target` on the page)."""

    target = SelectField(_l("Target group"), validators=[DataRequired(message=CHOICE_MESSAGE)],
                         validate_choice=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "target_group")
        super().__init__(*args, **kwargs)
        self.target.choices = _choices(TARGET_GROUPS, _l("Choose a target group"))()


class RegionFollowForm(PrefixedForm):
    """Follow a region (the field is `region-target` on the page)."""

    target = SelectField(_l("Region"), validators=[DataRequired(message=CHOICE_MESSAGE)],
                         validate_choice=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "region")
        super().__init__(*args, **kwargs)
        self.target.choices = _choices(REGIONS, _l("Choose a region"))()


def _checkbox(form, field) -> None:
    # A checkbox sends its value or nothing; anything else did not come from this form.
    if any(value not in CHECKED_VALUES for value in field.raw_data or []):
        raise ValidationError(_l("Tick the box or leave it empty."))


class DigestForm(BaseForm):
    weekly_digest = BooleanField(
        _l("Send me a weekly e-mail digest of what is new in what I follow"),
        validators=[_checkbox],
        description=_l("Sent on Monday mornings, only when there is something new."))
