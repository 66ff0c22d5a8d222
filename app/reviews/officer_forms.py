"""Forms of the presenting officer's review management page. They check the shape of the input
(choices among the people and applications shown, numbers, times); the services enforce the
rules (who may be named or assigned, conflicts, reviewing open)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField
from wtforms.validators import InputRequired

from app.core.fields import CountField, LocalDateTimeField
from app.core.forms import CHOICE_MESSAGE, PrefixedForm, as_choices


def _people(users, blank_label) -> list:
    return as_choices([("", blank_label), *((str(u.id), u.name) for u in users)])


class ReviewRolesForm(PrefixedForm):
    """The presenting officer, the decision maker and when the reviews are due."""

    presenting_officer = SelectField(_l("Presenting officer (esittelijä)"),
                                     description=_l("A call manager of the funding authority."))
    decision_maker = SelectField(_l("Decision maker (ratkaisija)"),
                                 description=_l("Another call manager, or the owner of the "
                                                "funding authority. The same person cannot "
                                                "both present and decide."))
    reviews_due_at = LocalDateTimeField(_l("Reviews due"),
                                        description=_l("Finnish time, e.g. 2026-03-01 16:00."))

    def __init__(self, *args, managers=(), deciders=(), **kwargs):
        kwargs.setdefault("prefix", "roles")
        super().__init__(*args, **kwargs)
        self.presenting_officer.choices = _people(
            managers, _l("Not named: every call manager presents"))
        self.decision_maker.choices = _people(
            deciders, _l("Not named: any call manager or the owner decides"))


def _due_at():
    return LocalDateTimeField(_l("Due"), description=_l("Empty: the call's due date."))


class AssignForm(PrefixedForm):
    """One reviewer to one application."""

    application = SelectField(_l("Application"), validators=[InputRequired(CHOICE_MESSAGE)])
    reviewer = SelectField(_l("Reviewer"), validators=[InputRequired(CHOICE_MESSAGE)])
    due_at = _due_at()

    def __init__(self, *args, applications=(), reviewers=(), **kwargs):
        kwargs.setdefault("prefix", "assign")
        super().__init__(*args, **kwargs)
        self.application.choices = as_choices(
            [("", _l("Choose an application")),
             *((str(a.id), a.project_name) for a in applications)])
        self.reviewer.choices = _people(reviewers, _l("Choose a reviewer"))


class BulkAssignForm(PrefixedForm):
    """One reviewer to every application ticked in the list."""

    applications = SelectMultipleField(_l("Applications"),
                                       validators=[InputRequired(_l("Tick at least one "
                                                                    "application."))])
    reviewer = SelectField(_l("Reviewer for the ticked applications"),
                           validators=[InputRequired(CHOICE_MESSAGE)])
    due_at = _due_at()

    def __init__(self, *args, applications=(), reviewers=(), **kwargs):
        kwargs.setdefault("prefix", "bulk")
        super().__init__(*args, **kwargs)
        self.applications.choices = as_choices(
            (str(a.id), a.project_name) for a in applications)
        self.reviewer.choices = _people(reviewers, _l("Choose a reviewer"))


class AutoAssignForm(PrefixedForm):
    """Balanced automatic assignment."""

    per_application = CountField(_l("Reviewers per application"), maximum=10, required=True,
                                 description=_l("From 1 to 10. Applications that already have "
                                                "reviewers get only the missing ones."))
    due_at = _due_at()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "auto")
        super().__init__(*args, **kwargs)
