"""The provider registry of a service-voucher call: the providers whose applications were
approved, with their offers (app.applications.vouchers) and their outcomes so far, for the
public comparison page that jobseekers and employment counsellors read.

Outcomes so far come from the accepted progress reports of the call's projects, where a
report gives figures per provider ({"providers": {"<organisation id>": {"completed": n, ...}}},
app.projects.services.VOUCHER_FIELDS); on the public page a figure of 1–4 is shown as "< 5".

Three queries whatever the number of providers: the call's approved offers (with their
organisations and writers), and the accepted reports' voucher figures. Filtering by language
and region happens on the loaded rows (the codes are JSON lists).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.calls.models import Call, CallState, FundingModel
from app.extensions import db

OUTCOME_KEYS = ("completed", "employed", "education")


def has_registry(call: Call) -> bool:
    """Only a published service-voucher call has a public provider registry."""
    return call.state == CallState.published and call.funding_model == FundingModel.service_voucher


@dataclass
class Provider:
    """One approved provider and its offer, as the registry shows it."""

    application_id: int
    organisation: object
    offer: object
    text_language: str | None  # the language the provider wrote its texts in, when known
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def languages(self) -> list[str]:
        return list(self.offer.languages or [])

    @property
    def regions(self) -> list[str]:
        return list(self.offer.regions or [])


def approved_providers(call: Call) -> list[Provider]:
    """Every approved provider of the call with its offer, by name."""
    from app.applications.models import Application, ApplicationState, VoucherOffer

    applications = db.session.scalars(
        select(Application)
        .join(VoucherOffer, VoucherOffer.application_id == Application.id)
        .where(Application.call_id == call.id, Application.state == ApplicationState.approved)
        .options(joinedload(Application.organisation), joinedload(Application.voucher_offer),
                 joinedload(Application.created_by))
    ).unique().all()
    providers = [Provider(application_id=a.id, organisation=a.organisation,
                          offer=a.voucher_offer, text_language=_language_of(a))
                 for a in applications]
    _add_outcomes(call, providers)
    return sorted(providers, key=lambda p: (p.name.casefold(), p.application_id))


def _language_of(application) -> str | None:
    """The applicant's language (the writer's interface language), as the decision document
    takes it: a provider writes its offer in its own language."""
    writer = application.created_by
    language = getattr(writer, "language", None)
    return language if language in ("fi", "sv", "en") else None


def _add_outcomes(call: Call, providers: list[Provider]) -> None:
    """Each provider's figures summed over the accepted reports of the call's projects."""
    from app.projects.models import Project, Report, ReportState

    if not providers:
        return
    by_org = {str(p.organisation.id): p for p in providers}
    for provider in providers:
        provider.outcomes = {key: 0 for key in OUTCOME_KEYS}
    rows = db.session.scalars(
        select(Report.vouchers)
        .join(Project, Project.id == Report.project_id)
        .where(Project.call_id == call.id, Report.state == ReportState.accepted))
    for vouchers in rows:
        for org_id, figures in ((vouchers or {}).get("providers") or {}).items():
            provider = by_org.get(str(org_id))
            if provider is None:
                continue
            for key in OUTCOME_KEYS:
                provider.outcomes[key] += max(int((figures or {}).get(key) or 0), 0)


def filtered(providers: list[Provider], language: str | None = None,
             region: str | None = None) -> list[Provider]:
    """The providers that give the service in `language` and serve `region` (None: any)."""
    return [p for p in providers
            if (not language or language in p.languages)
            and (not region or region in p.regions)]


def sort_providers(providers: list[Provider], key: str) -> list[Provider]:
    """By name (the default) or by capacity, largest first."""
    if key == "capacity":
        return sorted(providers, key=lambda p: (-(p.offer.capacity or 0), p.name.casefold()))
    return providers
