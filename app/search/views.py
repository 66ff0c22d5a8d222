"""The public search page: /search. Works without JavaScript; htmx swaps the results live.

Rate limit (issue 13 §3), per client address, in the limiter's storage (shared by every worker
and host when RATELIMIT_STORAGE_URI names Redis): `RATE_LIMITS["search"]` new searches (60 a
minute: a person never meets it), shared with the search feed. A request with the same path and
query string as one this client made within REPEAT_SECONDS costs nothing against it: htmx sends
one request per settled query (the box waits for a pause in typing), but a reload, Enter
pressed twice or a returning page must not count twice. So that repeats cannot be sent without
end either, `RATE_LIMITS["search_all"]` counts every request. Over a limit: 429 with
Retry-After; the page says so in the user's language, and an htmx request gets a note inside
the results region (the typed words stay in the box).
"""

from __future__ import annotations

import hashlib
import logging
import time

from flask import Blueprint, current_app, g, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from limits import RateLimitItemPerSecond
from limits.strategies import FixedWindowRateLimiter

from app.core.errors import render_error
from app.core.htmx import is_htmx, render_page_or_fragment
from app.core.pagination import page_arg
from app.extensions import limiter
from app.search.analysis import MAX_QUERY_CHARS
from app.search.budget import Budget
from app.search.schema import FACETS
from app.search.service import SORTS, search_calls, search_organisations, search_practices

log = logging.getLogger(__name__)

bp = Blueprint("search", __name__)

PER_PAGE = 20
ORGANISATIONS_SHOWN = 5
CALLS_SHOWN = 5
EVENTS_SHOWN = 5
REPEAT_SECONDS = 10  # the same query string again within this counts once

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


# --- the rate limit -------------------------------------------------------------------------


def _new_search_limit() -> str:
    """Read at request time, so configuration (and tests) can change it."""
    return current_app.config["RATE_LIMITS"]["search"]


def _every_request_limit() -> str:
    return current_app.config["RATE_LIMITS"]["search_all"]


def _repeated() -> bool:
    """True when this client asked for this very path and query string within REPEAT_SECONDS
    of the request that counted (a window starts at the first request, so a repeat sent
    without pause still counts once per window)."""
    args = sorted(request.args.items(multi=True))
    digest = hashlib.sha256(repr((request.path, args)).encode()).hexdigest()[:32]
    try:
        first = FixedWindowRateLimiter(limiter.storage).hit(
            RateLimitItemPerSecond(1, REPEAT_SECONDS), "kohtaamo-search-seen",
            get_remote_address(), digest)
    except Exception:  # noqa: BLE001 - the storage is down: count it as a new search
        log.warning("search: rate limit storage unavailable", exc_info=True)
        return False
    return not first


def _new_search_cost() -> int:
    cost = g.get("_search_cost")
    if cost is None:
        cost = g._search_cost = 0 if _repeated() else 1
    return cost


def search_rate_limit(view):
    """The two search limits (see the module's docstring), for /search and the search feed."""
    view = limiter.shared_limit(_new_search_limit, scope="search", cost=_new_search_cost)(view)
    return limiter.shared_limit(_every_request_limit, scope="search-all")(view)


@bp.errorhandler(429)
def too_many_searches(error):
    reset_at = getattr(limiter.current_limit, "reset_at", None)
    seconds = max(1, int(reset_at - time.time()) + 1) if reset_at else 60
    message = _("You have searched very many times in a short time. Please wait %(seconds)d "
                "seconds and search again.", seconds=seconds)
    headers = {"Retry-After": str(seconds)}
    if request.endpoint == "search.index" and is_htmx():
        # Swapped into the results region (static/js/app.js lets X-Swap-Error answers swap).
        response = make_response(render_template("search/_limited.html", message=message), 429)
        response.headers.update(headers)
        response.headers["X-Swap-Error"] = "1"
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("HX-Request")
        return response
    return render_error(429, message, headers=headers)


# --- the page -------------------------------------------------------------------------------


@bp.get("/search")
@search_rate_limit
def index():
    budget = Budget.from_config()  # one for the whole page: models, organisations, calls
    q = request.args.get("q", "")[:MAX_QUERY_CHARS]
    facets = {name: request.args.getlist(name) for name in FACETS if name in request.args}
    sort = request.args.get("sort", "relevance")
    result = search_practices(q, facets, sort if sort in SORTS else "relevance", page_arg(),
                              PER_PAGE, budget=budget)
    organisations = None
    calls, calls_total = [], 0
    events, events_total = [], 0
    if q.strip() and result.page == 1:
        if budget.skip():
            result.truncated = True
        else:
            organisations = search_organisations(q, 1, ORGANISATIONS_SHOWN, budget=budget)
            calls, calls_total = search_calls(q, CALLS_SHOWN, budget=budget)
            from app.events.queries import search_events  # upcoming events, by SQL

            events, events_total = search_events(q, EVENTS_SHOWN)
            result.truncated = budget.truncated
    return render_page_or_fragment(
        "search/index.html",
        "search/_results.html",
        result=result,
        organisations=organisations,
        calls=calls,
        calls_total=calls_total,
        events=events,
        events_total=events_total,
        facet_titles=FACET_TITLES,
        sort_labels=SORT_LABELS,
        htmx_request=is_htmx(),
    )


from app.search import feeds  # noqa: E402,F401 - registers the feed routes on bp
