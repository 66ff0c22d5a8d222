"""Forms of the ELY-centre's side of a project: returning a report with comments per section,
and approving a payment claim line by line. They check the shape of the input; the services
enforce the rules (at least one comment, a reason for every cut, at most the claimed amount)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length

from app.core.fields import MoneyField
from app.core.forms import BaseForm, PrefixedForm
from app.projects.services import COMMENT_SECTIONS, MAX_CUT_REASON

COMMENT_MAX = 5000


def _comment(section: str):
    return TextAreaField(COMMENT_SECTIONS[section], validators=[Length(max=COMMENT_MAX)],
                         render_kw={"rows": 3})


class ReturnForm(BaseForm):
    """A comment per section of the report; the service requires at least one."""

    comment_narrative = _comment("narrative")
    comment_participants = _comment("participants")
    comment_referrals = _comment("referrals")
    comment_results = _comment("results")
    comment_outcomes = _comment("outcomes")
    comment_vouchers = _comment("vouchers")
    comment_claim = _comment("claim")

    def comment_fields(self):
        return [self[f"comment_{key}"] for key in COMMENT_SECTIONS]

    def comments(self) -> dict[str, str]:
        return {key: self[f"comment_{key}"].data or "" for key in COMMENT_SECTIONS}


class LineApprovalForm(PrefixedForm):
    """One claim line: the amount approved (at most the claimed amount) and, for a cut, why.
    Several of these sit in one <form>: the page's ClaimForm carries the CSRF token."""

    approved = MoneyField(_l("Approved (€)"), required=True)
    reason = TextAreaField(_l("Reason for the cut"), validators=[Length(max=MAX_CUT_REASON)],
                           render_kw={"rows": 2})

    def __init__(self, *args, line=None, **kwargs):
        kwargs.setdefault("prefix", f"line-{line.id}")
        kwargs.setdefault("meta", {"csrf": False})
        super().__init__(*args, **kwargs)
        self.line = line
        self.approved.label.text = _l("Approved for %(label)s (€)", label=line.label)
        self.reason.label.text = _l("Reason for cutting %(label)s", label=line.label)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        amount = self.approved.data
        if amount is not None and amount > self.line.claimed_cents:
            self.approved.errors = [*self.approved.errors,
                                    _l("Approve at most the amount claimed on a line.")]
            ok = False
        if (amount is not None and amount < self.line.claimed_cents
                and not (self.reason.data or "").strip()):
            self.reason.errors = [*self.reason.errors, _l("Say why the line is cut.")]
            ok = False
        return ok


class ClaimForm(BaseForm):
    """The claim approval: the CSRF token, and `confirm` set by the preview's confirm button
    (the first POST previews the totals and the payment, the second approves)."""

    confirm = HiddenField(validators=[InputRequired(), AnyOf(("0", "1"))], default="0")


class ObserverForm(BaseForm):
    """Grant (1) or revoke (0) the national observer role."""

    observer = HiddenField(validators=[InputRequired(_l("Choose to grant or to revoke.")),
                                       AnyOf(("0", "1"), message=_l("Choose to grant or to "
                                                                    "revoke."))])
