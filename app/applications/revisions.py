"""Immutable revisions of an application: the JSON snapshot and the comparison of two.

A snapshot holds everything a reader needs without the live rows: texts, duration, indicator
targets, accepted partners, linked service models, attachments (name, size, checksum) and the
whole budget with its computed totals, so a later change of the call or of a partner's name
never changes what was submitted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.applications import outcomes as _outcomes
from app.applications import vouchers as _vouchers
from app.applications.models import PLAN_FIELDS, Application, ApplicationRevision
from app.applications.sections import (
    FIELD_LABELS,
    INDICATORS,
    TEXT_SECTIONS,
    part_lines,
    totals,
)
from app.calls import budget
from app.extensions import db
from app.practices.diff import FieldDiff, compare

SCHEMA = 1
DIFF_TEXT_FIELDS = ("project_name", "summary", *TEXT_SECTIONS)


def _line_json(line, cost: int) -> dict:
    return {
        "role": line.role, "kind": str(line.kind),
        "months_centi": line.months_centi, "fte_centi": line.fte_centi,
        "monthly_salary_cents": line.monthly_salary_cents,
        "hours_centi": line.hours_centi, "annual_salary_cents": line.annual_salary_cents,
        "cost_cents": cost,
    }


def _part_json(application: Application, part: budget.Part) -> dict:
    lines = part_lines(application, part.partner_id)
    t = part.totals
    return {
        "name": part.name, "partner_id": part.partner_id,
        "lines": [_line_json(line, cost)
                  for line, cost in zip(lines, t.line_costs, strict=True)],
        "staff_cents": t.staff_cents, "flat_rate_cents": t.flat_rate_cents,
        "participant_costs_cents": t.participant_costs_cents,
        "revenue_cents": t.revenue_cents, "total_cents": t.total_cents,
        "plan": dict(t.plan), "max_support_percent": t.max_support_percent,
    }


def snapshot(application: Application) -> dict:
    """Everything about the application, as plain JSON values (money as integer cents). The
    budget's top level is the project's (the group's sum); `parts` holds the lead's part and
    each co-implementer's."""
    result = totals(application)
    parts = [_part_json(application, part) for part in result.parts]
    lines = [line for part in parts for line in part["lines"]]
    organisation = application.organisation
    return {
        "schema": SCHEMA,
        "call": {"id": application.call_id, "title": application.call.title_fi},
        "organisation": {"id": organisation.id, "name": organisation.name,
                         "business_id": organisation.business_id, "type": organisation.type},
        "project_name": application.project_name,
        "summary": application.summary,
        **{name: getattr(application, name) for name in TEXT_SECTIONS},
        "start_date": application.start_date.isoformat() if application.start_date else None,
        "end_date": application.end_date.isoformat() if application.end_date else None,
        "indicators": {name: getattr(application, name) for name in INDICATORS},
        "partners": [
            {"organisation_id": p.organisation_id, "name": p.organisation.name,
             "business_id": p.organisation.business_id, "role": p.role_description,
             "kind": str(p.kind)}
            for p in application.accepted_partners
        ],
        "practices": [
            {"id": link.practice_id, "title": link.practice.title}
            for link in application.practice_links
        ],
        "attachments": [
            {"filename": a.filename, "size": a.size, "sha256": a.sha256,
             "stored_name": a.stored_name, "content_type": a.content_type}
            for a in application.attachments
        ],
        # The non-grant funding models' parts (outcomes.py, vouchers.py); None otherwise.
        "outcome_plan": (_outcomes.snapshot(application)
                         if _outcomes.is_outcome_based(application) else None),
        "voucher_offer": _vouchers.snapshot(application),
        "budget": {
            "lines": lines,
            "staff_cost_model": str(application.staff_cost_model),
            "staff_cents": result.staff_cents,
            "flat_rate_percent": budget.FLAT_RATE_PERCENT,
            "flat_rate_cents": result.flat_rate_cents,
            "participant_costs_cents": result.participant_costs_cents,
            "revenue_cents": result.revenue_cents,
            "total_cents": result.total_cents,
            "plan": dict(result.plan),
            "max_support_percent": result.max_support_percent,
            "parts": parts,
        },
    }


def revisions_of(application: Application) -> list[ApplicationRevision]:
    """Newest first."""
    return list(db.session.scalars(
        select(ApplicationRevision)
        .where(ApplicationRevision.application_id == application.id)
        .order_by(ApplicationRevision.number.desc())
    ))


def revision_by_number(application: Application, number: int) -> ApplicationRevision | None:
    return db.session.scalar(select(ApplicationRevision).where(
        ApplicationRevision.application_id == application.id,
        ApplicationRevision.number == number,
    ))


@dataclass(frozen=True)
class Change:
    """A value that changed from `old` to `new` (both already formatted or raw)."""

    label: object
    old: object
    new: object
    money: bool = False


@dataclass(frozen=True)
class RevisionDiff:
    texts: list[FieldDiff]
    values: list[Change]
    budget: list[Change]
    lists: list[FieldDiff]

    @property
    def changed(self) -> bool:
        return any(d.changed for d in self.texts + self.lists) or bool(self.values or self.budget)


def _line_label(line: dict) -> str:
    return line.get("role") or "?"


def diff_revisions(old: dict, new: dict) -> RevisionDiff:
    """What changed between two snapshots: texts word by word, figures as old -> new."""
    texts = compare(old, new, DIFF_TEXT_FIELDS)
    values = []
    for name in ("start_date", "end_date"):
        if old.get(name) != new.get(name):
            values.append(Change(FIELD_LABELS[name], old.get(name), new.get(name)))
    for name in INDICATORS:
        a, b = old.get("indicators", {}).get(name), new.get("indicators", {}).get(name)
        if a != b:
            values.append(Change(FIELD_LABELS[name], a, b))
    budget_changes = _budget_changes(old.get("budget", {}), new.get("budget", {}))
    lists = compare(
        {"partners": [p["name"] for p in old.get("partners", [])],
         "practices": [p["title"] for p in old.get("practices", [])],
         "attachments": [a["filename"] for a in old.get("attachments", [])]},
        {"partners": [p["name"] for p in new.get("partners", [])],
         "practices": [p["title"] for p in new.get("practices", [])],
         "attachments": [a["filename"] for a in new.get("attachments", [])]},
        ("partners", "practices", "attachments"),
    )
    return RevisionDiff(texts=texts, values=values, budget=budget_changes, lists=lists)


def _budget_changes(old: dict, new: dict) -> list[Change]:
    """The project's lines and totals, then, in a group project, each co-implementer's part
    (matched by organisation) with its name before each of its changes."""
    from flask_babel import lazy_gettext as _l

    changes = _figures_changes(_lead_part(old), _lead_part(new))
    old_parts = {p["name"]: p for p in old.get("parts", [])[1:]}
    new_parts = {p["name"]: p for p in new.get("parts", [])[1:]}
    for name in [*new_parts, *(n for n in old_parts if n not in new_parts)]:
        for change in _figures_changes(old_parts.get(name, {}), new_parts.get(name, {})):
            changes.append(Change(_l("%(org)s: %(item)s", org=name, item=change.label),
                                  change.old, change.new, money=True))
    if old_parts or new_parts:
        group = {"staff_cents": _l("Project in total: staff costs"),
                 "total_cents": _l("Project in total: total eligible cost")}
        for key, label in group.items():
            if old.get(key) != new.get(key):
                changes.append(Change(label, old.get(key), new.get(key), money=True))
    return changes


def _lead_part(snapshot_budget: dict) -> dict:
    """The lead's part of a snapshot's budget (older snapshots: the budget itself)."""
    parts = snapshot_budget.get("parts")
    return parts[0] if parts else snapshot_budget


def _figures_changes(old: dict, new: dict) -> list[Change]:
    from flask_babel import lazy_gettext as _l

    changes = []
    old_lines, new_lines = old.get("lines", []), new.get("lines", [])
    for index in range(max(len(old_lines), len(new_lines))):
        a = old_lines[index] if index < len(old_lines) else None
        b = new_lines[index] if index < len(new_lines) else None
        if a == b:
            continue
        label = _line_label(b or a)
        if a and b and _line_label(a) != _line_label(b):
            label = f"{_line_label(a)} → {_line_label(b)}"
        changes.append(Change(_l("Staff line %(n)s: %(role)s", n=index + 1, role=label),
                              a["cost_cents"] if a else None, b["cost_cents"] if b else None,
                              money=True))
    labels = {
        "staff_cents": _l("Staff costs"),
        "flat_rate_cents": _l("Flat rate %(percent)s %%", percent=budget.FLAT_RATE_PERCENT),
        "participant_costs_cents": _l("Participants' wages and allowances"),
        "revenue_cents": _l("Revenue"),
        "total_cents": _l("Total eligible cost"),
    }
    for key, label in labels.items():
        if old.get(key, 0 if key in PART_ZERO else None) != new.get(
                key, 0 if key in PART_ZERO else None):
            changes.append(Change(label, old.get(key), new.get(key), money=True))
    old_plan, new_plan = old.get("plan", {}), new.get("plan", {})
    for key in PLAN_FIELDS:
        if old_plan.get(key, 0) != new_plan.get(key, 0):
            changes.append(Change(FIELD_LABELS.get(f"{key}_cents", key), old_plan.get(key),
                                  new_plan.get(key), money=True))
    return changes


# Figures that older snapshots lack: missing is zero, not a change.
PART_ZERO = ("participant_costs_cents", "revenue_cents")
