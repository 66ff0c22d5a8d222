"""Funded projects: starting a project from an approved decision, writing, submitting,
returning and accepting progress reports, filing and approving payment claims, and granting
the national observer role. Services check their actor themselves, flush, write the audit log
and queue notices; the view commits once (app.core.unit_of_work)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.applications.models import Application
from app.auth.models import User
from app.calls import fees
from app.calls.models import Call, FundingModel
from app.core import audit, clock
from app.core.domain import Conflict, DomainError, NotAllowed
from app.extensions import db
from app.notifications.models import NotificationKind
from app.notifications.services import notify, path_for
from app.organisations.models import Membership, Organisation
from app.projects import claims, indicators, schedule
from app.projects import permissions as perms
from app.projects.models import (
    ClaimLine,
    ClaimLineKind,
    ClaimState,
    PaymentClaim,
    Project,
    Report,
    ReportRevision,
    ReportState,
)

MAX_TEXT = 20_000
NARRATIVE = ("done", "changed", "problems", "next_steps")
NARRATIVE_LABELS = {
    "done": _l("What was done"),
    "changed": _l("What changed"),
    "problems": _l("Problems"),
    "next_steps": _l("Next steps"),
}
# The sections the ELY-centre comments on when it returns a report.
COMMENT_SECTIONS = {
    "narrative": _l("Narrative"),
    "participants": _l("Participants"),
    "referrals": _l("Referrals"),
    "results": _l("Results"),
    "outcomes": _l("Outcomes and fees"),
    "vouchers": _l("Service vouchers"),
    "claim": _l("Payment claim"),
}
MAX_CUT_REASON = 2000


def _text(value, limit: int = MAX_TEXT) -> str:
    return (value or "").replace("\r\n", "\n").strip()[:limit]


def _today(now: datetime) -> date:
    return clock.local_date(now)


# --- starting a project ------------------------------------------------------------------------


def start_project(application: Application, decision, now: datetime | None = None) -> Project:
    """An approved decision makes the application a project with its reporting schedule.
    Called by the decision's confirmation (app.applications.workflow.decide_application)."""
    now = clock.resolve(now)
    existing = db.session.get(Project, application.id)
    if existing is not None:
        return existing
    call = application.call
    starts = decision.eligible_from or application.start_date or _today(now)
    ends = decision.eligible_until or application.end_date or starts
    granted = int(decision.granted_cents or 0)
    project = Project(
        id=application.id, call_id=call.id, organisation_id=application.organisation_id,
        starts_on=starts, ends_on=max(ends, starts), granted_cents=granted,
        approved_cost_cents=int(decision.approved_cost_cents or 0),
        support_basis_points=int(decision.support_basis_points or 0),
        advance_cents=claims.advance_of(granted, call.advance_percent or 0), created_at=now)
    db.session.add(project)
    for period in schedule.periods(project.starts_on, project.ends_on,
                                   call.report_interval_months):
        project.reports.append(Report(
            number=period.number, is_final=period.is_final, period_start=period.start,
            period_end=period.end, due_on=period.due, updated_at=now))
    db.session.flush()
    audit.record("project.started", obj=project, organisation=application.organisation,
                 application=application.id, reports=len(project.reports),
                 advance=project.advance_cents)
    return project


# --- the claim's lines -------------------------------------------------------------------------


