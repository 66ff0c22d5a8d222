"""The partner finder (public) and the organisation picker of the partner invitation forms.

Both only read: verified organisations that have not ceased, with what the directory already
shows of them (no contact details beyond the public profile).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request, url_for
from flask_login import login_required

from app.core.fields import parse_int
from app.core.htmx import is_htmx, render_page_or_fragment
from app.core.pagination import page_arg
from app.extensions import db
from app.organisations.models import Organisation
from app.partners import bp, finder

PER_PAGE = 20
# What the picker sets in each form: the name of the hidden field the invitation view reads.
PICK_TARGETS = {"application": "organisation_id", "practice": "organisation"}


@bp.get("/partners", endpoint="finder")
def finder_page():
    flt = finder.FinderFilter.from_args(request.args)
    pagination = db.paginate(finder.finder_query(flt), page=page_arg(), per_page=PER_PAGE,
                             error_out=False)
    ids = [org.id for org in pagination.items]
    words = flt.words
    return render_page_or_fragment(
        "partners/finder.html",
        "partners/_finder_results.html",
        flt=flt,
        pagination=pagination,
        facets=finder.FACETS,
        counts=finder.facet_counts(flt),
        sorts=finder.SORTS,
        open_calls=finder.open_partner_call_counts(ids),
        excerpts={org.id: finder.excerpt(org.expertise or org.description, words)
                  for org in pagination.items},
        names={org.id: finder.marked(org.display_name, words) for org in pagination.items},
        removals=[(label, _without(param, value)) for param, value, label in flt.removals()],
        htmx_request=is_htmx(),
    )


def _without(param: str, value: str) -> str:
    """The finder's current URL without one chosen value (and back on the first page)."""
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    args[param] = [v for v in args.get(param, []) if v != value and param != "q"]
    query = urlencode({k: v for k, v in args.items() if v}, doseq=True)
    return url_for("partners.finder") + (f"?{query}" if query else "")


@bp.get("/partners/pick")
@login_required
def pick():
    """Suggestions for a partner form's organisation input (`q`, or the application form's
    `business_id`), or with `id` the chosen organisation as a hidden field."""
    target = request.args.get("for", "application")
    if target not in PICK_TARGETS:
        target = "application"
    chosen = None
    chosen_id = parse_int(request.args.get("id"), max_digits=9)
    if chosen_id is not None:
        chosen = db.session.get(Organisation, chosen_id)
        if chosen is not None and (not chosen.is_verified or chosen.is_ceased()):
            chosen = None  # only what the picker could have offered
    q = (request.args.get("q") or request.args.get("business_id") or "")[:finder.MAX_QUERY_CHARS]
    candidates = [] if chosen_id is not None else finder.pick_candidates(q)
    context = {
        "target": target,
        "field_name": PICK_TARGETS[target],
        "q": q.strip(),
        "too_short": len(q.strip()) < finder.PICK_MIN_CHARS,
        "candidates": candidates,
        "chosen": chosen,
        "chosen_id": chosen_id,
        "oob": is_htmx(),
    }
    if chosen_id is not None:
        fragment = "partners/_pick_choice.html"
    else:
        fragment = "partners/_pick_results.html"
    return render_page_or_fragment("partners/pick.html", fragment, **context)
