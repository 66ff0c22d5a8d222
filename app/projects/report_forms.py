"""The progress report form: narrative, the aggregated counts of app/projects/indicators.py,
outcome counts (outcome-based calls), service-voucher figures (voucher calls) and the payment
claim's staff lines. It checks the shape of the input (whole non-negative counts; months,
hours and money with the Finnish decimal comma); the services enforce the rules.

Field names are those the services name in their problems: the narrative's names, the
indicator keys, `outcome-<fee id>:<stage>`, `vouchers-issued`, `voucher-<org id>-<key>` and
`line-<claim line id>-months|fte|salary|hours`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf.form import _Auto
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length

from app.calls import budget
from app.core.fields import CountField, MoneyField, ScaledField, parse_int
from app.core.forms import BaseForm
from app.projects import indicators, services
from app.projects.models import ClaimLineKind, Report

VOUCHER_LABELS = {
    "redeemed": _l("Vouchers redeemed"),
    "completed": _l("Services completed"),
    "employed": _l("Employed after the service"),
    "education": _l("In education after the service"),
}
MAX_VOUCHERS = indicators.MAX_COUNT


@dataclass(frozen=True)
class FigureGroup:
    """Fields shown together: a breakdown of a total (with its legend) or single fields."""

    legend: object | None
    keys: tuple[str, ...]


def figure_layout() -> list[tuple[str, object, list[FigureGroup]]]:
    """The indicator sections in the form's order: (section key, legend, groups). The parts of
    an exact breakdown (gender, age, status, education level, referrals) form a group with the
    breakdown's name as legend; the other fields stand alone."""
    group_of = {}
    for breakdown in indicators.BREAKDOWNS:
        if breakdown.exact and len(breakdown.parts) > 1:
            for key in breakdown.parts:
                group_of[key] = breakdown
    # "of whom" figures of a grouped part follow that part inside its group
    nested: dict[str, list[str]] = {}
    for breakdown in indicators.BREAKDOWNS:
        if not breakdown.exact and breakdown.total in group_of:
            nested.setdefault(breakdown.total, []).extend(breakdown.parts)
    inside = {key for parts in nested.values() for key in parts}
    layout = []
    for section, (legend, keys) in indicators.SECTIONS.items():
        groups: list[FigureGroup] = []
        seen = set()
        for key in keys:
            breakdown = group_of.get(key)
            if key in inside:
                continue
            if breakdown is None:
                groups.append(FigureGroup(None, (key,)))
            elif breakdown.key not in seen:
                seen.add(breakdown.key)
                parts = tuple(k for part in breakdown.parts for k in (part, *nested.get(part, ())))
                groups.append(FigureGroup(breakdown.label, parts))
        layout.append((section, legend, groups))
    return layout


def indented_keys() -> frozenset[str]:
    """The "of whom" figures: parts of a total that is itself a part (long-term unemployed of
    the unemployed, pay subsidy of the employed), shown indented under their total."""
    heads = {keys[0] for _legend, keys in indicators.SECTIONS.values()}
    return frozenset(part for b in indicators.BREAKDOWNS if not b.exact and b.total not in heads
                     for part in b.parts)


def outcome_field(line) -> str:
    return f"outcome-{services.outcome_key(line)}"


def outcome_field_id(line) -> str:
    return f"outcome-{line.fee_id}-{line.stage}"


