"""Form base class: hostile input gets a validation message, never an exception."""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.validators import Length

DEFAULT_MAX_LENGTH = 20_000


def _max_length(field: Field) -> int:
    for validator in field.validators:
        if isinstance(validator, Length) and validator.max and validator.max > 0:
            return validator.max
    return DEFAULT_MAX_LENGTH


def _bad_characters(text: str) -> bool:
    for ch in text:
        if ch in "\n\r\t":
            continue
        if unicodedata.category(ch) in ("Cc", "Cs", "Co"):
            return True
    return False


class BaseForm(FlaskForm):
    """Every form: refuses control characters and over-long text before its own validators."""

    def validate(self, extra_validators=None) -> bool:
        ok = True
        for field in self:
            values = field.raw_data or []
            for value in values:
                if not isinstance(value, str):
                    continue
                if _bad_characters(value):
                    field.errors = [_l("The text contains characters that are not allowed.")]
                    ok = False
                elif len(value) > _max_length(field) * 2:
                    # Far over the limit: refuse before other validators parse it.
                    field.errors = [_l("The text is too long.")]
                    ok = False
        if not ok:
            # Run the rest so that every other field still gets its own messages.
            bad = {field.short_name: list(field.errors) for field in self if field.errors}
            super().validate(extra_validators)
            for name, errors in bad.items():
                self[name].errors = errors
            return False
        return super().validate(extra_validators)


def show_domain_error(form: FlaskForm, error) -> None:
    """Put a service's DomainError on its field; one that belongs to no field is flashed, or,
    for an htmx request (whose answer is a fragment without the flashed messages), added to the
    form's own errors (`form.form_errors`, listed by the `error_summary` macro)."""
    from flask import flash

    from app.core.htmx import is_htmx

    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    elif is_htmx():
        form.form_errors = [*form.form_errors, error.message]
    else:
        flash(error.message, "error")


def as_choices(pairs) -> list:
    """(value, label) pairs as WTForms SelectChoice objects."""
    from wtforms import SelectChoice

    return [SelectChoice(value, label) for value, label in pairs]


CHOICE_MESSAGE = _l("Choose one of the options.")


class ActionForm(BaseForm):
    """A POST with only the CSRF token."""


class PrefixedForm(BaseForm):
    """BaseForm for forms with a prefix (several on one page). BaseForm.validate looks fields up
    by `field.name`, which includes the prefix and raises KeyError for control characters; this
    runs the same checks keyed by the short name."""

    def validate(self, extra_validators=None) -> bool:
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
