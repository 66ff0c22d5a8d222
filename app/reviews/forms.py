"""Forms of the reviewer's pages: the list's filters, the declaration of (no) conflict of
interest and the scoring form. They check the shape of the input; the services enforce the
rules (scales, grounds, who may score, reviewing open)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.form import _Auto
from wtforms import HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from app.core.fields import MoneyField, parse_int
from app.core.forms import CHOICE_MESSAGE, BaseForm, as_choices
from app.reviews.models import ConflictGround, Recommendation, ReviewState
from app.reviews.services import DECLARABLE_GROUNDS, ScoreInput

STATE_LABELS = {
    ReviewState.to_declare: _l("To declare"),
    ReviewState.conflicted: _l("Conflicted"),
    ReviewState.in_progress: _l("In progress"),
    ReviewState.submitted: _l("Submitted"),
}
SORT_LABELS = {"due": _l("Due date"), "call": _l("Call"), "state": _l("State")}

# The grounds of disqualification of the Administrative Procedure Act 434/2003, section 28.
GROUND_LABELS = {
    ConflictGround.party_or_relative: _l("Party, or a close relative of a party"),
    ConflictGround.service_or_board: _l("In the service of or on the board of a party"),
    ConflictGround.benefit_or_harm: _l("Can expect particular benefit or harm from the decision"),
    ConflictGround.other: _l("Another reason that endangers impartiality"),
    ConflictGround.membership: _l("Member of the lead applicant or of a partner organisation"),
}
RECOMMENDATION_LABELS = {
    Recommendation.fund: _l("Fund"),
    Recommendation.fund_with_conditions: _l("Fund with conditions"),
    Recommendation.do_not_fund: _l("Do not fund"),
}
PASSED_CHOICES = (("yes", _l("Met")), ("no", _l("Not met")))
COMMENT_MAX = 5000
TEXT_MAX = 10_000


class ReviewFilterForm(BaseForm):
    class Meta:
        csrf = False

    state = SelectField(_l("State"), validators=[Optional()])
    sort = SelectField(_l("Sort by"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = as_choices([("", _l("All states")),
                                         *((s.value, label) for s, label in STATE_LABELS.items())])
        self.sort.choices = as_choices(SORT_LABELS.items())


class DeclarationForm(BaseForm):
    declaration = RadioField(
        _l("Do you have a conflict of interest in this application?"),
        choices=as_choices([
            ("no_conflict", _l("No: I have no conflict of interest")),
            ("conflict", _l("Yes: I have a conflict of interest (I am disqualified)"))]),
        validate_choice=False)
    ground = SelectField(_l("Ground of the conflict of interest"), validate_choice=False)
    note = TextAreaField(_l("Note (optional)"), validators=[Length(max=2000)],
                         description=_l("Required when the ground is another reason."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ground.choices = as_choices([("", _l("Choose the ground")),
                                          *((g.value, GROUND_LABELS[g])
                                            for g in DECLARABLE_GROUNDS)])

    def validate_declaration(self, field):
        if field.data not in ("no_conflict", "conflict"):
            raise ValidationError(_l("Choose whether you have a conflict of interest."))

    @property
    def conflict(self) -> bool:
        return self.declaration.data == "conflict"


def _whole_number(maximum: int):
    def check(form, field):
        text = (field.data or "").strip()
        if text and parse_int(text, max_digits=2) is None:
            raise ValidationError(_l("Give a score from 0 to %(max)s.", max=maximum))
    return check


def _passed_choice(form, field):
    if (field.data or "") not in ("", "yes", "no"):
        raise ValidationError(CHOICE_MESSAGE)


class ReviewForm(BaseForm):
    """The scoring form: per criterion of the call (in their order) a score, or met / not met
    for a general criterion, and a comment; the recommendation, the proposed amount and the
    overall comment; the review's version. The criterion fields are named
    `criterion-<id>-score`, `criterion-<id>-passed` and `criterion-<id>-comment`, the names
    the services use for their errors."""

    recommendation = RadioField(
        _l("Recommendation"),
        choices=as_choices((r.value, label) for r, label in RECOMMENDATION_LABELS.items()),
        validate_choice=False)
    proposed_amount = MoneyField(_l("Proposed amount (€)"),
                                 description=_l("Optional: the support you would grant."))
    overall_comment = TextAreaField(_l("Overall comment"), validators=[Length(max=TEXT_MAX)])
    version = HiddenField()

    def __init__(self, formdata=_Auto, *, criteria, review=None, **kwargs):
        if review is not None and formdata is None:
            kwargs.setdefault("data", {
                "recommendation": review.recommendation.value if review.recommendation else None,
                "proposed_amount": review.proposed_cents,
                "overall_comment": review.overall_comment,
                "version": review.lock_version})
        super().__init__(formdata=formdata, **kwargs)
        self.criteria = list(criteria)
        submitted = self.meta.wrap_formdata(self, formdata)
        saved = {s.criterion_id: s for s in review.scores} if review is not None else {}
        translations = self.meta.get_translations(self)
        self.field_names = {}  # what the error summary calls each criterion's fields
        for criterion in self.criteria:
            row = saved.get(criterion.id)
            for name, unbound, value in self._criterion_fields(criterion, row):
                field = self.meta.bind_field(self, unbound, {
                    "name": name, "prefix": "", "translations": translations})
                self._fields[name] = field
                field.process(submitted, value)
                self.field_names[name] = _l("%(criterion)s: %(field)s",
                                            criterion=criterion.title, field=field.label.text)

    @staticmethod
    def _criterion_fields(criterion, row):
        key = f"criterion-{criterion.id}"
        if criterion.is_scored:
            maximum = criterion.scale_max
            score = RadioField(_l("Score (0–%(max)s)", max=maximum),
                               choices=as_choices((str(n), str(n)) for n in range(maximum + 1)),
                               validate_choice=False, validators=[_whole_number(maximum)])
            value = None if row is None or row.score is None else str(row.score)
            yield f"{key}-score", score, value
        else:
            passed = RadioField(_l("Is the criterion met?"), choices=as_choices(PASSED_CHOICES),
                                validate_choice=False, validators=[_passed_choice])
            value = None if row is None or row.passed is None else ("yes" if row.passed else "no")
            yield f"{key}-passed", passed, value
        comment = TextAreaField(_l("Comment"), validators=[Length(max=COMMENT_MAX)])
        yield f"{key}-comment", comment, row.comment if row is not None else ""

    def fields_of(self, criterion) -> tuple:
        """(the score or met field, the comment field) of a criterion."""
        key = f"criterion-{criterion.id}"
        return (self[f"{key}-score" if criterion.is_scored else f"{key}-passed"],
                self[f"{key}-comment"])

    def scores(self) -> dict[int, ScoreInput]:
        """What the form says of each criterion, for services.save_review."""
        result = {}
        for criterion in self.criteria:
            mark, comment = self.fields_of(criterion)
            text = (mark.data or "").strip()
            if criterion.is_scored:
                result[criterion.id] = ScoreInput(score=parse_int(text, max_digits=2),
                                                  comment=comment.data or "")
            else:
                result[criterion.id] = ScoreInput(
                    passed={"yes": True, "no": False}.get(text), comment=comment.data or "")
        return result

    def scored_values(self) -> dict[int, int | None]:
        """The scores as typed (for the live total of a form that was refused)."""
        return {criterion_id: given.score for criterion_id, given in self.scores().items()}

    @property
    def seen_version(self) -> int | None:
        return parse_int(self.version.data)