class ReportForm(BaseForm):
    """The whole report. Built for one report (its claim lines and the voucher providers decide
    the dynamic fields); with `formdata=None` it shows what is saved."""

    done = TextAreaField(services.NARRATIVE_LABELS["done"],
                         validators=[Length(max=services.MAX_TEXT)],
                         description=_l("Required before the report can be submitted."))
    changed = TextAreaField(services.NARRATIVE_LABELS["changed"],
                            validators=[Length(max=services.MAX_TEXT)])
    problems = TextAreaField(services.NARRATIVE_LABELS["problems"],
                             validators=[Length(max=services.MAX_TEXT)])
    next_steps = TextAreaField(services.NARRATIVE_LABELS["next_steps"],
                               validators=[Length(max=services.MAX_TEXT)])
    version = HiddenField()

    def __init__(self, formdata=_Auto, *, report: Report, providers=(), **kwargs):
        if formdata is None:
            kwargs.setdefault("data", {**{name: getattr(report, name)
                                          for name in services.NARRATIVE},
                                       "version": report.lock_version})
        super().__init__(formdata=formdata, **kwargs)
        submitted = self.meta.wrap_formdata(self, formdata)
        self.posted = set(submitted.keys()) if submitted is not None else set()
        self.report = report
        claim = report.claim
        lines = list(claim.lines) if claim is not None else []
        self.staff_lines = [line for line in lines if line.kind != ClaimLineKind.outcome]
        self.outcome_lines = [line for line in lines if line.kind == ClaimLineKind.outcome]
        self.providers = list(providers)
        self.field_names: dict[str, object] = {}
        self._translations = self.meta.get_translations(self)
        figures = report.figures or {}
        for key, label in indicators.FIELDS.items():
            self._add(submitted, key, CountField(label, maximum=indicators.MAX_COUNT),
                      figures.get(key))
        outcomes = report.outcomes or {}
        for line in self.outcome_lines:
            self._add(submitted, outcome_field(line),
                      CountField(line.label, id=outcome_field_id(line),
                                 maximum=indicators.MAX_COUNT),
                      outcomes.get(services.outcome_key(line)))
        vouchers = report.vouchers or {}
        if self.providers:
            self._add(submitted, "vouchers-issued",
                      CountField(_l("Vouchers issued"), maximum=MAX_VOUCHERS),
                      vouchers.get("issued"))
            rows = vouchers.get("providers") or {}
            for organisation in self.providers:
                row = rows.get(str(organisation.id)) or {}
                for key in services.VOUCHER_FIELDS:
                    name = f"voucher-{organisation.id}-{key}"
                    self._add(submitted, name, CountField(VOUCHER_LABELS[key],
                                                          maximum=MAX_VOUCHERS), row.get(key))
                    self.field_names[name] = f"{organisation.name}: {VOUCHER_LABELS[key]}"
        for line in self.staff_lines:
            key = f"line-{line.id}"
            if line.kind == ClaimLineKind.monthly:
                self._add(submitted, f"{key}-months",
                          ScaledField(_l("Months worked in the period"),
                                      maximum=budget.MAX_MONTHS_CENTI), line.months_centi)
                self._add(submitted, f"{key}-fte",
                          ScaledField(_l("Share of full time (%)"),
                                      maximum=budget.MAX_FTE_CENTI), line.fte_centi)
                self._add(submitted, f"{key}-salary",
                          MoneyField(_l("Monthly salary (€)"),
                                     maximum=budget.MAX_MONTHLY_SALARY_CENTS),
                          line.monthly_salary_cents)
                names = ("months", "fte", "salary")
            else:
                self._add(submitted, f"{key}-hours",
                          ScaledField(_l("Hours worked in the period"),
                                      maximum=budget.MAX_HOURS_CENTI), line.hours_centi)
                names = ("hours",)
            for name in names:
                field = self[f"{key}-{name}"]
                self.field_names[field.name] = f"{line.label}: {field.label.text}"

    def _add(self, submitted, name: str, unbound, value) -> None:
        field = self.meta.bind_field(self, unbound, {"name": name, "prefix": "",
                                                     "translations": self._translations})
        self._fields[name] = field
        field.process(submitted, value)

    def label_of(self, field) -> object:
        """What the error summary calls a field."""
        return self.field_names.get(field.name, field.label.text)

    def line_fields(self, line) -> list:
        key = f"line-{line.id}"
        names = ("months", "fte", "salary") if line.kind == ClaimLineKind.monthly else ("hours",)
        return [self[f"{key}-{name}"] for name in names]

    def voucher_fields(self, organisation) -> list:
        return [self[f"voucher-{organisation.id}-{key}"] for key in services.VOUCHER_FIELDS]

    def _sent(self, name: str) -> bool:
        return name in self.posted

    def values(self) -> services.ReportInput:
        """What was sent, for services.save_report: a field that was not sent at all is left as
        it is (a blank one is cleared)."""
        narrative = {name: self[name].data or "" for name in services.NARRATIVE
                     if self._sent(name)}
        figures = {key: self[key].data for key in indicators.FIELDS if self._sent(key)}
        outcomes = {services.outcome_key(line): self[outcome_field(line)].data
                    for line in self.outcome_lines if self._sent(outcome_field(line))}
        vouchers: dict = {}
        if self.providers and self._sent("vouchers-issued"):
            vouchers = {"issued": self["vouchers-issued"].data, "providers": {
                str(org.id): {key: self[f"voucher-{org.id}-{key}"].data
                              for key in services.VOUCHER_FIELDS}
                for org in self.providers}}
        claim_lines = {}
        for line in self.staff_lines:
            key = f"line-{line.id}"
            if line.kind == ClaimLineKind.monthly and self._sent(f"{key}-months"):
                claim_lines[line.id] = {"months_centi": self[f"{key}-months"].data,
                                        "fte_centi": self[f"{key}-fte"].data,
                                        "monthly_salary_cents": self[f"{key}-salary"].data}
            elif line.kind == ClaimLineKind.hourly and self._sent(f"{key}-hours"):
                claim_lines[line.id] = {"hours_centi": self[f"{key}-hours"].data}
        return services.ReportInput(narrative=narrative, figures=figures, outcomes=outcomes,
                                    vouchers=vouchers, claim_lines=claim_lines)

    @property
    def seen_version(self) -> int | None:
        return parse_int(self.version.data)
