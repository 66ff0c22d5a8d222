"""What changed between two revisions of a progress report (services.snapshot content): the
narrative word by word (app.practices.diff, as the application's compare page), the figures,
outcome counts, voucher figures and claim lines as old → new."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.applications.revisions import Change
from app.practices.diff import FieldDiff, compare
from app.projects import indicators, services
from app.projects.report_forms import VOUCHER_LABELS


@dataclass(frozen=True)
class ReportDiff:
    texts: list[FieldDiff]
    figures: list[Change]
    outcomes: list[Change]
    vouchers: list[Change]
    claim: list[Change]

    @property
    def changed(self) -> bool:
        return (any(d.changed for d in self.texts)
                or bool(self.figures or self.outcomes or self.vouchers or self.claim))


def _changes(old: dict, new: dict, labels: dict, money: bool = False) -> list[Change]:
    changes = []
    for key, label in labels.items():
        a, b = old.get(key), new.get(key)
        if (a or 0) != (b or 0):
            changes.append(Change(label, a, b, money))
    return changes


def _voucher_rows(vouchers: dict) -> dict:
    rows = {"issued": (vouchers or {}).get("issued")}
    for org_id, row in ((vouchers or {}).get("providers") or {}).items():
        for key in services.VOUCHER_FIELDS:
            rows[f"{org_id}:{key}"] = (row or {}).get(key)
    return rows


def _voucher_labels(old: dict, new: dict, provider_names: dict[str, str]) -> dict:
    labels: dict = {"issued": _l("Vouchers issued")}
    for vouchers in (old, new):
        for org_id in ((vouchers or {}).get("providers") or {}):
            name = provider_names.get(str(org_id), f"#{org_id}")
            for key in services.VOUCHER_FIELDS:
                labels[f"{org_id}:{key}"] = f"{name}: {VOUCHER_LABELS[key]}"
    return labels


def _claim_changes(old: list, new: list) -> list[Change]:
    changes = []
    for index in range(max(len(old), len(new))):
        a = old[index] if index < len(old) else None
        b = new[index] if index < len(new) else None
        if a == b:
            continue
        label = (b or a).get("label") or "?"
        changes.append(Change(label, a.get("claimed_cents") if a else None,
                              b.get("claimed_cents") if b else None, money=True))
    return changes


def diff_snapshots(old: dict, new: dict, outcome_labels: dict | None = None,
                   provider_names: dict[str, str] | None = None) -> ReportDiff:
    """What changed from snapshot `old` to `new`. `outcome_labels` names the outcome keys
    ("<fee id>:<stage>"), `provider_names` the voucher providers by organisation id."""
    outcome_labels = dict(outcome_labels or {})
    for content in (old, new):
        for key in (content.get("outcomes") or {}):
            outcome_labels.setdefault(key, key)
    provider_names = provider_names or {}
    return ReportDiff(
        texts=compare(old.get("narrative") or {}, new.get("narrative") or {},
                      services.NARRATIVE),
        figures=_changes(old.get("figures") or {}, new.get("figures") or {}, indicators.FIELDS),
        outcomes=_changes(old.get("outcomes") or {}, new.get("outcomes") or {}, outcome_labels),
        vouchers=_changes(_voucher_rows(old.get("vouchers")), _voucher_rows(new.get("vouchers")),
                          _voucher_labels(old.get("vouchers"), new.get("vouchers"),
                                          provider_names)),
        claim=_claim_changes(old.get("claim") or [], new.get("claim") or []),
    )


def history(revisions, **labels) -> list[tuple]:
    """(revision, what changed since the one before, or None for the first), newest first."""
    ordered = sorted(revisions, key=lambda r: r.number)
    entries = []
    previous = None
    for revision in ordered:
        diff = (diff_snapshots(previous.content, revision.content, **labels)
                if previous is not None else None)
        entries.append((revision, diff))
        previous = revision
    return list(reversed(entries))
