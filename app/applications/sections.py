"""The sections of an application form, what makes each complete, and the submission checklist.

Every problem carries the anchor of the field or section it is about, so that the validation
summary can link straight to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.applications import permissions
from app.applications.models import PLAN_FIELDS, Application, ApplicationState
from app.calls import budget

TEXT_SECTIONS = (
    "background", "target_group", "method", "employer_cooperation", "expected_results",
    "dissemination", "horizontal_principles",
)
INDICATORS = ("target_participants", "target_employed", "target_business_started",
              "target_in_education")
PLAN_INPUTS = tuple(f"{name}_cents" for name in PLAN_FIELDS)


@dataclass(frozen=True)
class Section:
    key: str
    label: object
    fields: tuple[str, ...]
    hint: object = ""
    optional: bool = False


SECTIONS: tuple[Section, ...] = (
    Section("project", _l("Project name and summary"), ("project_name", "summary"),
            _l("A name and a summary of a few sentences that a reader understands alone.")),
    Section("background", _l("Background and need"), ("background",),
            _l("Why the project is needed in your region now, with figures where you have them.")),
    Section("target_group", _l("Target group and how participants are reached"),
            ("target_group",),
            _l("Who takes part, how many, and how they are found and referred.")),
    Section("method", _l("Method"), ("method",),
            _l("How the work is done, in steps.")),
    Section("employer_cooperation", _l("Employer cooperation"), ("employer_cooperation",),
            _l("Which employers take part and how workplaces are developed.")),
    Section("expected_results", _l("Expected results"), ("expected_results",),
            _l("What will have changed at the end, for participants and for workplaces.")),
    Section("dissemination", _l("Dissemination"), ("dissemination",),
            _l("How others learn about and take up what the project develops.")),
    Section("horizontal_principles", _l("Horizontal principles"), ("horizontal_principles",),
            _l("Equality, non-discrimination, accessibility and sustainable development.")),
    Section("duration", _l("Duration"), ("start_date", "end_date")),
    Section("indicators", _l("Indicator targets"), INDICATORS,
            _l("How many people the project expects to reach and with what results.")),
    Section("funding", _l("Funding plan"), PLAN_INPUTS,
            _l("The funding plan must equal the total eligible cost.")),
)
SECTION_KEYS = tuple(s.key for s in SECTIONS)
BY_KEY = {s.key: s for s in SECTIONS}
FIELD_LABELS = {
    "project_name": _l("Project name"),
    "summary": _l("Summary"),
    "background": _l("Background and need"),
    "target_group": _l("Target group and how participants are reached"),
    "method": _l("Method"),
    "employer_cooperation": _l("Employer cooperation"),
    "expected_results": _l("Expected results"),
    "dissemination": _l("Dissemination"),
    "horizontal_principles": _l("Horizontal principles"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "target_participants": _l("Participants"),
    "target_employed": _l("Employed"),
    "target_business_started": _l("Started a business"),
    "target_in_education": _l("In education or training"),
    "support_cents": _l("Support applied for (EU and state)"),
    "municipal_cents": _l("Municipal funding"),
    "other_public_cents": _l("Other public funding"),
    "own_public_cents": _l("Own public funding"),
    "private_cents": _l("Private funding"),
    "own_cents": _l("Own private funding"),
}


@dataclass(frozen=True)
class Problem:
    """Something missing or wrong: `anchor` is the id of the field or section to link to."""

    anchor: str
    message: object
    section: str = ""


def part_lines(application: Application, partner_id: int | None = None) -> list:
    """The staff lines of one part: the lead's own (None) or a co-implementer's."""
    return [line for line in application.staff_lines if line.partner_id == partner_id]


def part_totals(application: Application, partner=None, lines=None, plan=None,
                participant_costs: int | None = None,
                revenue: int | None = None) -> budget.BudgetTotals:
    """One part's budget (the lead's when `partner` is None), optionally with unsaved values;
    the maximum support share is the one of the part organisation's type."""
    owner = application if partner is None else partner
    organisation = application.organisation if partner is None else partner.organisation
    return budget.compute(
        part_lines(application, None if partner is None else partner.id)
        if lines is None else lines,
        owner.plan if plan is None else plan,
        application.call.support_percent_for(organisation.type),
        participant_costs_cents=((owner.participant_costs_cents or 0)
                                 if participant_costs is None else participant_costs),
        revenue_cents=(owner.revenue_cents or 0) if revenue is None else revenue,
        months=budget.project_months(application.start_date, application.end_date),
        model=str(application.staff_cost_model or "monthly"),
    )


