"""The public search page: /search. Works without JavaScript; htmx swaps the results live."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l

from app.core.htmx import is_htmx, render_page_or_fragment
from app.core.pagination import page_arg
from app.search.analysis import MAX_QUERY_CHARS
from app.search.schema import FACETS
from app.search.service import SORTS, search_calls, search_organisations, search_practices

bp = Blueprint("search", __name__)

PER_PAGE = 20
ORGANISATIONS_SHOWN = 5
CALLS_SHOWN = 5

FACET_TITLES = {
    "target_groups": _l("Target group"),
    "work_forms": _l("Form of work"),
    "regions": _l("Region"),
    "stage": _l("Development stage"),
    "evidence": _l("Evidence"),
    "org_type": _l("Organisation type"),
    "language": _l("Language"),
    "validated": _l("Validation"),
}
SORT_LABELS = {
    "relevance": _l("Best match"),
    "newest": _l("Newest first"),
    "adopted": _l("Most adopted"),
}


@bp.get("/search")
def index():
    q = request.args.get("q", "")[:MAX_QUERY_CHARS]
    facets = {name: request.args.getlist(name) for name in FACETS if name in request.args}
    sort = request.args.get("sort", "relevance")
    result = search_practices(q, facets, sort if sort in SORTS else "relevance", page_arg(),
                              PER_PAGE)
    organisations = None
    calls, calls_total = [], 0
    if q.strip() and result.page == 1:
        organisations = search_organisations(q, 1, ORGANISATIONS_SHOWN)
        calls, calls_total = search_calls(q, CALLS_SHOWN)
    return render_page_or_fragment(
        "search/index.html",
        "search/_results.html",
        result=result,
        organisations=organisations,
        calls=calls,
        calls_total=calls_total,
        facet_titles=FACET_TITLES,
        sort_labels=SORT_LABELS,
        htmx_request=is_htmx(),
    )


from app.search import feeds  # noqa: E402,F401 - registers the feed routes on bp
