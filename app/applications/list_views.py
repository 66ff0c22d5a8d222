"""Application lists: the applicant's own (with next actions) and the call manager's list of a
call, with its CSV export."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.applications import bp, queries, sections
from app.applications.forms import ApplicationFilterForm
from app.applications.models import Application
from app.applications.permissions import is_conflicted
from app.calls import permissions as call_permissions
from app.calls.loaders import get_call_or_404
from app.core import spreadsheets
from app.core.codelists import ORGANISATION_TYPES, current_language
from app.core.htmx import is_htmx, render_page_or_fragment
from app.core.pagination import page_arg
from app.extensions import db

PER_PAGE = 25
neutralise = spreadsheets.neutralise  # a cell that a spreadsheet will not run as a formula


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


def csv_columns() -> list[str]:
    """The export's headers, in the user's language."""
    return [_("Application number"), _("Project"), _("Lead applicant"), _("Business ID"),
            _("Organisation type"), _("State"), _("First submitted"), _("Last submitted"),
            _("Revisions"), _("Partners"), _("Start date"), _("End date"),
            _("Staff costs (€)"), _("Flat rate (€)"), _("Total eligible cost (€)"),
            _("Support applied for (€)"), _("Support share (%)"), _("Municipal funding (€)"),
            _("Other public funding (€)"), _("Own public funding (€)"), _("Private funding (€)"),
            _("Own private funding (€)"), _("Participants' wages and allowances (€)"),
            _("Revenue (€)"),
            _("Target: participants"), _("Target: employed"), _("Target: started a business"),
            _("Target: in education or training")]


def _row(application: Application) -> list:
    """One application's cells: codes as labels, dates as the user's language writes them,
    money as Decimal euros (a number in the spreadsheet)."""
    totals = sections.totals(application)
    plan = totals.plan
    share = totals.support_share
    organisation = application.organisation
    euros = spreadsheets.euros
    return [
        application.id, application.project_name, organisation.name, organisation.business_id,
        ORGANISATION_TYPES.label(organisation.type), str(sections.STATE_LABELS[application.state]),
        spreadsheets.datetime_cell(application.first_submitted_at),
        spreadsheets.datetime_cell(application.submitted_at),
        application.revision_count,
        ", ".join(p.organisation.name for p in application.accepted_partners),
        spreadsheets.date_cell(application.start_date),
        spreadsheets.date_cell(application.end_date),
        euros(totals.staff_cents), euros(totals.flat_rate_cents), euros(totals.total_cents),
        euros(plan.get("support")), share,
        euros(plan.get("municipal")), euros(plan.get("other_public")),
        euros(plan.get("own_public")), euros(plan.get("private")), euros(plan.get("own")),
        euros(totals.participant_costs_cents), euros(totals.revenue_cents),
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
    columns = csv_columns()

    def rows():
        for application in db.session.scalars(queries.call_applications(call, state, org_type)):
            if is_conflicted(current_user, application):  # the title only: no figures
                yield [application.id, application.project_name] + [None] * (len(columns) - 2)
            else:
                yield _row(application)

    return spreadsheets.csv_response(columns, rows(), f"call-{call.id}-applications.csv")

