"""Form base class: hostile input gets a validation message, never an exception."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, PasswordField
from wtforms.validators import Length
from wtforms.widgets import TextArea

from app.core.text import bad_character

DEFAULT_MAX_LENGTH = 20_000


def _max_length(field: Field) -> int:
    for validator in field.validators:
        if isinstance(validator, Length) and validator.max and validator.max > 0:
            return validator.max
    return DEFAULT_MAX_LENGTH


SINGLE_LINE_MESSAGE = _l("This field cannot contain line breaks or control characters.")
BAD_CHARACTER_MESSAGE = _l("The text contains characters that are not allowed.")
TOO_LONG_MESSAGE = _l("The text is too long.")


def is_multiline(field: Field) -> bool:
    """A field whose input is a text area keeps line breaks and tabs; every other field is a
    single line (names, titles, e-mail addresses, searches, hidden and choice values)."""
    return isinstance(field.widget, TextArea)


def input_problem(field: Field, value: str):
    """The message for a raw input value that no field may accept, or None."""
    # A password is never put in a header or shown; one pasted with a tab may exist already.
    allow = "\t" if isinstance(field, PasswordField) else ""
    if bad_character(value, multiline=is_multiline(field), allow=allow) is not None:
        return BAD_CHARACTER_MESSAGE if is_multiline(field) else SINGLE_LINE_MESSAGE
    if len(value) > _max_length(field) * 2:
        # Far over the limit: refuse before other validators parse it.
        return TOO_LONG_MESSAGE
    return None


def _input_problems(form) -> dict:
    """{short name: [message]} for every field with a raw value that no field may accept."""
    bad = {}
    for field in form:
        for value in field.raw_data or []:
            if isinstance(value, str) and (message := input_problem(field, value)):
                bad[field.short_name] = [message]
                break
    return bad


class BaseForm(FlaskForm):
    """Every form: refuses control characters and over-long text before its own validators."""

    def validate(self, extra_validators=None) -> bool:
        bad = _input_problems(self)
        if not bad:
            return super().validate(extra_validators)
        # Run the rest so that every other field still gets its own messages.
        super().validate(extra_validators)
        for name, errors in bad.items():
            self[name].errors = errors
        return False


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
        bad = _input_problems(self)
        ok = super(BaseForm, self).validate(extra_validators)
        for name, errors in bad.items():
            self[name].errors = errors
        return ok and not bad
