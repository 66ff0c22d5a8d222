"""Application lists: the applicant's own (with next actions) and the call manager's list of a
call, with its CSV export."""

from __future__ import annotations

import csv
import io

from flask import Response, request
from flask_login import current_user, login_required

from app.applications import bp, queries, sections
from app.applications.forms import ApplicationFilterForm
from app.applications.models import Application
from app.applications.permissions import is_conflicted
from app.calls import permissions as call_permissions
from app.calls.loaders import get_call_or_404
from app.core.codelists import ORGANISATION_TYPES, current_language
from app.core.htmx import is_htmx, render_page_or_fragment
from app.core.money import cents_to_decimal
from app.core.pagination import page_arg
from app.core.templating import local_datetime
from app.extensions import db

PER_PAGE = 25
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def my_applications_context(user, per_page: int = PER_PAGE) -> dict:
    """What `applications/_my_applications.html` needs, for this page or for a dashboard that
    includes the partial with these variables."""
    from app.core import clock
    from app.organisations.services import memberships_by_organisation

    organisation_ids = list(memberships_by_organisation(user))
    pagination = db.paginate(queries.my_applications(organisation_ids), page=page_arg(),
                             per_page=per_page, error_out=False)
    groups: list[tuple] = []
    for application in pagination.items:  # already in the order of queries.STATE_ORDER
        if not groups or groups[-1][0] != application.state:
            groups.append((application.state, []))
        groups[-1][1].append(application)
    return {"pagination": pagination, "groups": groups, "organisation_ids": set(organisation_ids),
            "state_labels": sections.STATE_LABELS, "now": clock.now(),
            "lang": current_language()}


@bp.get("/calls/applications/mine")
@login_required
def applications_mine():
    """The applications of the user's organisations, what needs them first."""
    return render_page_or_fragment("applications/mine.html", "applications/_my_applications.html",
                                   **my_applications_context(current_user))


def _filters(call) -> tuple[ApplicationFilterForm, str | None, str | None]:
    states = [(s.value, sections.STATE_LABELS[s]) for s in queries.MANAGER_STATES]
    form = ApplicationFilterForm(request.args, states=states)
    state = request.args.get("state") or None
    if state not in {s.value for s in queries.MANAGER_STATES}:
        state = None
    org_type = request.args.get("type") or None
    if org_type not in ORGANISATION_TYPES:
        org_type = None
    return form, state, org_type


@bp.get("/calls/<int:call_id>/applications")
@login_required
def call_applications(call_id: int):
    call = get_call_or_404(call_id, check=call_permissions.can_list_applications)
    form, state, org_type = _filters(call)
    pagination = db.paginate(queries.call_applications(call, state, org_type), page=page_arg(),
                             per_page=PER_PAGE, error_out=False)
    # A call manager conflicted on an application sees its title only (no amounts, no figures).
    rows = [(a, None) if is_conflicted(current_user, a) else (a, sections.totals(a))
            for a in pagination.items]
    return render_page_or_fragment(
        "applications/call_applications.html",
        "applications/_call_applications_table.html",
        call=call,
        form=form,
        pagination=pagination,
        rows=rows,
        htmx_request=is_htmx(),
        state=state,
        org_type=org_type,
    )


def neutralise(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _euros(cents: int | None) -> str:
    # Finnish Excel reads "1234,56" as a number; no thousands separator.
    return "" if cents is None else str(cents_to_decimal(cents)).replace(".", ",")


CSV_HEADER = (
    "id", "project_name", "organisation", "business_id", "organisation_type", "state",
    "first_submitted_at", "last_submitted_at", "revisions", "partners", "start_date", "end_date",
    "staff_costs_eur", "flat_rate_eur", "total_cost_eur", "support_eur", "support_share_percent",
    "municipal_eur", "other_public_eur", "private_eur", "own_eur", "target_participants",
    "target_employed", "target_business_started", "target_in_education",
)


def _row(application: Application) -> list[str]:
    totals = sections.totals(application)
    plan = totals.plan
    share = totals.support_share
    organisation = application.organisation
    return [
        application.id, application.project_name, organisation.name, organisation.business_id,
        organisation.type, application.state.value,
        local_datetime(application.first_submitted_at, "yyyy-MM-dd HH:mm"),
        local_datetime(application.submitted_at, "yyyy-MM-dd HH:mm"),
        application.revision_count,
        ", ".join(p.organisation.name for p in application.accepted_partners),
        application.start_date or "", application.end_date or "",
        _euros(totals.staff_cents), _euros(totals.flat_rate_cents), _euros(totals.total_cents),
        _euros(plan.get("support")), "" if share is None else str(share).replace(".", ","),
        _euros(plan.get("municipal")), _euros(plan.get("other_public")),
        _euros(plan.get("private")), _euros(plan.get("own")),
        application.target_participants, application.target_employed,
        application.target_business_started, application.target_in_education,
    ]


@bp.get("/calls/<int:call_id>/applications.csv")
@login_required
def call_applications_csv(call_id: int):
    """Every application of the call matching the filters: UTF-8 with a BOM and semicolons, as
    Excel expects in Finland; formulas neutralised."""
    call = get_call_or_404(call_id, check=call_permissions.can_list_applications)
    _form, state, org_type = _filters(call)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for application in db.session.scalars(queries.call_applications(call, state, org_type)):
        if is_conflicted(current_user, application):  # the title only: no figures
            cells = [application.id, application.project_name] + [""] * (len(CSV_HEADER) - 2)
        else:
            cells = _row(application)
        writer.writerow([neutralise(cell) for cell in cells])
    filename = f"call-{call.id}-applications.csv"
    return Response(out.getvalue().encode("utf-8"),
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "private, no-store",
                             "X-Content-Type-Options": "nosniff"},
                    content_type="text/csv; charset=utf-8")

