"""The public provider registry of a service-voucher call and its comparison page, for
jobseekers and employment counsellors: anyone may read it (no personal data: providers'
offers and aggregated outcomes, figures under 5 suppressed). Filters by language and region
are plain GET parameters, so the page works without JavaScript and can be linked and printed.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l

from app.calls import bp, providers
from app.calls.loaders import get_call_or_404
from app.core.codelists import REGIONS, TARGET_GROUPS
from app.core.pagination import ListPage, SortOption, page_arg, sort_arg

PER_PAGE = 50
SORTS = {
    "name": SortOption("name", _l("Provider name"), ()),
    "capacity": SortOption("capacity", _l("Capacity, largest first"), ()),
}


@bp.get("/calls/<int:call_id>/providers", endpoint="providers")
def providers_page(call_id: int):
    """The registry: every approved provider of a published service-voucher call, filtered
    by the language of the service and the region served; 404 for any other call."""
    from app.core.codelists import SERVICE_LANGUAGES
    from app.projects.indicators import suppress

    call = get_call_or_404(call_id)
    if not providers.has_registry(call):
        abort(404)
    language = request.args.get("language") or ""
    language = language if language in SERVICE_LANGUAGES else ""
    region = request.args.get("region") or ""
    region = region if region in REGIONS else ""
    sort = sort_arg(SORTS, "name")
    everyone = providers.approved_providers(call)
    shown = providers.sort_providers(providers.filtered(everyone, language, region), sort.key)
    pagination = ListPage.of(len(shown), page_arg(), PER_PAGE)
    return render_template(
        "calls/providers.html", call=call, providers=pagination.slice(shown),
        pagination=pagination, total=len(everyone), language=language, region=region,
        sort=sort.key, sorts=SORTS, service_languages=SERVICE_LANGUAGES,
        target_groups=TARGET_GROUPS, suppress=suppress,
        language_choices=[code for code in SERVICE_LANGUAGES.codes
                          if any(code in p.languages for p in everyone)],
        region_choices=[code for code in REGIONS.codes
                        if any(code in p.regions for p in everyone)])