def ensure_claim(report: Report) -> PaymentClaim:
    """The report's payment claim, created with one line per approved staff line (or per
    outcome type and stage, in an outcome-based call) the first time it is needed."""
    if report.claim is not None:
        return report.claim
    project = report.project
    claim = PaymentClaim(project_id=project.id, state=ClaimState.draft)
    report.claim = claim
    if project.call.funding_model == FundingModel.outcome_based:
        position = 0
        for fee in project.call.fees:
            # The same stage amounts as the call page and the application's outcome plan:
            # they add up to the fee exactly (fees.stage_amounts).
            amounts = fees.stage_amounts(fee.fee_cents, fee.stages)
            for index, stage in enumerate(fee.stage_list):
                label = fee.label + (f" – {stage.get('label')}" if stage.get("label") else "")
                claim.lines.append(ClaimLine(
                    position=position, kind=ClaimLineKind.outcome, fee_id=fee.id, stage=index,
                    label=label[:300], count=0, unit_fee_cents=amounts[index],
                    claimed_cents=0))
                position += 1
    else:
        for position, line in enumerate(project.application.staff_lines):
            claim.lines.append(ClaimLine(
                position=position, kind=ClaimLineKind(str(line.kind)), staff_line_id=line.id,
                label=line.role[:300], fte_centi=line.fte_centi,
                monthly_salary_cents=line.monthly_salary_cents,
                annual_salary_cents=line.annual_salary_cents, claimed_cents=0))
    db.session.flush()
    return claim


def outcome_key(line: ClaimLine) -> str:
    return f"{line.fee_id}:{line.stage}"


def _sync_outcome_lines(report: Report) -> None:
    """An outcome-based claim's counts are the report's outcomes."""
    claim = ensure_claim(report)
    counts = report.outcomes or {}
    for line in claim.lines:
        if line.kind == ClaimLineKind.outcome:
            line.count = int(counts.get(outcome_key(line), 0) or 0)
            line.claimed_cents = line.count * int(line.unit_fee_cents or 0)


def claim_totals(claim: PaymentClaim, approved: bool = False) -> claims.ClaimTotals:
    """The claim's totals as claimed, or as approved (each line's approved amount)."""
    def amount(line):
        if approved:
            return line.claimed_cents if line.approved_cents is None else line.approved_cents
        return line.claimed_cents

    staff = [amount(line) for line in claim.lines if line.kind != ClaimLineKind.outcome]
    fees = [amount(line) for line in claim.lines if line.kind == ClaimLineKind.outcome]
    return claims.totals(staff, fees, claim.project.support_basis_points)


# --- writing a report -------------------------------------------------------------------------


@dataclass
class ReportInput:
    """What the report form sends. Figures are already whole numbers or None (the form
    refuses anything else); `claim_lines` maps a claim line's id to its typed values."""

    narrative: dict[str, str] = field(default_factory=dict)
    figures: dict[str, int | None] = field(default_factory=dict)
    outcomes: dict[str, int | None] = field(default_factory=dict)
    vouchers: dict = field(default_factory=dict)
    claim_lines: dict[int, dict] = field(default_factory=dict)


def _require(allowed: bool, message=None) -> None:
    if not allowed:
        raise NotAllowed(message)


def save_report(actor: User, report: Report, values: ReportInput, seen_version: int | None = None,
                now: datetime | None = None) -> Report:
    """Save a draft (or a returned report being corrected): nothing is checked for
    completeness here; a stale form (another save since it was loaded) is refused."""
    now = clock.resolve(now)
    _require(perms.can_edit_report(actor, report),
             _l("This report cannot be changed: it has been submitted, or you may not edit it."))
    if seen_version is not None and int(seen_version) != report.lock_version:
        raise Conflict(_l("Someone else saved this report after you opened it. Your changes "
                          "were not saved: reload the report and make them again."))
    for name in NARRATIVE:
        if name in values.narrative:
            setattr(report, name, _text(values.narrative[name]))
    if values.figures:
        figures = dict(report.figures or {})
        for key in indicators.FIELDS:
            if key in values.figures:
                figures[key] = values.figures[key]
        report.figures = figures
    project = report.project
    if values.outcomes and project.call.funding_model == FundingModel.outcome_based:
        report.outcomes = {key: value for key, value in values.outcomes.items()
                           if value is not None}
    if values.vouchers and project.call.funding_model == FundingModel.service_voucher:
        report.vouchers = _clean_vouchers(project, values.vouchers)
    if values.claim_lines or project.call.funding_model == FundingModel.outcome_based:
        _save_claim_lines(report, values.claim_lines)
    report.updated_at = now
    report.updated_by_id = actor.id
    db.session.flush()
    audit.record("report.saved", actor=actor, obj=report, organisation=project.organisation,
                 project=project.id, number=report.number)
    return report


