"""Objects as the API's JSON: public fields only, chosen field by field (never a model's
whole row), times in ISO 8601 UTC, money in cents and as a decimal string, URLs absolute."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import urlencode

from flask import current_app, request, url_for

from app.calls.models import LANGS, Call, CallPhase, Criterion
from app.core.markdown import render_markdown
from app.core.money import cents_to_decimal
from app.organisations.models import Organisation
from app.organisations.partnership import PartnerState
from app.practices.models import SECTIONS, Practice

# --- values ---------------------------------------------------------------------------------


def iso(value: datetime | date | None) -> str | None:
    """`2025-03-01T08:00:00Z` (whole seconds); a date counts as midnight UTC."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def euros(cents: int | None) -> str | None:
    """Cents as a decimal string of euros: 123456 -> "1234.56"."""
    return None if cents is None else str(cents_to_decimal(cents))


def markdown(text: str | None) -> dict:
    """User Markdown as written and as sanitised HTML."""
    return {"markdown": text or "", "html": str(render_markdown(text))}


def organisation_ref(organisation: Organisation | None) -> dict | None:
    if organisation is None:
        return None
    return {"id": organisation.id, "name": organisation.name,
            "url": url_for("organisations.detail", org_id=organisation.id, _external=True),
            "api_url": url_for("api.organisation", organisation_id=organisation.id,
                               _external=True)}


