"""An application's audit trail for the presenting officer: every assignment, declaration,
score change, submission, proposal and decision on it, newest first."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from app.applications.models import Application
from app.core.audit import AuditLog

# action -> what the trail says (the actor and the time are shown beside it)
LABELS = {
    "application.submitted": _l("Submitted the application"),
    "application.supplemented": _l("Sent the additional information"),
    "application.withdrawn": _l("Withdrew the application"),
    "application.review_started": _l("Took the application into review"),
    "application.info_requested": _l("Requested additional information"),
    "application.decided": _l("Decided the application"),
    "review.assigned": _l("Assigned a reviewer"),
    "review.unassigned": _l("Removed a reviewer"),
    "review.declared": _l("Declared on conflict of interest"),
    "review.scored": _l("Changed scores"),
    "review.submitted": _l("Submitted a review"),
    "review.reopened": _l("Reopened a review"),
    "decision.proposed": _l("Proposed a decision"),
    "decision.returned": _l("Returned the proposal"),
    "decision.confirmed": _l("Confirmed the decision"),
}


def trail_query(application: Application):
    """The audit entries about the application: on it, or on its reviews and decision (which
    name it in their details)."""
    about = AuditLog.details["application"].as_integer()
    return (select(AuditLog).where(or_(
        and_(AuditLog.object_type == "application", AuditLog.object_id == application.id),
        and_(AuditLog.object_type.in_(["review", "decision"]),
             AuditLog.organisation_id == application.call.organisation_id,
             about == application.id)))
        .order_by(AuditLog.at.desc(), AuditLog.id.desc()))


def label(entry: AuditLog):
    return LABELS.get(entry.action, entry.action)



DECLARATIONS = {
    "no_conflict": _l("no conflict of interest"),
    "conflict": _l("conflict of interest"),
    "pending": _l("not declared"),
}
GROUNDS = {
    "party_or_relative": _l("party, or a close relative of a party"),
    "service_or_board": _l("in the service of or on the board of a party"),
    "benefit_or_harm": _l("can expect particular benefit or harm"),
    "other": _l("another reason that endangers impartiality"),
    "membership": _l("member of an applicant organisation"),
}
OUTCOMES = {"approved": _l("approved"), "rejected": _l("rejected")}


def details(entry: AuditLog, actors: dict) -> list[str]:
    """The entry's details as short translated phrases."""
    from app.core.money import format_money

    data = entry.details or {}
    parts = []
    reviewer = actors.get(data.get("reviewer"))
    if reviewer is not None:
        parts.append(reviewer.display_name)
    if data.get("declaration") in DECLARATIONS:
        parts.append(str(DECLARATIONS[data["declaration"]]))
    if data.get("ground") in GROUNDS:
        parts.append(str(GROUNDS[data["ground"]]))
    if data.get("revision"):
        parts.append(str(_l("revision %(n)s", n=data["revision"])))
    if data.get("outcome") in OUTCOMES:
        parts.append(str(OUTCOMES[data["outcome"]]))
    if isinstance(data.get("granted"), int):
        parts.append(format_money(data["granted"]))
    if data.get("fields"):
        parts.append(str(_l("%(n)s fields changed", n=len(data["fields"]))))
    return parts
