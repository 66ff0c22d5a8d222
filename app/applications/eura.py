"""The application in EURA 2021's section order, for calls whose official application is filed
in EURA 2021 (Call.filing == eura2021): the platform is where the application is prepared and
partners are found; this export is what the applicant carries over.

The order of SECTION_ORDER follows the ESF+ application form ("hakemus") of EURA 2021 as of
2026: basic information, the applicant, implementation (background and need, objectives and
results, target groups, actions), horizontal principles, schedule, budget (staff costs, the
flat rate, other lines), the funding plan, indicators, co-implementers and partners, and
attachments. EURA 2021's form changes between programme updates: check the order and the
headings against the live form before relying on them, and change only this list (the printable
page and the JSON both follow it).

Money is exported twice, as integer cents and as euros in a string with two decimals
("1234.50"): never as a float.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from app.applications import sections
from app.applications.models import Application, PartnerKind, StaffCostKind
from app.calls import budget
from app.core.codelists import ORGANISATION_TYPES, REGIONS, current_language
from app.organisations.partnership import PartnerState

FORMAT = "kohtaamo.eura2021-application"
FORMAT_VERSION = 1

# (key, heading): the single ordered list both the printable page and the JSON follow.
SECTION_ORDER: tuple[tuple[str, object], ...] = (
    ("basic", _l("Basic information")),
    ("applicant", _l("Applicant")),
    ("implementation", _l("Implementation")),
    ("horizontal_principles", _l("Horizontal principles")),
    ("schedule", _l("Schedule")),
    ("budget", _l("Budget")),
    ("funding_plan", _l("Funding plan")),
    ("indicators", _l("Indicators")),
    ("partners", _l("Co-implementers and cooperation partners")),
    ("attachments", _l("Attachments")),
)
PROGRAMME = _l("Innovation and Skills in Finland 2021–2027")


@dataclass(frozen=True)
class Money:
    """An amount in integer cents; `euros` is "1234.50" (a string, never a float)."""

    cents: int

    @property
    def euros(self) -> str:
        sign = "-" if self.cents < 0 else ""
        whole, rest = divmod(abs(int(self.cents)), 100)
        return f"{sign}{whole}.{rest:02d}"

    def as_json(self) -> dict:
        return {"cents": int(self.cents), "euros": self.euros}


@dataclass(frozen=True)
class Item:
    """One labelled value: text, Markdown, Money, a date, a count, a percentage or a list."""

    key: str
    label: object
    value: object
    kind: str = "text"  # text | markdown | money | date | count | percent | list


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    key: str
    label: object
    columns: tuple[Column, ...]
    rows: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    number: int
    key: str
    title: object
    items: list[Item] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


# --- the sections --------------------------------------------------------------------------


def _basic(application: Application, totals) -> tuple[list[Item], list[Table]]:
    from app.calls.forms import FUNDING_MODEL_LABELS

    call = application.call
    language = current_language()
    co_implementers = [p for p in application.accepted_partners if _is_co_implementer(p)]
    return [
        Item("project_name", _l("Project name"), application.project_name),
        Item("summary", _l("Summary"), application.summary, "markdown"),
        Item("programme", _l("Programme"), str(PROGRAMME)),
        Item("call", _l("Call"), call.title(language)),
        Item("funding_authority", _l("Funding authority"), call.authority_label),
        Item("funding_model", _l("Funding model"), str(FUNDING_MODEL_LABELS[call.funding_model])),
        Item("group_project", _l("Group project (co-implementers)"), len(co_implementers),
             "count"),
    ], []


def _applicant(application: Application, totals) -> tuple[list[Item], list[Table]]:
    organisation = application.organisation
    return [
        Item("name", _l("Lead applicant"), organisation.display_name),
        Item("business_id", _l("Business ID"), organisation.business_id),
        Item("type", _l("Organisation type"), ORGANISATION_TYPES.label(organisation.type)),
        Item("regions", _l("Regions"), [REGIONS.label(code) for code in organisation.regions],
             "list"),
        Item("website", _l("Website"), organisation.website),
        Item("contact_email", _l("Contact e-mail address"), organisation.contact_email),
    ], []


def _implementation(application: Application, totals) -> tuple[list[Item], list[Table]]:
    return [
        Item("background", _l("Background and need"), application.background, "markdown"),
        Item("objectives", _l("Objectives and expected results"), application.expected_results,
             "markdown"),
        Item("target_groups", _l("Target groups and how participants are reached"),
             application.target_group, "markdown"),
        Item("actions", _l("Actions (method)"), application.method, "markdown"),
        Item("employer_cooperation", _l("Employer cooperation"),
             application.employer_cooperation, "markdown"),
        Item("dissemination", _l("Dissemination of the results"), application.dissemination,
             "markdown"),
    ], []


def _horizontal(application: Application, totals) -> tuple[list[Item], list[Table]]:
    return [Item("horizontal_principles", _l("Equality, non-discrimination, accessibility and "
                                              "sustainable development"),
                 application.horizontal_principles, "markdown")], []


def _schedule(application: Application, totals) -> tuple[list[Item], list[Table]]:
    return [
        Item("start_date", _l("Start date"), application.start_date, "date"),
        Item("end_date", _l("End date"), application.end_date, "date"),
    ], []


def _part_name(application: Application, partner_id: int | None) -> str:
    if partner_id is None:
        return application.organisation.name
    partner = next((p for p in application.partners if p.id == partner_id), None)
    return partner.organisation.name if partner is not None else ""


def _budget(application: Application, totals) -> tuple[list[Item], list[Table]]:
    hourly = application.staff_cost_model == StaffCostKind.hourly
    model = (_l("Hourly unit cost: annual salary costs with side costs / %(hours)s h",
                hours=budget.HOURS_PER_YEAR) if hourly else _l("Monthly salaries"))
    lines = Table("staff_lines", _l("Staff costs"), (
        Column("part", _l("Part")), Column("role", _l("Role")),
        Column("months", _l("Months"), "decimal"), Column("fte_percent", _l("FTE share (%)"),
                                                          "decimal"),
        Column("monthly_salary", _l("Monthly salary"), "money"),
        Column("hours", _l("Hours"), "decimal"),
        Column("annual_salary", _l("Annual salary costs"), "money"),
        Column("cost", _l("Cost"), "money"),
    ))
    for line in application.staff_lines:
        lines.rows.append({
            "part": _part_name(application, getattr(line, "partner_id", None)),
            "role": line.role,
            "months": _decimal(line.months),
            "fte_percent": _decimal(line.fte_percent),
            "monthly_salary": _money(line.monthly_salary_cents),
            "hours": _decimal(line.hours),
            "annual_salary": _money(line.annual_salary_cents),
            "cost": Money(budget.line_cost(line)),
        })
    items = [
        Item("staff_cost_model", _l("Staff-cost model"), str(model)),
        Item("staff_costs", _l("Staff costs"), Money(totals.staff_cents), "money"),
        Item("flat_rate", _l("Flat rate %(percent)s %% of staff costs (costs other than staff "
                             "costs)", percent=budget.FLAT_RATE_PERCENT),
             Money(totals.flat_rate_cents), "money"),
        Item("participant_costs", _l("Participants' wages and allowances"),
             Money(getattr(totals, "participant_costs_cents", 0)), "money"),
        Item("revenue", _l("Revenue (deducted)"), Money(getattr(totals, "revenue_cents", 0)),
             "money"),
        Item("total_eligible_cost", _l("Total eligible cost"), Money(totals.total_cents),
             "money"),
    ]
    tables = [lines]
    parts = list(getattr(totals, "parts", ()) or ())
    if len(parts) > 1:
        by_part = Table("parts", _l("Budget by part"), (
            Column("part", _l("Part")), Column("staff_costs", _l("Staff costs"), "money"),
            Column("flat_rate", _l("Flat rate"), "money"),
            Column("participant_costs", _l("Participants' wages and allowances"), "money"),
            Column("revenue", _l("Revenue (deducted)"), "money"),
            Column("total_eligible_cost", _l("Total eligible cost"), "money"),
        ))
        for part in parts:
            t = part.totals
            by_part.rows.append({
                "part": part.name, "staff_costs": Money(t.staff_cents),
                "flat_rate": Money(t.flat_rate_cents),
                "participant_costs": Money(getattr(t, "participant_costs_cents", 0)),
                "revenue": Money(getattr(t, "revenue_cents", 0)),
                "total_eligible_cost": Money(t.total_cents),
            })
        tables.append(by_part)
    return items, tables


def _funding_plan(application: Application, totals) -> tuple[list[Item], list[Table]]:
    plan = dict(totals.plan)
    items = [Item(name, sections.FIELD_LABELS.get(f"{name}_cents", name),
                  Money(plan.get(name, 0)), "money") for name in _plan_fields()]
    items.append(Item("total", _l("Funding in total"), Money(sum(plan.values())), "money"))
    share = totals.support_share
    items.append(Item("support_share", _l("Support as a share of the total eligible cost"),
                      None if share is None else f"{share}", "percent"))
    return items, []


def _indicators(application: Application, totals) -> tuple[list[Item], list[Table]]:
    return [Item(name, sections.FIELD_LABELS[name], getattr(application, name), "count")
            for name in sections.INDICATORS], []


def _partners(application: Application, totals) -> tuple[list[Item], list[Table]]:
    table = Table("partners", _l("Partners"), (
        Column("organisation", _l("Organisation")), Column("business_id", _l("Business ID")),
        Column("role", _l("Role in the project")), Column("kind", _l("Kind of partner")),
        Column("state", _l("Answer")),
    ))
    for partner in application.partners:
        if partner.state == PartnerState.declined:
            continue
        table.rows.append({
            "organisation": partner.organisation.name,
            "business_id": partner.organisation.business_id,
            "role": partner.role_description,
            "kind": str(_l("Co-implementer") if _is_co_implementer(partner)
                        else _l("Cooperation partner")),
            "state": str(_l("Accepted") if partner.state == PartnerState.accepted
                         else _l("Not answered yet")),
        })
    return [], [table]


def _attachments(application: Application, totals) -> tuple[list[Item], list[Table]]:
    table = Table("attachments", _l("Attachments"), (
        Column("filename", _l("File")), Column("size", _l("Size (bytes)"), "count"),
        Column("sha256", _l("SHA-256")),
    ))
    for attachment in application.attachments:
        table.rows.append({"filename": attachment.filename, "size": attachment.size,
                           "sha256": attachment.sha256})
    return [], [table]


BUILDERS: dict[str, Callable] = {
    "basic": _basic,
    "applicant": _applicant,
    "implementation": _implementation,
    "horizontal_principles": _horizontal,
    "schedule": _schedule,
    "budget": _budget,
    "funding_plan": _funding_plan,
    "indicators": _indicators,
    "partners": _partners,
    "attachments": _attachments,
}


def export_sections(application: Application) -> list[Section]:
    """The application's content in EURA 2021's section order (SECTION_ORDER)."""
    totals = sections.totals(application)
    result = []
    for number, (key, title) in enumerate(SECTION_ORDER, start=1):
        items, tables = BUILDERS[key](application, totals)
        result.append(Section(number, key, title, items, tables))
    return result


def as_json(application: Application, export: list[Section], generated_at) -> dict:
    """The export as JSON-ready data: stable keys; labels in the reader's language."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_at": generated_at.isoformat(),
        "language": current_language(),
        "application": {"id": application.id, "state": str(application.state),
                        "call_id": application.call_id,
                        "filing": str(application.call.filing)},
        "sections": [
            {
                "number": section.number,
                "key": section.key,
                "title": str(section.title),
                "items": [{"key": item.key, "label": str(item.label), "kind": item.kind,
                           "value": _json_value(item.value)} for item in section.items],
                "tables": [
                    {"key": table.key, "label": str(table.label),
                     "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind}
                                 for c in table.columns],
                     "rows": [{c.key: _json_value(row.get(c.key)) for c in table.columns}
                              for row in table.rows]}
                    for table in section.tables
                ],
            }
            for section in export
        ],
    }


# --- helpers -------------------------------------------------------------------------------


def _plan_fields() -> tuple[str, ...]:
    from app.applications.models import PLAN_FIELDS

    return PLAN_FIELDS


def _is_co_implementer(partner) -> bool:
    return getattr(partner, "kind", PartnerKind.co_implementer) == PartnerKind.co_implementer


def _money(cents: int | None) -> Money | None:
    return None if cents is None else Money(int(cents))


def _decimal(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def _json_value(value):
    if isinstance(value, Money):
        return value.as_json()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [str(v) for v in value]
    if value is None or isinstance(value, (int, str)):
        return value
    return str(value)
