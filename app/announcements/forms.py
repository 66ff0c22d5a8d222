"""The announcement form. It checks the shape of the input; the services enforce the rules
(the call is the authority's own, a call or a theme is given, a published call to publish)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.announcements.models import AnnouncementKind
from app.announcements.services import BODY_MAX, TITLE_MAX, AnnouncementInput
from app.calls.forms import LANGUAGE_LABELS
from app.core.fields import parse_int
from app.core.forms import CHOICE_MESSAGE, BaseForm, as_choices

KIND_LABELS = {
    AnnouncementKind.info_session: _l("Information session"),
    AnnouncementKind.change: _l("Change"),
    AnnouncementKind.results: _l("Results"),
    AnnouncementKind.general: _l("General"),
}
STATE_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "withdrawn": _l("Withdrawn"),
}


class AnnouncementForm(BaseForm):
    organisation_id = SelectField(_l("Funding authority"), coerce=str,
                                  validate_choice=True)
    kind = RadioField(_l("Kind"), validators=[DataRequired(message=CHOICE_MESSAGE)],
                      validate_choice=True)
    language = SelectField(_l("Language of the text"), validate_choice=True,
                           description=_l("The language the title and text are written in."))
    title = StringField(_l("Title"), validators=[
        DataRequired(message=_l("Give the announcement a title.")), Length(max=TITLE_MAX)])
    body = TextAreaField(_l("Text"), validators=[Optional(), Length(max=BODY_MAX)],
                         description=_l("Markdown: paragraphs, lists and links."))
    call_id = SelectField(_l("Funding call"), coerce=str, validate_choice=True,
                          description=_l("One of your funding authority's calls, if the "
                                         "announcement is about one."))
    theme = StringField(_l("Theme"), validators=[Length(max=200)],
                        render_kw={"list": "theme-suggestions", "autocomplete": "off"},
                        description=_l("Shown on the theme's page. Pick a theme of the calls or "
                                       "write your own; capital letters do not matter."))
    lock_version = HiddenField()

    def __init__(self, *args, organisations=(), calls=(), language="fi", **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = as_choices((str(o.id), o.name) for o in organisations)
        self.call_id.choices = as_choices([("", _l("No call"))] + [
            (str(c.id), f"{c.title(language) or _l('(untitled)')} – {c.organisation.name}"
             if len(organisations) > 1 else c.title(language) or _l("(untitled)"))
            for c in calls])
        self.kind.choices = as_choices((k.value, label) for k, label in KIND_LABELS.items())
        self.language.choices = as_choices(LANGUAGE_LABELS.items())

    def values(self) -> AnnouncementInput:
        return AnnouncementInput(
            kind=self.kind.data or "", language=self.language.data or "",
            title=self.title.data or "", body=self.body.data or "",
            call_id=parse_int(self.call_id.data, max_digits=9) if self.call_id.data else None,
            theme=self.theme.data or "")