def voucher_providers(project: Project) -> list[Organisation]:
    """The organisations that deliver vouchered services in a project: its lead and partners."""
    return [project.organisation,
            *(p.organisation for p in project.application.accepted_partners)]


VOUCHER_FIELDS = ("redeemed", "completed", "employed", "education")


def _clean_vouchers(project: Project, values: dict) -> dict:
    providers = {str(org.id) for org in voucher_providers(project)}
    rows = {}
    for org_id, row in (values.get("providers") or {}).items():
        if str(org_id) in providers:
            rows[str(org_id)] = {key: max(int(row.get(key) or 0), 0) for key in VOUCHER_FIELDS}
    return {"issued": max(int(values.get("issued") or 0), 0), "providers": rows}


def voucher_problems(vouchers: dict) -> list[str]:
    """Redeemed vouchers never exceed those issued; completed services never exceed the
    redeemed ones; outcomes never exceed the completed services."""
    from flask_babel import gettext as _

    problems = []
    rows = (vouchers or {}).get("providers") or {}
    issued = int((vouchers or {}).get("issued") or 0)
    redeemed = sum(int(r.get("redeemed") or 0) for r in rows.values())
    if redeemed > issued:
        problems.append(_("Vouchers redeemed (%(redeemed)s) are %(difference)s more than the "
                          "vouchers issued (%(issued)s).", redeemed=redeemed, issued=issued,
                          difference=redeemed - issued))
    completed = sum(int(r.get("completed") or 0) for r in rows.values())
    if completed > redeemed:
        problems.append(_("Services completed (%(completed)s) are %(difference)s more than the "
                          "vouchers redeemed (%(redeemed)s).", completed=completed,
                          redeemed=redeemed, difference=completed - redeemed))
    outcomes = sum(int(r.get("employed") or 0) + int(r.get("education") or 0)
                   for r in rows.values())
    if outcomes > completed:
        problems.append(_("Outcomes (%(outcomes)s) are %(difference)s more than the services "
                          "completed (%(completed)s).", outcomes=outcomes, completed=completed,
                          difference=outcomes - completed))
    return problems


def _save_claim_lines(report: Report, typed: dict[int, dict]) -> None:
    claim = ensure_claim(report)
    for line in claim.lines:
        if line.kind == ClaimLineKind.outcome:
            continue
        values = typed.get(line.id)
        if values is None:
            continue
        if line.kind == ClaimLineKind.monthly:
            line.months_centi = values.get("months_centi")
            if values.get("fte_centi") is not None:
                line.fte_centi = values["fte_centi"]
            if values.get("monthly_salary_cents") is not None:
                line.monthly_salary_cents = values["monthly_salary_cents"]
        else:
            line.hours_centi = values.get("hours_centi")
        line.claimed_cents = claims.staff_line_cents(
            str(line.kind), months_centi=line.months_centi, fte_centi=line.fte_centi,
            monthly_salary_cents=line.monthly_salary_cents, hours_centi=line.hours_centi,
            annual_salary_cents=line.annual_salary_cents)
    if report.project.call.funding_model == FundingModel.outcome_based:
        _sync_outcome_lines(report)


# --- submitting --------------------------------------------------------------------------------


class ReportIncomplete(DomainError):
    """The report cannot be submitted: `problems` lists (field, message) pairs."""

    def __init__(self, problems: list[tuple[str | None, str]]):
        super().__init__(_l("The report cannot be submitted yet: correct the points listed."))
        self.problems = problems


def cumulative_figures(project: Project, including: Report | None = None,
                       states=(ReportState.submitted, ReportState.accepted)) -> dict[str, int]:
    """The project's figures summed over its reports in `states` (and `including`)."""
    reports = [r for r in project.reports if r.state in states or r is including]
    return indicators.cumulative(reports)


