"""Account forms. Rules beyond the shape of the input live in services.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.core.forms import BaseForm, as_choices

LANGUAGE_CHOICES = as_choices([("fi", "suomi"), ("sv", "svenska"), ("en", "English")])


def _email_field(label=None):
    return EmailField(
        label or _l("E-mail address"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Length(max=254, message=_l("The e-mail address is too long.")),
            Email(_l("Enter a valid e-mail address, like name@example.fi."),
                  check_deliverability=False),
        ],
    )


def _new_password_field(label=None):
    return PasswordField(
        label or _l("Password"),
        validators=[
            DataRequired(_l("Enter a password.")),
            Length(min=10, max=128, message=_l("The password must be 10–128 characters long.")),
        ],
        description=_l("At least 10 characters. A few unrelated words make a good password."),
    )


class RegisterForm(BaseForm):
    name = StringField(_l("Your name"), validators=[
        DataRequired(_l("Enter your name.")), Length(max=120, message=_l("The name is too long."))])
    email = _email_field()
    password = _new_password_field()
    password_again = PasswordField(_l("Password again"), validators=[
        DataRequired(_l("Enter the password again.")),
        EqualTo("password", _l("The passwords do not match."))])
    language = RadioField(_l("Preferred language"), choices=LANGUAGE_CHOICES, default="fi",
                          validators=[DataRequired(_l("Choose a language."))])
    # Where to continue after the address is verified (an invitation), a same-site path.
    next = HiddenField(validators=[Length(max=2000)])


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter your e-mail address.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Enter your password.")), Length(max=256)])
    next = HiddenField()


class ForgotPasswordForm(BaseForm):
    email = _email_field()


class UnlockForm(BaseForm):
    """Asks for a mailed link that lets this browser past a sign-in pause."""

    email = _email_field()


class ResetPasswordForm(BaseForm):
    password = _new_password_field(_l("New password"))
    password_again = PasswordField(_l("New password again"), validators=[
        DataRequired(_l("Enter the password again.")),
        EqualTo("password", _l("The passwords do not match."))])


class ProfileForm(BaseForm):
    name = StringField(_l("Your name"), validators=[
        DataRequired(_l("Enter your name.")), Length(max=120, message=_l("The name is too long."))])
    language = RadioField(_l("Preferred language"), choices=LANGUAGE_CHOICES,
                          validators=[DataRequired(_l("Choose a language."))])


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Enter your current password.")), Length(max=256)])
    password = _new_password_field(_l("New password"))
    password_again = PasswordField(_l("New password again"), validators=[
        DataRequired(_l("Enter the password again.")),
        EqualTo("password", _l("The passwords do not match."))])


class ChangeEmailForm(BaseForm):
    email = _email_field(_l("New e-mail address"))
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Enter your current password.")), Length(max=256)])


class DeleteAccountForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Enter your current password.")), Length(max=256)])


class ConfirmForm(BaseForm):
    """A form with only the CSRF token: confirms a link's action with a POST."""
