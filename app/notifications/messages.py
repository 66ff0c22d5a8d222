"""What a notice says: a translatable template per kind, filled with the notice's params when it
is shown, in the reader's language. A notice stores values, never text, so that it reads right
in whichever language its reader chooses later.

Params used: `title` (the project's name), `call` (the call's title: one text, or
{"fi": ..., "sv": ..., "en": ...}), `organisation`, `partner`, `due` (an ISO 8601 time),
`outcome` ("approved"/"rejected"), and the variants `supplement` and `returned`.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.notifications.models import Notification, NotificationKind

K = NotificationKind

# Kinds addressed to the ELY-centre's side: withheld from whoever is conflicted on their
# application (the conflict-of-interest rule reaches notifications too).
ELY_SIDE_KINDS = frozenset({K.reviewer_assigned, K.review_due, K.application_submitted,
                            K.decision_proposed, K.report_submitted})

MESSAGES = {
    K.reviewer_assigned: _l("You have been assigned to review “%(title)s” (%(call)s)."),
    K.review_due: _l("Your review of “%(title)s” is due on %(due)s."),
    K.application_submitted: _l("“%(title)s” was submitted to the call %(call)s."),
    K.info_requested: _l("The funding authority asks for more information about “%(title)s”."),
    K.decision_proposed: _l("A decision on “%(title)s” is proposed for you to confirm or "
                            "return."),
    K.decision_made: _l("The decision on “%(title)s” has been made."),
    K.partner_invitation: _l("%(organisation)s invites %(partner)s to be a partner in "
                             "“%(title)s”."),
    K.report_submitted: _l("Progress report %(number)s of “%(title)s” was submitted."),
    K.report_handled: _l("Progress report %(number)s of “%(title)s” was accepted."),
    K.report_due: _l("Progress report %(number)s of “%(title)s” is due on %(due)s."),
    K.partner_call_answered: _l("%(organisation)s answered your partner call “%(title)s”."),
    K.partner_message: _l("New message from %(organisation)s about the partner call “%(title)s”."),
    K.event_place_confirmed: _l("You have a place at “%(title)s”: you moved up from the "
                                "waiting list."),
    K.question_asked: _l("%(organisation)s asked about “%(title)s”: %(question)s"),
    K.question_answered: _l("Your question about “%(title)s” was answered: %(question)s"),
}
VARIANTS = {
    (K.application_submitted, "supplement"): _l("“%(title)s” was resubmitted with the "
                                                "additional information (%(call)s)."),
    (K.decision_proposed, "returned"): _l("Your proposal on “%(title)s” was returned."),
    (K.report_handled, "returned"): _l("Progress report %(number)s of “%(title)s” was "
                                       "returned for corrections."),
    (K.report_handled, "claim"): _l("The payment claim with progress report %(number)s of "
                                    "“%(title)s” was approved."),
    (K.question_asked, "followup"): _l("%(organisation)s added to its question about "
                                        "“%(title)s”: %(question)s"),
    (K.report_due, "overdue"): _l("Progress report %(number)s of “%(title)s” was due on "
                                  "%(due)s and has not been submitted."),
}
OUTCOMES = {
    "approved": _l("The application “%(title)s” has been approved."),
    "rejected": _l("The application “%(title)s” has not been funded."),
}

# The preferences page: one line per kind.
KIND_LABELS = {
    K.reviewer_assigned: _l("I am assigned to review an application"),
    K.review_due: _l("A review of mine is due in 3 days"),
    K.application_submitted: _l("An application is submitted or resubmitted to a call I manage"),
    K.info_requested: _l("More information is requested about our application"),
    K.decision_proposed: _l("A decision is proposed to me, or my proposal is returned"),
    K.decision_made: _l("A decision is made on our application"),
    K.partner_invitation: _l("Our organisation is invited to be a partner in an application"),
    K.report_submitted: _l("A progress report is submitted in a call I manage"),
    K.report_handled: _l("Our progress report is accepted or returned, or our claim approved"),
    K.report_due: _l("Our progress report is due soon or overdue"),
    K.partner_call_answered: _l("Another organisation answers our partner call"),
    K.partner_message: _l("A new message in a partner call conversation of ours"),
    K.event_place_confirmed: _l("I get a place at an event from its waiting list"),
    K.question_asked: _l("A question is asked or added to about our service model"),
    K.question_answered: _l("A question I asked about a service model is answered"),
}


class _Params(dict):
    """Missing values read as empty: an old notice never breaks the page."""

    def __missing__(self, key):
        return ""


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "fi"


def _call_title(value, language: str) -> str:
    if isinstance(value, dict):
        for lang in (language, "fi", "sv", "en"):
            if value.get(lang):
                return str(value[lang])
        return ""
    return str(value or "")


def _due(value) -> str:
    """A due time (ISO 8601 date and time) or a due date (ISO 8601 date, e.g. a report's)."""
    from datetime import date

    from app.core.templating import local_date, local_datetime

    text = str(value)
    try:
        if len(text) == 10:
            return local_date(date.fromisoformat(text))
        return local_datetime(datetime.fromisoformat(text))
    except (TypeError, ValueError):
        return ""


def call_titles(call) -> dict[str, str]:
    """The call's title in every language, for a notice's params."""
    return {lang: call.title(lang) for lang in ("fi", "sv", "en")}


def message(notice: Notification) -> str:
    """The notice's text in the current (reader's) language."""
    params = notice.params if isinstance(notice.params, dict) else {}
    values = _Params({key: value for key, value in params.items()
                      if isinstance(value, str | int | float)})
    values["call"] = _call_title(params.get("call"), _language())
    if "due" in params:
        values["due"] = _due(params["due"])
    template = MESSAGES.get(notice.kind)
    if notice.kind == K.decision_made and params.get("outcome") in OUTCOMES:
        template = OUTCOMES[params["outcome"]]
    for (kind, flag), variant in VARIANTS.items():
        if notice.kind == kind and params.get(flag):
            template = variant
    if template is None:
        return ""
    return str(template) % values