def report_problems(report: Report) -> list[tuple[str | None, str]]:
    """Everything that keeps a report from being submitted, each tied to its field."""
    from flask_babel import gettext as _

    problems: list[tuple[str | None, str]] = []
    if not report.done.strip():
        problems.append(("done", _("Describe what was done in the period.")))
    for problem in indicators.check(report.figures):
        problems.append((problem.field, problem.message()))
    totals = cumulative_figures(report.project, including=report)
    for problem in indicators.check_cumulative(totals):
        problems.append((problem.field, _("Over the whole project: %(message)s",
                                          message=problem.message())))
    if report.project.call.funding_model == FundingModel.service_voucher:
        problems.extend(("vouchers", message) for message in voucher_problems(report.vouchers))
    claim = report.claim
    if claim is not None:
        problems.extend(_claim_problems(report))
    return problems


def line_budget(line: ClaimLine) -> int | None:
    """The approved budget of a staff line (its cost in the approved application)."""
    return line.staff_line.cost_cents if line.staff_line is not None else None


def claimed_to_date(project: Project, staff_line_id: int, until: Report | None = None) -> int:
    """What has been claimed on one staff line over the project's claims (approved amounts
    where approved), up to and including the report `until`."""
    total = 0
    for report in project.reports:
        claim = report.claim
        if claim is None or (claim.state == ClaimState.draft and report is not until):
            continue
        for line in claim.lines:
            if line.staff_line_id == staff_line_id:
                approved = claim.state == ClaimState.approved and line.approved_cents is not None
                total += line.approved_cents if approved else line.claimed_cents
        if report is until:
            break
    return total


def _claim_problems(report: Report) -> list[tuple[str | None, str]]:
    from flask_babel import gettext as _

    from app.core.money import format_money

    problems = []
    for line in report.claim.lines:
        if line.kind == ClaimLineKind.monthly and line.months_centi and not (
                line.fte_centi and line.monthly_salary_cents):
            problems.append((f"line-{line.id}", _("Staff line %(role)s: enter the FTE share and "
                                                  "the monthly salary.", role=line.label)))
        budget_cents = line_budget(line)
        if budget_cents is None:
            continue
        to_date = claimed_to_date(report.project, line.staff_line_id, until=report)
        if to_date > budget_cents:
            problems.append((f"line-{line.id}", _(
                "Staff line %(role)s: %(claimed)s claimed so far, %(over)s more than its "
                "approved budget of %(budget)s.", role=line.label,
                claimed=format_money(to_date), over=format_money(to_date - budget_cents),
                budget=format_money(budget_cents))))
    return problems


def snapshot(report: Report) -> dict:
    """Everything the report says, for its immutable revision."""
    content = {
        "narrative": {name: getattr(report, name) for name in NARRATIVE},
        "figures": indicators.clean(report.figures),
        "outcomes": dict(report.outcomes or {}),
        "vouchers": dict(report.vouchers or {}),
    }
    if report.claim is not None:
        content["claim"] = [{"label": line.label, "claimed_cents": line.claimed_cents}
                            for line in report.claim.lines]
    return content


def submit_report(actor: User, report: Report, now: datetime | None = None) -> ReportRevision:
    """Submit (or resubmit after corrections) a report and its claim: the report is locked, a
    revision is kept, and the ELY-centre's call managers are notified."""
    now = clock.resolve(now)
    _require(perms.can_edit_report(actor, report),
             _l("This report cannot be submitted: it has been submitted already, or you may "
                "not submit it."))
    if not perms.can_submit_report(actor, report, _today(now)):
        raise DomainError(_l("A report can be submitted once its period has ended."))
    if report.project.call.funding_model == FundingModel.outcome_based:
        _sync_outcome_lines(report)
    problems = report_problems(report)
    if problems:
        raise ReportIncomplete(problems)
    resubmitted = report.state == ReportState.returned
    report.state = ReportState.submitted
    report.submitted_at = now
    report.revision_count = (report.revision_count or 0) + 1
    revision = ReportRevision(report=report, number=report.revision_count,
                              content=snapshot(report), created_by_id=actor.id, created_at=now)
    db.session.add(revision)
    claim = report.claim
    if claim is not None and any(line.claimed_cents for line in claim.lines):
        totals = claim_totals(claim)
        claim.state = ClaimState.submitted
        claim.submitted_at = now
        claim.claimed_eligible_cents = totals.eligible_cents
        claim.claimed_support_cents = totals.support_cents
    db.session.flush()
    project = report.project
    audit.record("report.submitted", actor=actor, obj=report, organisation=project.organisation,
                 project=project.id, number=report.number, revision=revision.number,
                 resubmitted=resubmitted or None,
                 claimed=claim.claimed_support_cents if claim is not None else None)
    notify(_officers(project), NotificationKind.report_submitted,
           url=path_for("projects.report_detail", report_id=report.id), subject=project.application,
           conflicted_on=project.application,
           params={"title": project.name, "number": report.number},
           mail_template="report_submitted", report=report, project=project,
           resubmitted=resubmitted)
    return revision


