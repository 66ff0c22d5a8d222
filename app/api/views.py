"""The API's endpoints: read the parameters, query, serialise. GET only, public data only; the
answer is the same whoever asks (a signed-in browser sees nothing more)."""

from __future__ import annotations

from flask import abort, request

from app.api import bp, openapi, params, queries, serializers
from app.api.responses import json_response
from app.core import clock
from app.core.codelists import ORGANISATION_TYPES, REGIONS
from app.search.analysis import MAX_QUERY_CHARS
from app.search.schema import FACETS
from app.search.service import SORTS, facet_codes, search_practices

CALL_PHASES = ("open", "upcoming", "closed")


def _listing(pagination, items: list) -> dict:
    return serializers.page(items, pagination.total or 0, pagination.page, pagination.per_page,
                            pagination.pages)


# --- service models ---------------------------------------------------------------------------


@bp.get("/practices")
def practices():
    """Published service models: the /search page's query, facets and sorting, as JSON."""
    paging = params.paging()
    q = params.text("q", MAX_QUERY_CHARS)
    sort = params.choice("sort", SORTS, "relevance")
    chosen = {name: params.codes(name, facet_codes(name)) for name in FACETS}
    language = params.language()
    # The hits are checked against the database by practice_extras (published, with a version).
    result = search_practices(q, {k: v for k, v in chosen.items() if v}, sort, paging.page,
                              paging.per_page, language=language, recheck=False)
    if not result.available:
        abort(503, description="The search index is not available at the moment. "
                               "Try again in a minute.")
    extras = queries.practice_extras([hit.id for hit in result.hits])
    # A model unpublished since the search ran has no extras: it is left out.
    items = [serializers.practice_hit(hit, extras[hit.id]) for hit in result.hits
             if hit.id in extras]
    return json_response(serializers.page(
        items, result.total, result.page, result.per_page, result.pages,
        query=q, sort=result.sort, suggestion=result.suggestion,
        facets=serializers.facets(result.facets),
    ))


@bp.get("/practices/<int:practice_id>")
def practice(practice_id: int):
    found = queries.published_practice(practice_id)
    if found is None:
        abort(404, description="There is no published service model with this id.")
    return json_response(serializers.practice_detail(found))


# --- organisations ----------------------------------------------------------------------------


@bp.get("/organisations")
def organisations():
    """Verified organisations by name; filters: type, region (repeatable), q (in the name)."""
    paging = params.paging()
    stmt = queries.verified_organisations(
        q=params.text("q"),
        types=params.codes("type", ORGANISATION_TYPES),
        regions=params.codes("region", REGIONS),
    )
    pagination = queries.paginate(stmt, paging.page, paging.per_page)
    return json_response(_listing(pagination,
                                  [serializers.organisation(o) for o in pagination.items]))


@bp.get("/organisations/<int:organisation_id>")
def organisation(organisation_id: int):
    found = queries.verified_organisation(organisation_id)
    if found is None:
        abort(404, description="There is no verified organisation with this id.")
    return json_response(serializers.organisation(found))


# --- calls ------------------------------------------------------------------------------------


@bp.get("/calls")
def calls():
    """Published calls; `phase` (open, upcoming, closed) by the server's clock."""
    paging = params.paging()
    phase = params.choice("phase", CALL_PHASES)
    now = clock.now()
    pagination = queries.paginate(queries.published_calls(phase, now), paging.page,
                                  paging.per_page)
    return json_response(_listing(pagination,
                                  [serializers.call(c, now) for c in pagination.items]))


@bp.get("/calls/<int:call_id>")
def call(call_id: int):
    found = queries.published_call(call_id)
    if found is None:
        abort(404, description="There is no published call with this id.")
    return json_response(serializers.call(found, clock.now()))


# --- projects ---------------------------------------------------------------------------------


@bp.get("/projects")
def projects():
    """Funded projects: approved applications, the most recently approved first."""
    paging = params.paging()
    pagination = queries.paginate(queries.projects(), paging.page, paging.per_page)
    return json_response(_listing(pagination,
                                  [serializers.project(a) for a in pagination.items]))


@bp.get("/projects/<int:project_id>")
def project(project_id: int):
    found = queries.project(project_id)
    if found is None:
        abort(404, description="There is no funded project with this id.")
    return json_response(serializers.project(found))


# --- the description --------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi_document():
    return json_response(openapi.document(request.url_root))