def _page_url(endpoint: str, **values) -> str | None:
    """An absolute URL of an HTML page, None while the page does not exist yet."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, _external=True, **values)


# --- lists ----------------------------------------------------------------------------------


def links(pagination_page: int, pages: int, per_page: int) -> dict:
    """self, first, last, prev and next as absolute URLs that keep the query parameters."""
    last = max(pages, 1)

    def page_url(number: int) -> str:
        args = request.args.copy()
        args.setlist("page", [str(number)])
        if "per_page" in args:
            args.setlist("per_page", [str(per_page)])
        base = url_for(request.endpoint, _external=True, **(request.view_args or {}))
        return f"{base}?{urlencode(list(args.items(multi=True)))}"

    return {
        "self": page_url(pagination_page),
        "first": page_url(1),
        "last": page_url(last),
        "prev": page_url(min(pagination_page - 1, last)) if pagination_page > 1 else None,
        "next": page_url(pagination_page + 1) if pagination_page < last else None,
    }


def page(items: list, total: int, page_number: int, per_page: int, pages: int,
         **extra) -> dict:
    return {
        "total": total,
        "page": page_number,
        "per_page": per_page,
        "pages": pages,
        "links": links(page_number, pages, per_page),
        **extra,
        "items": items,
    }


# --- service models ---------------------------------------------------------------------------


def practice_url(practice_id: int, slug: str | None) -> str:
    return url_for("practices.detail", practice_id=practice_id, slug=slug or "malli",
                   _external=True)


def practice_hit(hit, extras: dict) -> dict:
    """A search hit (app.search.service.Hit) with what the database adds
    (queries.practice_extras)."""
    return {
        "id": hit.id,
        "external_id": extras.get("external_id"),
        "title": hit.title,
        "language": hit.language or None,
        "summary": extras.get("summary", ""),
        "organisation": {"id": hit.organisation_id, "name": hit.organisation,
                         "type": hit.org_type or None},
        "target_groups": list(hit.target_groups),
        "work_forms": list(hit.work_forms),
        "regions": list(hit.regions),
        "stage": hit.stage or None,
        "evidence": hit.evidence or None,
        "tags": list(hit.tags),
        "validated": hit.validated,
        "adoption_count": hit.adoption_count,
        "published_at": iso(hit.published_at),
        "excerpt_html": str(hit.excerpt),
        "url": practice_url(hit.id, extras.get("slug")),
        "api_url": url_for("api.practice", practice_id=hit.id, _external=True),
    }


def facets(found: dict) -> dict:
    return {
        name: [{"code": v.code, "label": v.label, "count": v.count, "selected": v.selected}
               for v in values]
        for name, values in found.items()
    }


def practice_detail(practice: Practice) -> dict:
    """Everything public about a published model, from its current published version."""
    version = practice.current_version
    content = version.content
    validation = None
    if practice.validated_at is not None:
        validator = practice.validated_by_organisation
        validation = {
            # The organisation vouches for the model; the person who clicked is not public here.
            "organisation": ({"id": validator.id, "name": validator.name}
                             if validator is not None else None),
            "validated_at": iso(practice.validated_at),
            # The validation belongs to a version: a later one is not validated until it is
            # validated again ("validated" below says whether the current one is).
            "version": practice.validated_version,
            "statement": practice.validation_statement or "",
        }
    partners = sorted((p for p in practice.partners if p.state == PartnerState.accepted),
                      key=lambda p: (p.organisation.name.lower(), p.organisation_id))
    return {
        "id": practice.id,
        "external_id": practice.external_id,
        "title": content.get("title", ""),
        "language": content.get("language") or practice.language,
        "summary": content.get("summary", ""),
        "organisation": {**organisation_ref(practice.organisation),
                         "type": practice.organisation.type},
        "target_groups": list(content.get("target_groups") or []),
        "work_forms": list(content.get("work_forms") or []),
        "regions": list(content.get("regions") or []),
        "stage": content.get("stage") or None,
        "evidence": content.get("evidence") or None,
        "tags": list(content.get("tags") or []),
        "sections": {name: markdown(content.get(name, "")) for name in SECTIONS},
        "partners": [organisation_ref(p.organisation) for p in partners],
        "adoption_count": practice.adoption_count or 0,
        "adoptions": [
            {"organisation": organisation_ref(a.organisation), "regions": list(a.regions or []),
             "since": a.since.isoformat() if a.since else None}
            for a in sorted(practice.adoptions, key=lambda a: (a.organisation.name.lower(), a.id))
        ],
        "validated": practice.validated_current_version,
        "validation": validation,
        "version": version.number,
        "versions_count": practice.version_count,
        # As in search: a model is as new as its first publication (imports keep theirs).
        "published_at": iso(practice.first_published_on or practice.published_at),
        "updated_at": iso(version.created_at),
        "attachments": [
            {"filename": a.filename, "content_type": a.content_type, "size": a.size,
             "url": url_for("practices.attachment_download", practice_id=practice.id,
                            attachment_id=a.id, _external=True)}
            for a in practice.attachments_of_version(version.number)
        ],
        "url": practice_url(practice.id, practice.slug),
    }


# --- organisations ----------------------------------------------------------------------------


def organisation(org: Organisation) -> dict:
    """The public profile, as its page shows it: never members, users or their e-mails
    (`contact_email` is the organisation's own public address, shown on the page)."""
    return {
        "id": org.id,
        "name": org.name,
        "business_id": org.business_id,
        "type": org.type,
        "description": org.description or "",
        "expertise": org.expertise or "",
        "website": org.website or None,
        "contact_email": org.contact_email or None,
        "regions": list(org.regions),
        "target_groups": list(org.target_groups),
        "verified_at": iso(org.verified_at),
        "url": url_for("organisations.detail", org_id=org.id, _external=True),
        "api_url": url_for("api.organisation", organisation_id=org.id, _external=True),
    }


# --- calls ------------------------------------------------------------------------------------


def _in_languages(obj, name: str) -> dict:
    return {lang: getattr(obj, f"{name}_{lang}") or "" for lang in LANGS}


def criterion(c: Criterion) -> dict:
    return {
        "kind": c.kind.value,
        "title": c.title,
        "guidance": c.guidance or "",
        "scored": c.is_scored,
        "scale_max": c.scale_max,
        "weight": c.weight if c.is_scored else None,
    }


def call(c: Call, now: datetime) -> dict:
    phase: CallPhase = c.phase(now)
    outcome = c.funding_model.value == "outcome_based"
    return {
        "id": c.id,
        "title": _in_languages(c, "title"),
        "description": _in_languages(c, "description"),
        "organisation": organisation_ref(c.organisation),
        "theme": c.theme or "",
        "opens_at": iso(c.opens_at),
        "closes_at": iso(c.closes_at),
        "phase": phase.value,
        "total_budget_cents": c.total_budget_cents,
        "total_budget_euros": euros(c.total_budget_cents),
        "max_support_percent": c.max_support_percent,
        "eligible_types": list(c.eligible_types or []),
        "funding_model": c.funding_model.value,
        "outcome_fee_cents": c.outcome_fee_cents if outcome else None,
        "outcome_fee_euros": euros(c.outcome_fee_cents) if outcome else None,
        "min_employment_months": c.min_employment_months if outcome else None,
        "criteria": [criterion(x) for x in c.criteria],
        "published_at": iso(c.published_at),
        "url": url_for("calls.detail", call_id=c.id, _external=True),
        "api_url": url_for("api.call", call_id=c.id, _external=True),
    }


# --- projects ---------------------------------------------------------------------------------


def project(application) -> dict:
    """An approved application as a public project: who, in which call, what for. Never the
    budget lines (salaries), the funding plan, the people or the review."""
    call_ = application.call
    practices = [link.practice for link in application.practice_links
                 if link.practice is not None and link.practice.is_published
                 and link.practice.current_version is not None]
    return {
        "id": application.id,
        "name": application.project_name,
        "summary": application.summary or "",
        "target_group": application.target_group or "",
        "lead_organisation": organisation_ref(application.organisation),
        "partners": [organisation_ref(p.organisation) for p in application.accepted_partners],
        "call": {"id": call_.id, "title": _in_languages(call_, "title"),
                 "url": url_for("calls.detail", call_id=call_.id, _external=True)},
        "start_date": iso_date(application.start_date),
        "end_date": iso_date(application.end_date),
        "approved_at": iso(application.decided_at),
        "practices": [{"id": p.id, "title": p.current_version.title,
                       "url": practice_url(p.id, p.slug)} for p in practices],
        "url": _page_url("projects.detail", project_id=application.id),
        "api_url": url_for("api.project", project_id=application.id, _external=True),
    }