def _officers(project: Project) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == project.call.organisation_id,
               Membership.is_call_manager.is_(True))))


def _project_people(project: Project) -> list[User]:
    from app.applications.workflow import applicant_recipients

    return applicant_recipients(project.application)


# --- the ELY-centre's side ----------------------------------------------------------------------


def _require_officer(actor: User, report: Report) -> None:
    if perms.can_handle_report(actor, report):
        return
    if report.state != ReportState.submitted:
        raise DomainError(_l("Only a submitted report can be accepted or returned."))
    raise NotAllowed(_l("Only the call's managers who are not conflicted handle its reports."))


def return_report(actor: User, report: Report, comments: dict[str, str],
                  now: datetime | None = None) -> None:
    """Return a submitted report for corrections, with comments per section."""
    now = clock.resolve(now)
    _require_officer(actor, report)
    clean = {key: _text(value, 5000) for key, value in (comments or {}).items()
             if key in COMMENT_SECTIONS and _text(value, 5000)}
    if not clean:
        raise DomainError(_l("Write at least one comment saying what to correct."),
                          field="comment_narrative")
    report.state = ReportState.returned
    report.comments = clean
    report.returned_at = now
    report.handled_by_id = actor.id
    if report.claim is not None and report.claim.state == ClaimState.submitted:
        report.claim.state = ClaimState.draft
    db.session.flush()
    project = report.project
    audit.record("report.returned", actor=actor, obj=report, organisation=project.call.organisation,
                 project=project.id, number=report.number, sections=sorted(clean))
    notify(_project_people(project), NotificationKind.report_handled,
           url=path_for("projects.report_detail", report_id=report.id), subject=report,
           params={"title": project.name, "number": report.number, "returned": True},
           mail_template="report_returned", report=report, project=project)


def accept_report(actor: User, report: Report, now: datetime | None = None) -> None:
    """Accept a submitted report; the final report closes the project."""
    now = clock.resolve(now)
    _require_officer(actor, report)
    report.state = ReportState.accepted
    report.accepted_at = now
    report.handled_by_id = actor.id
    report.comments = {}
    project = report.project
    if report.is_final:
        project.closed_at = now
    db.session.flush()
    audit.record("report.accepted", actor=actor, obj=report, organisation=project.call.organisation,
                 project=project.id, number=report.number, closed=report.is_final or None)
    notify(_project_people(project), NotificationKind.report_handled,
           url=path_for("projects.report_detail", report_id=report.id), subject=report,
           params={"title": project.name, "number": report.number},
           mail_template="report_accepted", report=report, project=project)


@dataclass
class LineApproval:
    approved_cents: int | None
    reason: str = ""


def approved_before(project: Project, claim: PaymentClaim) -> tuple[int, int]:
    """The capped support and the advance deducted by the claims approved before `claim`."""
    support = deducted = 0
    for report in project.reports:
        other = report.claim
        if other is None or other is claim or other.state != ClaimState.approved:
            continue
        support += other.approved_support_cents or 0
        deducted += other.advance_deducted_cents or 0
    return support, deducted


def payment_of(claim: PaymentClaim, support_cents: int) -> claims.Payment:
    """What the claim would pay with `support_cents` of support, after the claims approved
    before it: capped at the granted support, the advance deducted. Nothing is saved."""
    project = claim.project
    support_before, deducted_before = approved_before(project, claim)
    return claims.payment(support_cents, project.granted_cents, support_before,
                          project.advance_cents, deducted_before)


