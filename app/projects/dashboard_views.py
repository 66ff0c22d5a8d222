"""The follow-up of funded projects: a call's projects dashboard (with its CSV and XLSX
exports of the indicator data), and the list of the calls whose projects I follow. For the
call managers of the call's ELY-centre and national observers; everyone else gets 404."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user, login_required

from app.core import clock
from app.core.codelists import current_language
from app.core.pagination import ListPage, page_arg, per_page_arg
from app.extensions import db
from app.projects import bp, dashboard, exports, indicators
from app.projects.loaders import get_dashboard_call_or_404

PER_PAGE = 25
FOLLOW_UP_PER_PAGE = 20


@bp.app_context_processor
def _follow_up_nav() -> dict:
    # A callable: nothing is queried unless the header asks.
    def follow_up_nav_url() -> str | None:
        if dashboard.follows_any_call(current_user):
            return url_for("projects.follow_up")
        return None

    return {"follow_up_nav_url": follow_up_nav_url}


def _dashboard_of(call):
    order = request.args.get("order")
    return dashboard.call_dashboard(
        call, current_user._get_current_object(), clock.local_date(clock.now()),
        sort=request.args.get("sort"), descending={"asc": False, "desc": True}.get(order),
        filters=dashboard.Filters.from_args(request.args))


@bp.get("/calls/<int:call_id>/projects", endpoint="dashboard")
@login_required
def dashboard_page(call_id: int):
    """The call's projects: state, reports due and to review, figures against targets and
    money, with filters, sorting and pages."""
    call = get_dashboard_call_or_404(call_id)
    board = _dashboard_of(call)
    pager = ListPage.of(len(board.rows), page_arg(), per_page_arg(PER_PAGE))
    return render_template(
        "projects/dashboard.html", call=call, lang=current_language(), board=board,
        rows=pager.slice(board.rows), pager=pager, sorts=dashboard.SORTS,
        state_labels=dashboard.STATE_LABELS, target_labels=dashboard.TARGET_LABELS,
        targets=indicators.TARGETS, today=clock.local_date(clock.now()))


@bp.get("/calls/<int:call_id>/projects.<any(csv, xlsx):fmt>")
@login_required
def dashboard_export(call_id: int, fmt: str):
    call = get_dashboard_call_or_404(call_id)
    board = _dashboard_of(call)
    return exports.dashboard_csv(board) if fmt == "csv" else exports.dashboard_xlsx(board)


@bp.get("/follow-up")
@login_required
def follow_up():
    """The published calls whose projects I follow, with project, overdue and to-review
    counts."""
    pagination = db.paginate(dashboard.followed_calls_query(current_user), page=page_arg(),
                             per_page=FOLLOW_UP_PER_PAGE, error_out=False)
    rows = dashboard.followed_counts(current_user, list(pagination.items),
                                     clock.local_date(clock.now()))
    return render_template("projects/dashboard_calls.html", pagination=pagination, rows=rows,
                           lang=current_language())
