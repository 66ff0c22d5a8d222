"""Forms of questions on service models: ask, reply (an answer or a follow-up), hide."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.core.forms import BaseForm, as_choices

TITLE_MAX = 200
BODY_MAX = 5_000
REASON_MAX = 500

BODY_TOO_LONG = _l("The message can be at most 5,000 characters long.")
BODY_MISSING = _l("Write your message.")


class AskForm(BaseForm):
    organisation = SelectField(_l("Your organisation"), validators=[
        DataRequired(_l("Choose your organisation."))])
    title = StringField(_l("Question in brief"), validators=[
        DataRequired(_l("Write your question in brief.")),
        Length(max=TITLE_MAX, message=_l("The title can be at most 200 characters long."))],
        description=_l("One line, shown in the list of questions."))
    body = TextAreaField(_l("Your question"), validators=[
        DataRequired(BODY_MISSING), Length(max=BODY_MAX, message=BODY_TOO_LONG)],
        description=_l("Plain text; line breaks are kept. Once answered, the question and the "
                       "answers are public on the model's page."))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = as_choices((str(org.id), org.name) for org in organisations)


class ReplyForm(BaseForm):
    body = TextAreaField(_l("Your message"), validators=[
        DataRequired(BODY_MISSING), Length(max=BODY_MAX, message=BODY_TOO_LONG)],
        description=_l("Plain text; line breaks are kept."))


class HideForm(BaseForm):
    reason = TextAreaField(_l("Reason for hiding"), validators=[
        DataRequired(_l("Give the reason for hiding the message.")),
        Length(max=REASON_MAX, message=_l("The reason can be at most 500 characters long."))],
        description=_l("Shown in place of the message to everyone who reads the thread."))


class QuestionListForm(FlaskForm):
    """The list's filter and sort (a GET form read from the query string)."""

    class Meta:
        csrf = False

    show = SelectField(_l("Show"), default="all")
    sort = SelectField(_l("Sort by"), default="activity")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.show.choices = as_choices([
            ("all", _l("All questions I can see")), ("answered", _l("Answered")),
            ("open", _l("Waiting for an answer"))])
        self.sort.choices = as_choices([
            ("activity", _l("Latest activity")), ("newest", _l("Newest first")),
            ("oldest", _l("Oldest first"))])