def approve_claim(actor: User, claim: PaymentClaim, approvals: dict[int, LineApproval],
                  now: datetime | None = None) -> claims.Payment:
    """Approve the payable amount: each line as claimed or less, with a reason for any cut."""
    now = clock.resolve(now)
    if not perms.can_approve_claim(actor, claim):
        if claim.state != ClaimState.submitted or claim.report.state != ReportState.accepted:
            raise DomainError(_l("A claim is approved once it is submitted and its report "
                                 "accepted."))
        raise NotAllowed(_l("Only the call's managers who are not conflicted approve claims."))
    for line in claim.lines:
        approval = approvals.get(line.id) or LineApproval(line.claimed_cents)
        amount = line.claimed_cents if approval.approved_cents is None else approval.approved_cents
        if amount < 0 or amount > line.claimed_cents:
            raise DomainError(_l("Approve at most the amount claimed on a line."),
                              field=f"approved-{line.id}")
        reason = _text(approval.reason, MAX_CUT_REASON)
        if amount < line.claimed_cents and not reason:
            raise DomainError(_l("Say why the line is cut."), field=f"reason-{line.id}")
        line.approved_cents = amount
        line.cut_reason = reason if amount < line.claimed_cents else ""
    project = claim.project
    totals = claim_totals(claim, approved=True)
    pay = payment_of(claim, totals.support_cents)
    claim.approved_eligible_cents = totals.eligible_cents
    claim.approved_support_cents = pay.capped_support_cents
    claim.advance_deducted_cents = pay.advance_deducted_cents
    claim.payable_cents = pay.payable_cents
    claim.state = ClaimState.approved
    claim.approved_at = now
    claim.approved_by_id = actor.id
    claim.approved_by_name = actor.name
    db.session.flush()
    audit.record("claim.approved", actor=actor, obj=claim, organisation=project.call.organisation,
                 project=project.id, report=claim.report.number,
                 claimed=claim.claimed_support_cents, approved=pay.capped_support_cents,
                 payable=pay.payable_cents, cut_lines=[line.id for line in claim.lines
                                                      if line.cut_reason] or None)
    notify(_project_people(project), NotificationKind.report_handled,
           url=path_for("projects.report_detail", report_id=claim.report_id), subject=claim.report,
           params={"title": project.name, "number": claim.report.number, "claim": True},
           mail_template="claim_approved", claim=claim, project=project)
    return pay


def money(project: Project) -> claims.Money:
    """Granted, claimed, approved, paid and remaining, over the project's claims."""
    claimed = approved = payable = 0
    for report in project.reports:
        claim = report.claim
        if claim is None or claim.state == ClaimState.draft:
            continue
        claimed += claim.claimed_support_cents or 0
        if claim.state == ClaimState.approved:
            approved += claim.approved_support_cents or 0
            payable += claim.payable_cents or 0
    return claims.Money(granted_cents=project.granted_cents, advance_cents=project.advance_cents,
                        claimed_cents=claimed, approved_cents=approved,
                        paid_cents=project.advance_cents + payable)


# --- observers ---------------------------------------------------------------------------------


def set_observer(actor: User, membership: Membership, observer: bool) -> None:
    """A platform administrator grants (or takes away) the national observer role, only to a
    member of a verified national authority."""
    _require(perms.can_grant_observer(actor))
    organisation = membership.organisation
    if observer and not (organisation.is_national_authority and organisation.is_verified):
        raise DomainError(_l("Only members of a verified national authority can be observers."))
    membership.is_observer = bool(observer)
    db.session.flush()
    audit.record("observer.granted" if observer else "observer.revoked", actor=actor,
                 obj=membership, organisation=organisation, user=membership.user_id)


def projects_of_call(call: Call) -> list[Project]:
    return list(db.session.scalars(select(Project).where(Project.call_id == call.id)
                                   .order_by(Project.id)))