def totals(application: Application, lines=None, plan=None, partner=None,
           participant_costs: int | None = None,
           revenue: int | None = None) -> budget.GroupTotals:
    """The project's budget: the lead's part and every accepted co-implementer's, summed.
    Unsaved lines, plan or costs, when given, replace the saved ones of the part `partner`
    (the lead's when None)."""
    overrides = {"lines": lines, "plan": plan, "participant_costs": participant_costs,
                 "revenue": revenue}
    parts = [budget.Part(application.organisation.name, part_totals(
        application, None, **(overrides if partner is None else {})))]
    for co in application.co_implementers:
        mine = partner is not None and co.id == partner.id
        parts.append(budget.Part(co.organisation.name, part_totals(
            application, co, **(overrides if mine else {})), partner_id=co.id))
    return budget.compute_group(parts)


_PROBLEM_ANCHORS = {"no_staff": ("section-budget", "budget"),
                    "revenue_over": ("revenue_cents", "budget"),
                    "support_over": ("support_cents", "funding"),
                    "no_support": ("support_cents", "funding")}


def budget_problems(application: Application) -> list[Problem]:
    """What stops a grant budget from being submitted: every part's lines and totals (a
    co-implementer's problems name the organisation) and the group's sum. Only for calls with
    the ESF+ budget (funding model `grant`)."""
    problems = []
    result = totals(application)
    for part in result.parts:
        lines = part_lines(application, part.partner_id)
        prefix = "" if part.partner_id is None else f"part-{part.partner_id}-"

        def named(message, part=part):
            if part.partner_id is None:
                return message
            return _l("%(org)s: %(problem)s", org=part.name, problem=message)

        for line in lines:
            if not budget.line_is_complete(line):
                problems.append(Problem(f"line-{line.id}", named(_l(
                    "The staff line “%(role)s” is incomplete.", role=line.role)), "budget"))
        for problem in part.totals.problems:
            if problem.line_index >= 0:
                anchor, section = f"line-{lines[problem.line_index].id}", "budget"
            else:
                anchor, section = _PROBLEM_ANCHORS.get(problem.code,
                                                       ("section-funding", "funding"))
                if part.partner_id is not None:
                    section = "budget"
                    anchor = (f"{prefix}{anchor}" if anchor.endswith("_cents")
                              else f"section-part-{part.partner_id}")
            problems.append(Problem(anchor, named(problem), section))
    for problem in result.group_problems:
        problems.append(Problem("budget-totals", problem, "budget"))
    return problems


def _section_problems(application: Application) -> list[Problem]:
    problems = []
    for name in ("project_name", "summary", *TEXT_SECTIONS):
        if not (getattr(application, name) or "").strip():
            section = "project" if name in ("project_name", "summary") else name
            problems.append(Problem(name, _l("%(field)s is missing.", field=FIELD_LABELS[name]),
                                    section))
    if application.start_date is None:
        problems.append(Problem("start_date", _l("The start date is missing."), "duration"))
    if application.end_date is None:
        problems.append(Problem("end_date", _l("The end date is missing."), "duration"))
    if (application.start_date and application.end_date
            and application.end_date <= application.start_date):
        problems.append(Problem("end_date", _l("The project must end after it starts."),
                                "duration"))
    for name in INDICATORS:
        if getattr(application, name) is None:
            problems.append(Problem(name, _l("The target for %(field)s is missing.",
                                             field=FIELD_LABELS[name]), "indicators"))
    participants = application.target_participants
    if participants is not None:
        if participants < 1:
            problems.append(Problem("target_participants",
                                    _l("The project needs at least one participant."),
                                    "indicators"))
        for name in INDICATORS[1:]:
            value = getattr(application, name)
            if value is not None and value > participants:
                problems.append(Problem(name, _l(
                    "The target for %(field)s cannot exceed the number of participants.",
                    field=FIELD_LABELS[name]), "indicators"))
    return problems


