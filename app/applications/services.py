"""Writing an application: start, section saves, budget lines, partners, service models and
attachments. Plain functions: they flush; the view commits. Every change first checks that the
content is not locked (submit locks it) and that the actor writes for the lead organisation.

The transitions of the workflow are in workflow.py.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.applications import permissions
from app.applications.models import (
    Application,
    ApplicationAttachment,
    ApplicationPartner,
    ApplicationPractice,
    PartnerKind,
    StaffCostKind,
    StaffLine,
    section_version,
)
from app.applications.sections import BY_KEY, INDICATORS, PLAN_INPUTS
from app.applications.workflow import NotAllowed
from app.auth.models import User
from app.calls import budget
from app.calls.models import Call
from app.core import audit, clock
from app.core.domain import Conflict, DomainError
from app.core.money import MAX_CENTS
from app.extensions import db
from app.organisations.models import Organisation, Role
from app.organisations.partnership import PartnerState
from app.organisations.permissions import has_role
from app.practices.models import Practice, PracticeState

MAX_TEXT = 20_000
MAX_PARTNERS = 20
MAX_PRACTICES = 20
MAX_ATTACHMENTS = 20
MAX_INDICATOR = 1_000_000


class ContentLocked(DomainError):
    """The application has been submitted: its content cannot change."""

    def __init__(self):
        super().__init__(_l("The application has been submitted and its content is locked."),
                         code="locked")


def require_writer(user: User, application: Application) -> None:
    """The content must be editable and the user an editor or owner of the lead: the
    predicate the views use (permissions.can_edit_application)."""
    if not application.is_editable:
        raise ContentLocked()
    if not permissions.can_edit_application(user, application):
        raise NotAllowed(_l("Only the lead organisation's editors and owners change the "
                            "application."))


def _touch(user: User, application: Application, now: datetime | None = None) -> None:
    # Updating the row bumps lock_version, so a save that raced with a submit fails.
    application.updated_at = clock.resolve(now)
    db.session.flush()


def start_application(user: User, call: Call, organisation: Organisation, project_name: str,
                      now: datetime | None = None) -> Application:
    """A new draft by `organisation` in an open call."""
    now = clock.resolve(now)
    if not call.is_open(now):
        raise DomainError(_l("Applications can be started only while the call is open."))
    if not organisation.is_verified:
        raise DomainError(_l("Your organisation must be verified by an administrator before "
                             "it can apply."), field="organisation")
    if organisation.is_ceased(clock.local_date(now)):
        raise DomainError(_l("%(org)s has ceased: a ceased organisation cannot start new "
                             "applications.", org=organisation.name), field="organisation")
    if organisation.type not in (call.eligible_types or []):
        raise DomainError(_l("Organisations of this type cannot apply in this call."),
                          field="organisation")
    from app.calls.services import territory_refusal

    if (refusal := territory_refusal(call, organisation)) is not None:
        raise DomainError(refusal, field="organisation")
    if not has_role(user, organisation, Role.editor):
        raise DomainError(_l("Only editors and owners apply for their organisation."),
                          field="organisation")
    name = " ".join((project_name or "").split())[:200]
    if not name:
        raise DomainError(_l("Give the project a name."), field="project_name")
    application = Application(call=call, organisation=organisation, project_name=name,
                              created_by_id=user.id, created_at=now, updated_at=now)
    db.session.add(application)
    db.session.flush()
    audit.record("application.created", actor=user, obj=application, organisation=organisation,
                 call=call.id)
    return application


class SectionConflict(Conflict):
    """Someone saved the section since the writer loaded it: `theirs` holds the saved values
    and `theirs_version` the version to save on top of them ("keep mine")."""

    def __init__(self, application: Application, key: str):
        super().__init__(_l("Someone else saved this part while you were editing it. Compare the "
                            "texts below: your text is still in the form."), code="conflict")
        self.key = key
        self.theirs = {name: getattr(application, name) for name in BY_KEY[key].fields}
        self.theirs_version = section_version(application, key)


def save_section(user: User, application: Application, key: str, data: dict,
                 now: datetime | None = None, seen_version: int | None = None) -> int:
    """Save one section of the form; returns the section's version this save wrote (the same
    version when nothing changed). A save from an older version than the stored one raises
    SectionConflict unless it would change nothing; the row's version_id_col makes the
    database refuse the second of two concurrent saves (StaleDataError at the flush)."""
    require_writer(user, application)
    section = BY_KEY.get(key)
    if section is None:
        raise DomainError(_l("Unknown section."))
    values = {}
    for name in section.fields:
        if name not in data:
            continue
        values[name] = _clean_value(name, data[name])
    if key == "project" and "project_name" in values and not values["project_name"]:
        raise DomainError(_l("Give the project a name."), field="project_name")
    if key == "duration":
        start = values.get("start_date", application.start_date)
        end = values.get("end_date", application.end_date)
        if start and end and end <= start:
            raise DomainError(_l("The project must end after it starts."), field="end_date")
    changed = [name for name, value in values.items() if getattr(application, name) != value]
    current = section_version(application, key)
    if not changed:
        return current
    if seen_version is not None and seen_version != current:
        raise SectionConflict(application, key)
    for name in changed:
        setattr(application, name, values[name])
    application.section_versions = {**(application.section_versions or {}), key: current + 1}
    _touch(user, application, now)
    db.session.flush()  # the UPDATE carries the row's lock_version: a concurrent save fails here
    return current + 1


def _clean_value(name: str, value):
    if name in INDICATORS:
        if value is None:
            return None
        value = int(value)
        if not 0 <= value <= MAX_INDICATOR:
            raise DomainError(_l("Enter a whole number from 0 to 1 000 000."), field=name)
        return value
    if name in PLAN_INPUTS:
        value = int(value or 0)
        if not 0 <= value <= MAX_CENTS:
            raise DomainError(_l("Enter an amount between 0 and 999 999 999,99 €."), field=name)
        return value
    if name in ("start_date", "end_date"):
        if value is not None and not (isinstance(value, date) and 2000 <= value.year <= 2100):
            raise DomainError(_l("Enter a date between the years 2000 and 2100."), field=name)
        return value
    text = (value or "").replace("\r\n", "\n").strip()
    if name == "project_name":
        return " ".join(text.split())[:200]
    if len(text) > MAX_TEXT:
        raise DomainError(_l("The text is too long."), field=name)
    return text


# --- budget lines ----------------------------------------------------------------------------


def require_part_writer(user: User, application: Application,
                        partner: ApplicationPartner | None) -> None:
    """The content must be editable and the user may edit this part of the budget
    (permissions.can_edit_part: the lead's editors every part, a co-implementer's its own)."""
    if not application.is_editable:
        raise ContentLocked()
    if not permissions.has_part(application, partner):
        raise DomainError(_l("Only an accepted co-implementer has its own part of the budget."))
    if not permissions.can_edit_part(user, application, partner):
        raise NotAllowed(_l("Only the lead organisation's editors and the co-implementer's own "
                            "editors change this part of the budget."))


def _check_line(values: budget.LineValues, application: Application | None = None) -> None:
    role = " ".join((values.role or "").split())
    if not role:
        raise DomainError(_l("Name the role (e.g. project manager)."), field="role")
    if len(role) > 200:
        raise DomainError(_l("The text is too long."), field="role")
    if application is not None and values.kind != str(application.staff_cost_model):
        raise DomainError(_l("This application uses the staff-cost model “%(model)s”: every "
                             "line must use it.",
                             model=STAFF_MODEL_LABELS[application.staff_cost_model]),
                          field="kind")
    if values.kind == StaffCostKind.hourly:
        required = {"hours_centi": _l("Enter the hours."),
                    "fte_centi": _l("Enter the share of full time."),
                    "annual_salary_cents": _l("Enter the annual salary.")}
        limits = {"hours_centi": budget.MAX_HOURS_CENTI, "fte_centi": budget.MAX_FTE_CENTI,
                  "annual_salary_cents": budget.MAX_ANNUAL_SALARY_CENTS}
    elif values.kind == StaffCostKind.monthly:
        required = {"months_centi": _l("Enter the months."),
                    "fte_centi": _l("Enter the share of full time."),
                    "monthly_salary_cents": _l("Enter the monthly salary.")}
        limits = {"months_centi": budget.MAX_MONTHS_CENTI, "fte_centi": budget.MAX_FTE_CENTI,
                  "monthly_salary_cents": budget.MAX_MONTHLY_SALARY_CENTS}
    else:
        raise DomainError(_l("Choose how the cost is calculated."), field="kind")
    for name, message in required.items():
        value = getattr(values, name)
        if value is None or value <= 0:
            raise DomainError(message, field=name)
        if value > limits[name]:
            raise DomainError(_l("The number is too large."), field=name)
    if application is not None:
        # the same rule and message as the submission checklist's (budget.line_hours_problem)
        months = budget.project_months(application.start_date, application.end_date)
        problem = budget.line_hours_problem(values, months)
        if problem is not None:
            raise DomainError(problem.message(), field="hours_centi")


STAFF_MODEL_LABELS = {
    StaffCostKind.monthly: _l("monthly salaries"),
    StaffCostKind.hourly: _l("hourly unit cost"),
}


def _apply_line(line: StaffLine, values: budget.LineValues) -> None:
    line.role = " ".join(values.role.split())
    line.kind = StaffCostKind(values.kind)
    hourly = line.kind == StaffCostKind.hourly
    line.months_centi = None if hourly else values.months_centi
    line.fte_centi = values.fte_centi
    line.monthly_salary_cents = None if hourly else values.monthly_salary_cents
    line.hours_centi = values.hours_centi if hourly else None
    line.annual_salary_cents = values.annual_salary_cents if hourly else None


def add_line(user: User, application: Application, values: budget.LineValues,
             now: datetime | None = None,
             partner: ApplicationPartner | None = None) -> StaffLine:
    """Add a staff cost line to the lead's part or to a co-implementer's (complete: a line is
    saved only when its cost can be computed, of the application's staff-cost model, and
    within the hours limit)."""
    require_part_writer(user, application, partner)
    if len(application.staff_lines) >= budget.MAX_LINES:
        raise DomainError(_l("A budget can have at most %(n)s staff lines.", n=budget.MAX_LINES))
    _check_line(values, application)
    line = StaffLine(position=max((x.position for x in application.staff_lines), default=0) + 1,
                     partner_id=None if partner is None else partner.id)
    _apply_line(line, values)
    application.staff_lines.append(line)
    _touch(user, application, now)
    return line


def update_line(user: User, line: StaffLine, values: budget.LineValues,
                now: datetime | None = None) -> None:
    application = line.application
    require_part_writer(user, application, line.partner)
    _check_line(values, application)
    _apply_line(line, values)
    _touch(user, application, now)


def delete_line(user: User, line: StaffLine, now: datetime | None = None) -> None:
    application = line.application
    require_part_writer(user, application, line.partner)
    application.staff_lines.remove(line)
    _touch(user, application, now)


def set_staff_cost_model(user: User, application: Application, model: str,
                         now: datetime | None = None) -> None:
    """Choose the application's one staff-cost model (monthly salaries or hourly unit cost).
    Refused while lines of the other model exist: nothing is converted."""
    require_writer(user, application)
    try:
        model = StaffCostKind(model)
    except ValueError:
        raise DomainError(_l("Choose how the staff costs are calculated."),
                          field="staff_cost_model") from None
    if model == application.staff_cost_model:
        return
    others = [line for line in application.staff_lines if line.kind != model]
    if others:
        raise DomainError(_l(
            "The budget has %(n)s lines of the model “%(old)s”. Remove them first: lines are "
            "not converted from one model to the other.", n=len(others),
            old=STAFF_MODEL_LABELS[application.staff_cost_model]), field="staff_cost_model")
    application.staff_cost_model = model
    _touch(user, application, now)


PART_COST_FIELDS = ("participant_costs_cents", "revenue_cents")


def save_part_figures(user: User, application: Application,
                      partner: ApplicationPartner | None, values: dict,
                      now: datetime | None = None) -> None:
    """Save a part's costs outside the flat rate (participants' wages and allowances, revenue)
    and, for a co-implementer's part, its funding plan (the lead's plan is the funding
    section). Amounts in cents; a missing name is left as it was."""
    require_part_writer(user, application, partner)
    allowed = PART_COST_FIELDS + (PLAN_INPUTS if partner is not None else ())
    owner = application if partner is None else partner
    for name in allowed:
        if name not in values:
            continue
        value = int(values[name] or 0)
        if not 0 <= value <= MAX_CENTS:
            raise DomainError(_l("Enter an amount between 0 and 999 999 999,99 €."), field=name)
        setattr(owner, name, value)
    _touch(user, application, now)


# --- partners --------------------------------------------------------------------------------


def invite_partner(user: User, application: Application, organisation: Organisation,
                   role_description: str = "", now: datetime | None = None,
                   kind: str = PartnerKind.co_implementer) -> ApplicationPartner:
    """Invite a verified organisation as a co-implementer (with its own part of the budget) or
    a cooperation partner (no money); it counts as a partner once its editors accept."""
    require_writer(user, application)
    try:
        kind = PartnerKind(kind)
    except ValueError:
        raise DomainError(_l("Choose what the partner is in the project."),
                          field="kind") from None
    if organisation.id == application.organisation_id:
        raise DomainError(_l("The lead organisation cannot be its own partner."),
                          field="business_id")
    if not organisation.is_verified:
        raise DomainError(_l("Only verified organisations can be partners."), field="business_id")
    if any(p.organisation_id == organisation.id for p in application.partners):
        raise DomainError(_l("This organisation has already been invited."), field="business_id")
    if len(application.partners) >= MAX_PARTNERS:
        raise DomainError(_l("An application can have at most %(n)s partners.", n=MAX_PARTNERS))
    partner = ApplicationPartner(organisation=organisation, invited_by_id=user.id, kind=kind,
                                 role_description=(role_description or "").strip()[:2000],
                                 created_at=clock.resolve(now))
    application.partners.append(partner)
    _touch(user, application, now)
    audit.record("application.partner_invited", actor=user, obj=application,
                 organisation=application.organisation, partner=organisation.id)
    from app.applications.workflow import notify_partner_invited

    notify_partner_invited(partner)
    return partner


def remove_partner(user: User, partner: ApplicationPartner, now: datetime | None = None) -> None:
    """Remove a partner and, with it, its part of the budget (its lines would otherwise fall
    into the lead's part)."""
    application = partner.application
    require_writer(user, application)
    for line in [x for x in application.staff_lines if x.partner_id == partner.id]:
        application.staff_lines.remove(line)
    application.partners.remove(partner)
    _touch(user, application, now)
    audit.record("application.partner_removed", actor=user, obj=application,
                 organisation=application.organisation, partner=partner.organisation_id)


def respond_to_partnership(user: User, partner: ApplicationPartner, accept: bool,
                           now: datetime | None = None) -> None:
    """The invited organisation's editors accept or decline while the content is editable."""
    application = partner.application
    if not application.is_editable:
        raise ContentLocked()
    if partner.state != PartnerState.invited:
        raise DomainError(_l("The invitation has already been answered."))
    if not permissions.can_respond_to_partnership(user, partner):
        raise NotAllowed(_l("Only the invited organisation's editors and owners answer."))
    if accept and not partner.organisation.is_verified:
        raise DomainError(_l("Only verified organisations can be partners."))
    now = clock.resolve(now)
    partner.answer(accept, now)
    partner.responded_by_id = user.id
    application.updated_at = now
    db.session.flush()
    audit.record("application.partner_accepted" if accept else "application.partner_declined",
                 actor=user, obj=application, organisation=partner.organisation)


# --- service models and attachments ----------------------------------------------------------


def link_practice(user: User, application: Application, practice: Practice | None,
                  now: datetime | None = None) -> ApplicationPractice:
    require_writer(user, application)
    if practice is None or practice.state != PracticeState.published:
        raise DomainError(_l("Choose a published service model."), field="practice")
    if any(link.practice_id == practice.id for link in application.practice_links):
        raise DomainError(_l("This service model is already linked."), field="practice")
    if len(application.practice_links) >= MAX_PRACTICES:
        raise DomainError(_l("At most %(n)s service models can be linked.", n=MAX_PRACTICES))
    link = ApplicationPractice(practice=practice)
    application.practice_links.append(link)
    _touch(user, application, now)
    return link


def unlink_practice(user: User, link: ApplicationPractice, now: datetime | None = None) -> None:
    application = link.application
    require_writer(user, application)
    application.practice_links.remove(link)
    _touch(user, application, now)


def add_attachment(user: User, application: Application, file_storage,
                   now: datetime | None = None) -> ApplicationAttachment:
    """Check and store an uploaded file (uploads.UploadError explains a refusal)."""
    from app.core.uploads import store_upload, validate_upload

    require_writer(user, application)
    if len(application.attachments) >= MAX_ATTACHMENTS:
        raise DomainError(_l("An application can have at most %(n)s attachments.",
                             n=MAX_ATTACHMENTS))
    checked = validate_upload(file_storage)
    stored = store_upload(checked, file_storage)
    attachment = ApplicationAttachment(
        filename=checked.filename, stored_name=stored, content_type=checked.content_type,
        size=checked.size, sha256=checked.sha256, uploaded_by_id=user.id,
        created_at=clock.resolve(now),
    )
    application.attachments.append(attachment)
    _touch(user, application, now)
    return attachment


def delete_attachment(user: User, attachment: ApplicationAttachment,
                      now: datetime | None = None) -> str:
    """Remove the attachment row; returns the stored name for the view to delete after commit
    (a failed commit then leaves the file in place)."""
    application = attachment.application
    require_writer(user, application)
    application.attachments.remove(attachment)
    _touch(user, application, now)
    return attachment.stored_name


def organisation_by_business_id(business_id: str) -> Organisation | None:
    from app.organisations import business_id as bid

    normalised = bid.normalise(business_id or "")
    if not bid.is_valid(normalised):
        return None
    # Several units may share a Business ID: it names the one without a unit name.
    return db.session.scalar(select(Organisation).where(Organisation.business_id == normalised,
                                                        Organisation.unit_name == ""))
