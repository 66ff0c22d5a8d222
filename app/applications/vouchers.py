"""The provider offer of an application in a service-voucher call: a provider (a staffing firm,
an NGO, a company, a social enterprise…) applies to be approved, and says in plain language
what jobseekers get (service, method, languages, locations, regions served, capacity,
accessibility, contact). Once the application is approved the offer is in the call's public
provider registry (app.calls.providers). Approval grants no support: the vouchers pay the
provider.

Plain functions: they check their actor, flush and write the audit log; the view commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.applications.models import Application, VoucherOffer
from app.auth.models import User
from app.calls.models import FundingModel
from app.core import audit, clock
from app.core.codelists import REGIONS, SERVICE_LANGUAGES
from app.core.domain import DomainError

MAX_SERVICE = 2_000
MAX_TEXT = 1_000
MAX_CONTACT = 300
MAX_CAPACITY = 10_000
TEXT_FIELDS = ("service", "method", "locations", "accessibility", "contact")


@dataclass
class OfferInput:
    service: str = ""
    method: str = ""
    languages: list[str] = field(default_factory=list)
    locations: str = ""
    regions: list[str] = field(default_factory=list)
    capacity: int | None = None
    accessibility: str = ""
    contact: str = ""


def is_voucher_call(application: Application) -> bool:
    return application.call.funding_model == FundingModel.service_voucher


def _text(value: str | None, limit: int, name: str) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise DomainError(_l("Use at most %(n)s characters.", n=limit), field=name)
    return text


def save_offer(user: User, application: Application, values: OfferInput,
               now: datetime | None = None) -> VoucherOffer:
    """Save the provider offer (a draft may be incomplete: the checklist says what is
    missing before it can be submitted)."""
    from app.applications.services import _touch, require_writer

    now = clock.resolve(now)
    require_writer(user, application)
    if not is_voucher_call(application):
        raise DomainError(_l("Only an application in a service-voucher call has a provider "
                             "offer."))
    unknown = [code for code in values.languages if code not in SERVICE_LANGUAGES]
    if unknown:
        raise DomainError(_l("Choose the languages from the list."), field="languages")
    unknown = [code for code in values.regions if code not in REGIONS]
    if unknown:
        raise DomainError(_l("Choose the regions from the list."), field="regions")
    capacity = values.capacity
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        raise DomainError(_l("Enter how many jobseekers you can serve at a time, from 1 to "
                             "%(max)s.", max=MAX_CAPACITY), field="capacity")
    clean = {
        "service": _text(values.service, MAX_SERVICE, "service"),
        "method": _text(values.method, MAX_SERVICE, "method"),
        "locations": _text(values.locations, MAX_TEXT, "locations"),
        "accessibility": _text(values.accessibility, MAX_TEXT, "accessibility"),
        "contact": " ".join(_text(values.contact, MAX_CONTACT, "contact").split()),
        "languages": SERVICE_LANGUAGES.clean(values.languages),
        "regions": REGIONS.clean(values.regions),
        "capacity": capacity,
    }
    offer = application.voucher_offer
    if offer is None:
        offer = VoucherOffer(**clean)
        application.voucher_offer = offer
        changed = sorted(name for name, value in clean.items() if value)
    else:
        changed = sorted(name for name, value in clean.items()
                         if getattr(offer, name) != value)
        for name in changed:
            setattr(offer, name, clean[name])
    # Approval grants no support: nothing of the funding plan applies.
    application.support_cents = 0
    _touch(user, application, now)
    if changed:
        audit.record("application.voucher_offer_saved", actor=user, obj=application,
                     organisation=application.organisation, fields=changed)
    return offer


def missing(offer: VoucherOffer | None) -> list[tuple[str, object]]:
    """(field, message) of every essential the offer still lacks."""
    result = []
    offer = offer or VoucherOffer(languages=[], regions=[])
    if not (offer.service or "").strip():
        result.append(("service", _l("Describe the service in plain language.")))
    if not (offer.method or "").strip():
        result.append(("method", _l("Say how the service works.")))
    if not offer.languages:
        result.append(("languages", _l("Choose at least one language the service is "
                                        "given in.")))
    if not (offer.locations or "").strip():
        result.append(("locations", _l("Say where the service is given (towns, addresses or "
                                       "remote).")))
    if not offer.regions:
        result.append(("regions", _l("Choose at least one region you serve.")))
    if not offer.capacity:
        result.append(("capacity", _l("Say how many jobseekers you can serve at a time.")))
    if not (offer.accessibility or "").strip():
        result.append(("accessibility", _l("Describe the accessibility of the service.")))
    if not (offer.contact or "").strip():
        result.append(("contact", _l("Give a contact for jobseekers and counsellors.")))
    return result


def problems(application: Application) -> list:
    """What stops a provider's application from being submitted: the essentials of its
    offer."""
    from app.applications.sections import Problem

    return [Problem(f"offer-{name}", message, "offer")
            for name, message in missing(application.voucher_offer)]


def snapshot(application: Application) -> dict | None:
    """The offer as plain JSON values, for the application's revisions."""
    offer = application.voucher_offer
    if offer is None:
        return None
    return {"service": offer.service, "method": offer.method,
            "languages": list(offer.languages or []), "locations": offer.locations,
            "regions": list(offer.regions or []), "capacity": offer.capacity,
            "accessibility": offer.accessibility, "contact": offer.contact}
