"""Routes of event registration (thin: a form in, one service call inside perform(), a page
out) and of the organiser's participant pages.

Links in mails carry their token in the query string (`?t=`), which the request log leaves
out. Following a link (GET) only shows a page; the button on it (POST) confirms or cancels,
so a mail scanner or a link prefetcher changes nothing.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.core import spreadsheets
from app.core.forms import ActionForm
from app.core.pagination import SortOption, page_arg, sort_arg
from app.core.unit_of_work import perform
from app.events import bp
from app.events import registration as reg
from app.events.models import Event, EventRegistration, EventState, RegistrationState
from app.events.registration_forms import (
    CapacityForm,
    ParticipantMailForm,
    RegisterForm,
    SignedInRegisterForm,
)
from app.extensions import db, limiter

S = RegistrationState
PER_PAGE = 50
TOKEN_PROBLEMS = {
    "invalid": _l("This link is not valid. Check that you copied the whole address. If you "
                  "registered again later, use the link in the latest mail."),
    "expired": _l("This link has expired: registrations that are not confirmed within "
                  "%(hours)s hours lapse. Register again on the event page."),
}
SORTS = {
    "queue": SortOption("queue", _l("Registration order"),
                        (EventRegistration.queued_at, EventRegistration.id)),
    "name": SortOption("name", _l("Name"),
                       (func.lower(EventRegistration.name), EventRegistration.id)),
    "organisation": SortOption("organisation", _l("Organisation"),
                               (func.lower(EventRegistration.organisation_name),
                                func.lower(EventRegistration.name), EventRegistration.id)),
}
LISTS = {"confirmed": S.confirmed, "waiting": S.waiting, "cancelled": S.cancelled}


def _event_path(event: Event) -> str:
    return url_for("events.detail", event_id=event.id)


def _visible_event_or_404(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None or (event.state == EventState.draft
                         and not reg.can_manage_registrations(current_user, event)):
        abort(404)
    return event


def _managed_event_or_404(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None or not reg.can_manage_registrations(current_user, event):
        abort(404)
    return event


@bp.app_context_processor
def _registration_panel():
    """`registration_panel(event)`: what events/_registration.html shows on the event page."""

    def registration_panel(event: Event) -> dict:
        mine = reg.registration_of(current_user, event)
        if mine is not None and reg.is_expired(mine):
            mine = None
        signed_in = current_user.is_authenticated
        confirmed, waiting = reg.counts_for([event.id])[event.id]
        full = event.capacity is not None and confirmed >= event.capacity
        return {"full": full, "waiting": waiting,
                "left": None if event.capacity is None else max(event.capacity - confirmed, 0),
                "mine": mine, "position": reg.waiting_position(mine) if mine else None,
                "open": reg.is_registration_open(event), "closes_at": reg.registration_closes_at(
                    event), "signed_in": signed_in,
                "form": SignedInRegisterForm() if signed_in else RegisterForm(),
                "can_manage": reg.can_manage_registrations(current_user, event)}

    return {"registration_panel": registration_panel}


def _signed_in() -> bool:
    # Signed-in people register with their verified account: only the others mail links.
    return current_user.is_authenticated


def limiter_value() -> str:
    from flask import current_app

    return current_app.config["RATE_LIMITS"].get("event_register", "10 per hour")


# --- registering --------------------------------------------------------------------------------


@bp.route("/events/<int:event_id>/register", methods=["GET", "POST"])
@limiter.limit(limiter_value, methods=["POST"], exempt_when=_signed_in)
def register(event_id: int):
    """The registration form (also on the event page); signed in, one click."""
    event = _visible_event_or_404(event_id)
    form = SignedInRegisterForm() if current_user.is_authenticated else RegisterForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            values = {key: form[key].data for key in ("name", "email") if key in form}
            outcome = perform(lambda: reg.register(
                current_user, event.id, organisation_name=form.organisation_name.data,
                needs=form.needs.data, **values), form=form)
            if outcome.ok:
                result = outcome.value
                if result.mailed:
                    return render_template("events/register_mailed.html", event=event,
                                           email=form.email.data.strip().lower())
                if result.already:
                    flash(_l("You are already registered for this event."), "info")
                elif result.registration.state == S.confirmed:
                    flash(_l("You are registered. A confirmation is on its way to your "
                             "e-mail."), "success")
                else:
                    flash(_l("The event is full: you are on the waiting list. We tell you by "
                             "e-mail if a place frees up."), "success")
                return redirect(_event_path(event))
            status = outcome.status
        else:
            status = 422
    return render_template("events/register.html", event=event, form=form), status


def _token() -> str:
    return request.args.get("t", "")


def _token_problem(reason: str):
    return render_template("events/register_problem.html",
                           message=str(TOKEN_PROBLEMS[reason]) % {"hours": reg.confirm_hours()}
                           ), 400


@bp.route("/events/registration/confirm", methods=["GET", "POST"])
def registration_confirm():
    """The link in the confirmation mail: a page with a button (POST) that confirms."""
    token = _token()
    try:
        registration = reg.from_token(token)
    except reg.TokenProblem as problem:
        return _token_problem(problem.reason)
    event = registration.event
    status = 200
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        try:
            outcome = perform(lambda: reg.confirm(token))
        except reg.TokenProblem as problem:
            db.session.rollback()
            return _token_problem(problem.reason)
        if outcome.ok:
            return redirect(url_for("events.registration_status", t=token))
        outcome.flash()
        status = outcome.status
    return render_template("events/register_confirm.html", registration=registration,
                           event=event, token=token), status


@bp.get("/events/registration")
def registration_status():
    """One's registration as the mailed link's token shows it: state, place, cancel."""
    try:
        registration = reg.from_token(_token())
    except reg.TokenProblem as problem:
        return _token_problem(problem.reason)
    return render_template("events/register_status.html", registration=registration,
                           event=registration.event, token=_token(),
                           position=reg.waiting_position(registration))


@bp.route("/events/registration/cancel", methods=["GET", "POST"])
def registration_cancel():
    """The cancel link of the mails: a confirmation page; its button (POST) cancels."""
    token = _token()
    try:
        registration = reg.from_token(token)
    except reg.TokenProblem as problem:
        return _token_problem(problem.reason)
    return _cancel_page(registration, token=token,
                        action=url_for("events.registration_cancel", t=token))


@bp.route("/events/<int:event_id>/registration/cancel", methods=["GET", "POST"])
@login_required
def my_registration_cancel(event_id: int):
    """A signed-in person cancels their own registration (confirmation first)."""
    event = _visible_event_or_404(event_id)
    registration = reg.registration_of(current_user, event)
    if registration is None:
        abort(404)
    return _cancel_page(registration, token=None,
                        action=url_for("events.my_registration_cancel", event_id=event.id))


def _cancel_page(registration: EventRegistration, *, token: str | None, action: str):
    event = registration.event
    status = 200
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        try:
            outcome = perform(lambda: reg.cancel(registration, actor=current_user, token=token))
        except reg.TokenProblem as problem:
            db.session.rollback()
            return _token_problem(problem.reason)
        if outcome.ok:
            flash(_l("Your registration is cancelled. Thank you for letting us know."),
                  "success")
            return redirect(_event_path(event))
        outcome.flash()
        status = outcome.status
    return render_template("events/register_cancel.html", registration=registration,
                           event=event, action=action), status


# --- the organiser ------------------------------------------------------------------------------


def _counts(event: Event) -> dict[str, int]:
    rows = db.session.execute(
        select(EventRegistration.state, func.count()).where(EventRegistration.event_id == event.id)
        .group_by(EventRegistration.state))
    counts = {state.value: 0 for state in S}
    for state, number in rows:
        counts[S(state).value] = number
    return counts


def _participants_page(event: Event, *, capacity_form=None, status=200):
    shown = request.args.get("list", "confirmed")
    shown = shown if shown in LISTS else "confirmed"
    sort = SORTS["queue"] if shown == "waiting" else sort_arg(SORTS, "queue")
    pagination = db.paginate(
        select(EventRegistration).where(EventRegistration.event_id == event.id,
                                        EventRegistration.state == LISTS[shown])
        .order_by(*sort.columns), page=page_arg(), per_page=PER_PAGE, error_out=False)
    if capacity_form is None:
        capacity_form = CapacityForm(formdata=None, data={"capacity": event.capacity})
    return render_template("events/participants.html", event=event, pagination=pagination,
                           shown=shown, sort=sort, sorts=SORTS, counts=_counts(event),
                           capacity_form=capacity_form, remove_form=ActionForm()), status


@bp.get("/events/<int:event_id>/participants")
@login_required
def participants(event_id: int):
    """Confirmed, waiting and cancelled registrations, with counts (the organiser's)."""
    return _participants_page(_managed_event_or_404(event_id))


@bp.post("/events/<int:event_id>/participants/capacity")
@login_required
def participants_capacity(event_id: int):
    """Change the number of places; freed places go to the waiting list in order."""
    event = _managed_event_or_404(event_id)
    form = CapacityForm()
    if not form.validate_on_submit():
        return _participants_page(event, capacity_form=form, status=422)
    capacity = int(form.capacity.data) if form.capacity.data is not None else None
    outcome = perform(lambda: reg.set_capacity(current_user, event.id, capacity), form=form)
    if not outcome.ok:
        db.session.rollback()
        return _participants_page(event, capacity_form=form, status=outcome.status)
    flash(_l("The number of places is saved."), "success")
    if outcome.value:
        flash(_l("%(count)s people moved up from the waiting list and were told by e-mail.",
                 count=len(outcome.value)), "success")
    return redirect(url_for("events.participants", event_id=event.id))


@bp.route("/events/<int:event_id>/participants/<int:registration_id>/remove",
          methods=["GET", "POST"])
@login_required
def participant_remove(event_id: int, registration_id: int):
    """Remove a participant (a confirmation page first); the next on the list moves up."""
    event = _managed_event_or_404(event_id)
    registration = db.session.get(EventRegistration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    status = 200
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        outcome = perform(lambda: reg.remove_participant(current_user, registration))
        if outcome.ok:
            flash(_l("%(name)s was removed and told by e-mail.", name=registration.name),
                  "success")
            return redirect(url_for("events.participants", event_id=event.id))
        outcome.flash()
        status = outcome.status
    return render_template("events/participants_remove.html", event=event,
                           registration=registration), status


def _export_rows(event: Event):
    order = {S.confirmed: 0, S.waiting: 1, S.unconfirmed: 2, S.cancelled: 3}
    rows = db.session.scalars(
        select(EventRegistration).where(EventRegistration.event_id == event.id,
                                        EventRegistration.state != S.unconfirmed)
        .order_by(EventRegistration.queued_at, EventRegistration.id))
    for r in sorted(rows, key=lambda r: order[r.state]):
        yield [r.name, r.email, r.organisation_name, r.needs, STATE_LABELS[r.state],
               spreadsheets.datetime_cell(r.queued_at), spreadsheets.datetime_cell(r.cancelled_at)]


STATE_LABELS = {S.confirmed: _l("Confirmed"), S.waiting: _l("Waiting list"),
                S.unconfirmed: _l("Not confirmed"), S.cancelled: _l("Cancelled")}


@bp.get("/events/<int:event_id>/participants.<any(csv, xlsx):fmt>")
@login_required
def participants_export(event_id: int, fmt: str):
    """The participants as CSV or XLSX (formulas neutralised, headers in the user's
    language)."""
    event = _managed_event_or_404(event_id)
    headers = [str(h) for h in (_l("Name"), _l("E-mail"), _l("Organisation"), _l("Needs"),
                                _l("State"), _l("Registration time"), _l("Cancelled"))]
    rows = [[str(c) if hasattr(c, "__html__") else c for c in row] for row in _export_rows(event)]
    filename = f"osallistujat-{event.id}.{fmt}"
    if fmt == "csv":
        return spreadsheets.csv_response(headers, rows, filename)
    return spreadsheets.xlsx_response(headers, rows, filename, str(_l("Participants")),
                                      freeze="B2")


@bp.route("/events/<int:event_id>/participants/mail", methods=["GET", "POST"])
@login_required
def participants_mail(event_id: int):
    """Mail the participants: the first submit shows how many get it, the second sends."""
    event = _managed_event_or_404(event_id)
    form = ParticipantMailForm()
    status, preview = 200, None
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 422
        elif request.form.get("send"):
            outcome = perform(lambda: reg.mail_participants(
                current_user, event.id, form.audience.data, form.subject.data.strip(),
                form.body.data), form=form)
            if outcome.ok:
                flash(_l("The message was sent to %(count)s people.", count=outcome.value),
                      "success")
                return redirect(url_for("events.participants", event_id=event.id))
            db.session.rollback()
            status = outcome.status
        else:
            preview = len(reg.mail_recipients(event, form.audience.data))
    return render_template("events/participants_mail.html", event=event, form=form,
                           preview=preview), status
