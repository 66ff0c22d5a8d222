"""Event pages (issue 14 §3): the public list, the event page, the iCalendar files, the
organisation's own list, and creating, editing, publishing and cancelling events.

Registration, the waiting list and the participants are app/events/registration_views.py's;
the event page includes its block (events/_registration.html) where the form goes."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.calls.models import Call
from app.core.codelists import current_language
from app.core.forms import ActionForm
from app.core.htmx import render_page_or_fragment
from app.core.pagination import page_arg
from app.core.unit_of_work import perform
from app.events import bp, ics, permissions, queries, services
from app.events.forms import FORMAT_LABELS, KIND_LABELS, CancelForm, EventFilterForm, EventForm
from app.events.models import Event
from app.extensions import db
from app.organisations.permissions import membership_of
from app.practices.models import Practice

PER_PAGE = 20
MANAGE_PER_PAGE = 50


@bp.app_context_processor
def event_helpers() -> dict:
    """For every template: the labels, and the upcoming events of a call, a model or an
    organisation (one query; used by the call, model and organisation pages)."""
    return {"event_kind_labels": KIND_LABELS, "event_format_labels": FORMAT_LABELS,
            "upcoming_events": queries.upcoming_for, "event_perms": permissions}


def get_event_or_404(event_id: int, check=None) -> Event:
    """An event the user may see (else 404); `check` failing gives 403 to members of the
    organisation and 404 to everyone else."""
    event = queries.event_with_links(event_id)
    if event is None or not permissions.can_view_event(current_user, event):
        abort(404)
    if check is not None and not check(current_user, event):
        abort(403 if membership_of(current_user, event.organisation) is not None else 404)
    return event


# --- public ----------------------------------------------------------------------------------


@bp.get("/events")
def index():
    filters = queries.EventFilters.from_args(request.args)
    pagination = db.paginate(queries.public_events(filters), page=page_arg(),
                             per_page=PER_PAGE, error_out=False)
    organisation = call = None
    if filters.organisation_id is not None:
        from app.organisations.models import Organisation

        organisation = db.session.get(Organisation, filters.organisation_id)
    if filters.call_id is not None:
        call = db.session.get(Call, filters.call_id)
    return render_page_or_fragment(
        "events/index.html", "events/_list.html", pagination=pagination, filters=filters,
        counts=queries.registration_counts([e.id for e in pagination.items]),
        form=EventFilterForm(request.args), filter_organisation=organisation, filter_call=call,
        lang=current_language(), can_create=permissions.can_create_event(current_user))


@bp.get("/events.ics")
def feed_ics():
    body = ics.calendar(queries.feed_events(), name=_("Kohtaamo events"))
    response = Response(body, content_type=ics.CONTENT_TYPE)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/events/<int:event_id>")
def detail(event_id: int):
    event = get_event_or_404(event_id)
    call = db.session.get(Call, event.call_id) if event.call_id else None
    practice = db.session.get(Practice, event.practice_id) if event.practice_id else None
    return render_template(
        "events/detail.html", event=event,
        call=call if call is not None and call.state == "published" else None,
        practice=practice if practice is not None and practice.is_published else None,
        lang=current_language(), action_form=ActionForm(formdata=None))


@bp.get("/events/<int:event_id>.ics")
def event_ics(event_id: int):
    event = get_event_or_404(event_id)
    if event.state == "draft":
        abort(404)  # a draft is not in anyone's calendar
    response = Response(ics.calendar([event]), content_type=ics.CONTENT_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="event-{event.id}.ics"'
    return response


# --- the organisation's own events -----------------------------------------------------------


@bp.get("/events/manage")
@login_required
def manage():
    if not permissions.can_manage_events(current_user):
        abort(403)
    from app.organisations.services import memberships_by_organisation

    organisation_ids = list(memberships_by_organisation(current_user))
    pagination = db.paginate(queries.managed_events(organisation_ids), page=page_arg(),
                             per_page=MANAGE_PER_PAGE, error_out=False)
    counts = queries.registration_counts([e.id for e in pagination.items])
    return render_template("events/manage.html", pagination=pagination, counts=counts,
                           has_counts=True,
                           can_create=permissions.can_create_event(current_user))


def _form(event: Event | None, organisation, formdata=None) -> EventForm:
    practices = services.linkable_practices(organisation) if organisation is not None else []
    kwargs = {} if formdata is None else {"formdata": formdata}
    return EventForm(calls=services.linkable_calls(), practices=practices, **kwargs)


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
def create():
    organisations = permissions.event_organisations(current_user)
    if not organisations:
        abort(403)
    chosen = organisations[0]
    wanted = request.values.get("organisation_id", "")
    for organisation in organisations:
        if str(organisation.id) == wanted:
            chosen = organisation
    form = _form(None, chosen)
    status = 200
    if form.validate_on_submit():
        outcome = perform(lambda: services.create_event(current_user, chosen,
                                                        form.service_data()), form=form)
        if outcome.ok:
            flash(_l("The event has been saved as a draft. Publish it when it is ready."),
                  "success")
            return redirect(url_for("events.detail", event_id=outcome.value.id))
        status = outcome.status
    elif form.is_submitted():
        status = 422
    return render_template("events/form.html", form=form, event=None, organisation=chosen,
                           organisations=organisations), status


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit(event_id: int):
    event = get_event_or_404(event_id, check=permissions.can_edit_event)
    form = _form(event, event.organisation)
    if request.method == "GET":
        form.fill_from(event)
    status = 200
    current = None
    if form.validate_on_submit():
        from app.core.fields import parse_int

        outcome = perform(lambda: services.update_event(
            current_user, event, form.service_data(), parse_int(form.lock_version.data)),
            form=form)
        if outcome.ok:
            flash(_l("The changes have been saved."), "success")
            return redirect(url_for("events.detail", event_id=event.id))
        status = outcome.status
        if outcome.conflict:
            # What is saved now, beside what was typed; the next save overwrites it knowingly.
            event = get_event_or_404(event_id, check=permissions.can_edit_event)
            current = event
            form.lock_version.data = str(event.lock_version)
            if outcome.error is not None:  # a Conflict: the unit of work left the form alone
                form.form_errors = [*form.form_errors, outcome.message]
    elif form.is_submitted():
        status = 422
    return render_template("events/form.html", form=form, event=event, current=current,
                           organisation=event.organisation, organisations=[]), status


@bp.post("/events/<int:event_id>/publish")
@login_required
def publish(event_id: int):
    event = get_event_or_404(event_id, check=permissions.can_publish_event)
    if not ActionForm().validate_on_submit():
        abort(400)
    outcome = perform(lambda: services.publish_event(current_user, event))
    outcome.flash(_l("The event has been published."))
    return redirect(url_for("events.detail", event_id=event_id))


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(event_id: int):
    """A confirmation page with the reason; the POST cancels."""
    event = get_event_or_404(event_id, check=permissions.can_cancel_event)
    form = CancelForm()
    status = 200
    if form.validate_on_submit():
        outcome = perform(lambda: services.cancel_event(current_user, event, form.reason.data),
                          form=form)
        if outcome.ok:
            flash(_l("The event has been cancelled and the people registered are told."),
                  "success")
            return redirect(url_for("events.detail", event_id=event_id))
        status = outcome.status
    elif form.is_submitted():
        status = 422
    return render_template("events/cancel.html", form=form, event=event,
                           counts=queries.registration_counts([event.id])), status
