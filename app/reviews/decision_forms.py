"""Forms of the decision pages: the presenting officer's proposal, the decision maker's return,
and the batch pages. They check the shape of the input; app.reviews.services enforces the
rules (after the close, within the budget, within what was applied for, the two persons)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, TextAreaField
from wtforms.validators import AnyOf, Length, Optional

from app.core.fields import MoneyField
from app.core.forms import CHOICE_MESSAGE, BaseForm, as_choices

OUTCOMES = (("approve", _l("Approve")), ("reject", _l("Reject")))
LANGUAGES = (("fi", _l("Finnish")), ("sv", _l("Swedish")))
TEXT_MAX = 10_000
# The placeholders a batch justification may use (app.reviews.documents.fill_template).
TEMPLATE_FIELDS = ("mean", "rank", "count", "min", "max", "reviews", "requested")


class ProposalForm(BaseForm):
    outcome = RadioField(_l("Proposed decision"),
                         validators=[AnyOf(("approve", "reject"), message=CHOICE_MESSAGE)])
    granted = MoneyField(_l("Granted support (€)"),
                         description=_l("Only when approving: at most the support applied for "
                                        "and the call's maximum share of the approved cost."))
    approved_cost = MoneyField(_l("Approved eligible cost (€)"),
                               description=_l("At most the total eligible cost applied for."))
    conditions = TextAreaField(_l("Conditions"), validators=[Length(max=TEXT_MAX)])
    eligible_from = DateField(_l("Costs eligible from"), validators=[Optional()])
    eligible_until = DateField(_l("Costs eligible until"), validators=[Optional()])
    justification = TextAreaField(
        _l("Justification"), validators=[Length(max=TEXT_MAX)],
        description=_l("Refer to the scores: the mean, the reviewers' agreement, eligibility "
                       "and the ranking."))
    language = RadioField(_l("Language of the decision"),
                          validators=[AnyOf(("fi", "sv"), message=CHOICE_MESSAGE)],
                          description=_l("The decision document is written in the applicant's "
                                         "language."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = as_choices(OUTCOMES)
        self.language.choices = as_choices(LANGUAGES)


class ReturnForm(BaseForm):
    comment = TextAreaField(_l("Why is the proposal returned?"),
                            validators=[Length(max=5000)],
                            description=_l("The presenting officer sees this comment and can "
                                           "change the proposal."))


class BatchProposalForm(BaseForm):
    """The justification templates of a batch, one per outcome and language; the chosen
    applications and their outcomes are read from the request (a checkbox and a choice per
    row). %(mean)s and the other TEMPLATE_FIELDS are filled in per application."""

    template_approve_fi = TextAreaField(_l("Justification of approvals, in Finnish"),
                                        validators=[Length(max=TEXT_MAX)])
    template_approve_sv = TextAreaField(_l("Justification of approvals, in Swedish"),
                                        validators=[Length(max=TEXT_MAX)])
    template_reject_fi = TextAreaField(_l("Justification of rejections, in Finnish"),
                                       validators=[Length(max=TEXT_MAX)])
    template_reject_sv = TextAreaField(_l("Justification of rejections, in Swedish"),
                                       validators=[Length(max=TEXT_MAX)])

    def template(self, outcome: str, language: str) -> str:
        return getattr(self, f"template_{outcome}_{language}").data or ""


def batch_form(formdata=None) -> BatchProposalForm:
    """The batch form: from the request, or with the default templates."""
    from app.reviews.documents import BATCH_TEMPLATES

    if formdata is not None:
        return BatchProposalForm()
    return BatchProposalForm(formdata=None, data={
        f"template_{outcome}_{language}": texts[outcome]
        for language, texts in BATCH_TEMPLATES.items() for outcome in ("approve", "reject")})