def checklist(application: Application, now: datetime | None = None) -> list[Problem]:
    """Everything that stops the application from being submitted (empty when ready)."""
    problems = _section_problems(application)
    model = application.call.funding_model.value
    if model == "outcome_based":  # an outcome plan instead of the budget (outcomes.py)
        from app.applications import outcomes

        problems += outcomes.problems(application)
    elif model == "service_voucher":  # a provider offer instead of the budget (vouchers.py)
        from app.applications import vouchers

        problems += vouchers.problems(application)
    else:
        problems += budget_problems(application)
    for partner in application.pending_partners:
        problems.append(Problem("section-partners", _l(
            "%(org)s has not answered the invitation to be a partner yet. Wait for the answer "
            "or remove the invitation.", org=partner.organisation.name), "partners"))
    organisation = application.organisation
    if not organisation.is_verified:
        problems.append(Problem("section-status", _l(
            "Your organisation must be verified by an administrator before it can apply.")))
    if organisation.type not in (application.call.eligible_types or []):
        problems.append(Problem("section-status", _l(
            "Organisations of your type cannot apply in this call.")))
    from app.calls.services import territory_refusal

    if (refusal := territory_refusal(application.call, organisation)) is not None:
        problems.append(Problem("section-status", refusal))
    if application.call.files_in_eura:  # prepared here, filed in EURA 2021 (app.applications.eura)
        problems.append(Problem("section-status", _l(
            "Applications in this call are filed in EURA 2021, not here: export the application "
            "in EURA 2021's order and carry it over to EURA 2021.")))
    blocker = permissions.submit_blocker(application, now)
    if blocker == "closed":
        problems.append(Problem("section-status", _l(
            "The call is not open, so the application cannot be submitted.")))
    elif blocker == "info_deadline":
        problems.append(Problem("section-status", _l(
            "The deadline for the additional information has passed.")))
    return problems


@dataclass(frozen=True)
class Progress:
    key: str
    label: object
    complete: bool
    optional: bool = False


def progress(application: Application) -> list[Progress]:
    """One entry per part of the form, complete or not (for the progress indicator)."""
    missing_sections = {p.section for p in _section_problems(application)}
    result = totals(application)
    parts = [part_lines(application, part.partner_id) for part in result.parts]
    steps = []
    for section in SECTIONS:
        if section.key == "funding" and application.call.funding_model.value != "grant":
            from app.applications import outcomes, vouchers

            if application.call.funding_model.value == "outcome_based":
                steps.append(Progress("outcomes", _l("Outcome plan"),
                                      not outcomes.problems(application)))
            else:
                steps.append(Progress("offer", _l("Provider offer"),
                                      not vouchers.problems(application)))
            continue
        if section.key == "funding":
            done = (any(result.plan.values()) and result.balanced
                    and result.support_within_limit)
            steps.append(Progress("budget", _l("Budget"), all(
                lines and all(budget.line_is_complete(line) for line in lines)
                for lines in parts)))
            steps.append(Progress(section.key, section.label, bool(done)))
            continue
        steps.append(Progress(section.key, section.label, section.key not in missing_sections))
    steps.append(Progress("partners", _l("Partners"), not application.pending_partners,
                          optional=True))
    steps.append(Progress("service_models", _l("Service models"),
                          bool(application.practice_links), optional=True))
    steps.append(Progress("attachments", _l("Attachments"), bool(application.attachments),
                          optional=True))
    return steps


STATE_LABELS = {
    ApplicationState.draft: _l("Draft"),
    ApplicationState.submitted: _l("Submitted"),
    ApplicationState.in_review: _l("In review"),
    ApplicationState.more_info_requested: _l("More information requested"),
    ApplicationState.supplemented: _l("Supplemented"),
    ApplicationState.approved: _l("Approved"),
    ApplicationState.rejected: _l("Rejected"),
}
