"""Routes of partner calls (thin: forms in, one service call inside perform(), a template out).

Public: the list, a call's page and the Atom feed (feeds.py). Signed in: announcing, editing
and closing (writers of the announcing verified organisation), answering (writers of another
verified organisation), the caller's list of answers, the private thread, "My partner calls".
Objects one may not see answer 404.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.core.codelists import (
    ORGANISATION_TYPES,
    REGIONS,
    SERVICE_LANGUAGES,
    TARGET_GROUPS,
    current_language,
)
from app.core.db import write_intent
from app.core.forms import show_domain_error
from app.core.htmx import is_htmx, render_page_or_fragment
from app.core.pagination import page_arg
from app.core.unit_of_work import perform, refuse
from app.extensions import db
from app.partners import bp, feeds, permissions, services  # noqa: F401 (feeds: its route)
from app.partners.forms import CLOSURE_LABELS, CloseForm, FilterForm, MessageForm, PartnerCallForm
from app.partners.models import PartnerCall, PartnerCallClosure, PartnerMessage, PartnerThread

PER_PAGE = 20
ORGANISATION_MESSAGE = _l("Choose the organisation in whose name you write.")
DATE_MESSAGE = _l("Enter a date, for example 2026-03-01.")


@bp.app_context_processor
def _partner_helpers() -> dict:
    # Callables and tables only: nothing is queried unless a template calls them.
    return {"open_partner_calls": services.organisation_open_calls,
            "partner_perms": permissions, "closure_labels": CLOSURE_LABELS,
            "partner_codes": {"types": ORGANISATION_TYPES, "regions": REGIONS,
                              "target_groups": TARGET_GROUPS, "languages": SERVICE_LANGUAGES},
            "partner_closure": services.shown_closure}


def _call_or_404(partner_call_id: int) -> PartnerCall:
    partner_call = db.session.scalar(
        select(PartnerCall).options(joinedload(PartnerCall.organisation))
        .where(PartnerCall.id == partner_call_id))
    if partner_call is None or not permissions.can_view_partner_call(current_user,
                                                                      partner_call):
        abort(404)
    return partner_call


def _thread_or_404(partner_call: PartnerCall, thread_id: int) -> PartnerThread:
    thread = db.session.scalar(
        select(PartnerThread).options(joinedload(PartnerThread.organisation))
        .where(PartnerThread.id == thread_id,
               PartnerThread.partner_call_id == partner_call.id))
    if thread is None or not permissions.can_view_thread(current_user, thread):
        abort(404)
    return thread


def _fix_date_message(form) -> None:
    # WTForms' own "Not a valid date value." is replaced by one that says what to type.
    if form.deadline.raw_data and form.deadline.raw_data[0] and form.deadline.data is None:
        form.deadline.errors = [DATE_MESSAGE]


# --- public ----------------------------------------------------------------------------------


@bp.get("/partner-calls")
def index():
    flt = services.ListFilter.from_args(request.args)
    form = FilterForm(request.args)
    pagination = db.paginate(services.public_query(flt), page=page_arg(), per_page=PER_PAGE,
                             error_out=False)
    organisation = None
    if flt.organisation_id:
        from app.organisations.models import Organisation

        organisation = db.session.get(Organisation, flt.organisation_id)
    return render_page_or_fragment(
        "partners/index.html", "partners/_list.html", pagination=pagination, form=form,
        flt=flt, organisation=organisation,
        can_create=permissions.can_create_partner_call(current_user))


@bp.get("/partner-calls/<int:partner_call_id>")
def detail(partner_call_id: int):
    partner_call = _call_or_404(partner_call_id)
    return _detail_page(partner_call, _answer_form(partner_call, formdata=None))


def _answer_form(partner_call: PartnerCall, **kwargs) -> MessageForm:
    return MessageForm(organisations=permissions.answering_organisations(current_user,
                                                                         partner_call), **kwargs)


def _detail_page(partner_call: PartnerCall, form: MessageForm, status: int = 200):
    own_threads = []
    if current_user.is_authenticated:
        from app.organisations.services import memberships_by_organisation

        mine = set(memberships_by_organisation(current_user))
        own_threads = list(db.session.scalars(
            select(PartnerThread).options(joinedload(PartnerThread.organisation))
            .where(PartnerThread.partner_call_id == partner_call.id,
                   PartnerThread.organisation_id.in_(mine)))) if mine else []
    linked_call = linked_practice = None
    if partner_call.call_id:
        from app.calls.models import Call

        linked_call = db.session.get(Call, partner_call.call_id)
    if partner_call.practice_id:
        from app.practices.models import Practice, PracticeState

        linked_practice = db.session.get(Practice, partner_call.practice_id)
        if linked_practice is not None and linked_practice.state != PracticeState.published:
            linked_practice = None
    return render_template(
        "partners/detail.html", partner_call=partner_call, form=form,
        accepting=services.is_accepting(partner_call), own_threads=own_threads,
        linked_call=linked_call, linked_practice=linked_practice, lang=current_language(),
        can_edit=permissions.can_edit_partner_call(current_user, partner_call),
        can_view_threads=permissions.can_view_threads(current_user, partner_call)), status


# --- the announcing organisation -------------------------------------------------------------


@bp.route("/partner-calls/new", methods=["GET", "POST"])
@login_required
def create():
    organisations = permissions.writer_organisations(current_user)
    if not organisations:
        abort(403)
    form = PartnerCallForm(organisations=organisations)
    if not form.is_submitted():
        return render_template("partners/form.html", form=form, partner_call=None)
    valid = form.validate()
    _fix_date_message(form)
    organisation = form.chosen_organisation()
    if organisation is None:
        form.organisation.errors = [*form.organisation.errors, ORGANISATION_MESSAGE]
        valid = False
    if not valid:
        return render_template("partners/form.html", form=form, partner_call=None), 422
    outcome = perform(lambda: services.create_partner_call(current_user, organisation,
                                                           form.values()), form=form)
    if outcome.ok:
        flash(_l("The partner call has been published."), "success")
        return redirect(url_for("partners.detail", partner_call_id=outcome.value.id))
    return render_template("partners/form.html", form=form, partner_call=None), outcome.status


@bp.route("/partner-calls/<int:partner_call_id>/edit", methods=["GET", "POST"])
@login_required
def edit(partner_call_id: int):
    partner_call = _call_or_404(partner_call_id)
    if not permissions.can_manage_partner_call(current_user, partner_call):
        abort(403)
    if not permissions.can_edit_partner_call(current_user, partner_call):
        flash(_l("A closed partner call cannot be edited."), "error")
        return redirect(url_for("partners.detail", partner_call_id=partner_call.id))
    form = PartnerCallForm(organisation=partner_call.organisation, partner_call=partner_call)
    if not form.is_submitted():
        return render_template("partners/form.html", form=form, partner_call=partner_call)
    valid = form.validate()
    _fix_date_message(form)
    if not valid:
        return render_template("partners/form.html", form=form, partner_call=partner_call), 422
    outcome = perform(lambda: services.update_partner_call(
        current_user, partner_call, form.values(), seen_version=form.lock_version.data or None),
        form=form)
    if outcome.ok:
        flash(_l("The partner call has been saved."), "success")
        return redirect(url_for("partners.detail", partner_call_id=partner_call.id))
    current = db.session.get(PartnerCall, partner_call_id)
    if outcome.conflict:
        if outcome.error is not None:
            show_domain_error(form, outcome.error)
        form.lock_version.data = str(current.lock_version)
    return render_template("partners/form.html", form=form, partner_call=current,
                           newer=current if outcome.conflict else None), outcome.status


@bp.route("/partner-calls/<int:partner_call_id>/close", methods=["GET", "POST"])
@login_required
def close(partner_call_id: int):
    partner_call = _call_or_404(partner_call_id)
    if not permissions.can_manage_partner_call(current_user, partner_call):
        abort(403)
    form = CloseForm()
    status = 200
    if not form.is_submitted():
        form.lock_version.data = str(partner_call.lock_version)
    elif not form.validate() or not form.closure.data:
        if not form.closure.errors:
            form.closure.errors = [_l("Choose why the call is closed.")]
        status = 422
    else:
        outcome = perform(lambda: services.close_partner_call(
            current_user, partner_call, PartnerCallClosure(form.closure.data),
            seen_version=form.lock_version.data or None), form=form)
        if outcome.ok:
            flash(_l("The partner call has been closed."), "success")
            return redirect(url_for("partners.detail", partner_call_id=partner_call.id))
        status = outcome.status
        if outcome.conflict and outcome.error is not None:
            show_domain_error(form, outcome.error)
        partner_call = _call_or_404(partner_call_id)
        form.lock_version.data = str(partner_call.lock_version)
    return render_template("partners/close.html", form=form, partner_call=partner_call,
                           accepting=services.is_accepting(partner_call)), status


@bp.get("/partner-calls/<int:partner_call_id>/threads")
@login_required
def threads(partner_call_id: int):
    partner_call = _call_or_404(partner_call_id)
    if not permissions.can_view_threads(current_user, partner_call):
        abort(404)
    rows = list(db.session.scalars(
        select(PartnerThread).options(joinedload(PartnerThread.organisation))
        .where(PartnerThread.partner_call_id == partner_call.id)
        .order_by(PartnerThread.last_message_at.desc(), PartnerThread.id.desc())))
    ids = [t.id for t in rows]
    return render_template("partners/threads.html", partner_call=partner_call, threads=rows,
                           thread_unread=services.unread_counts(ids, "caller"),
                           messages=services.message_counts(ids))


# --- answers and threads ---------------------------------------------------------------------


@bp.post("/partner-calls/<int:partner_call_id>/answer")
@login_required
def answer(partner_call_id: int):
    partner_call = _call_or_404(partner_call_id)
    organisations = permissions.answering_organisations(current_user, partner_call)
    if not organisations:
        abort(403)
    form = _answer_form(partner_call)
    if not form.validate():
        return _detail_page(partner_call, form, 422)
    organisation = form.chosen_organisation()
    if organisation is None:
        outcome = refuse(ORGANISATION_MESSAGE, form=form, field="organisation")
    else:
        outcome = perform(lambda: services.answer_partner_call(
            current_user, partner_call, organisation, form.body.data), form=form)
    if outcome.ok:
        flash(_l("Your answer has been sent. Only your two organisations see the "
                 "conversation."), "success")
        return redirect(url_for("partners.thread", partner_call_id=partner_call.id,
                                thread_id=outcome.value.thread_id))
    return _detail_page(partner_call, form, outcome.status)


def _thread_context(partner_call: PartnerCall, thread: PartnerThread, form: MessageForm):
    messages = list(db.session.scalars(
        select(PartnerMessage)
        .options(selectinload(PartnerMessage.author), joinedload(PartnerMessage.organisation))
        .where(PartnerMessage.thread_id == thread.id).order_by(PartnerMessage.id)))
    return {"partner_call": partner_call, "thread": thread, "messages": messages, "form": form,
            "side": permissions.thread_side(current_user, thread),
            "can_post": permissions.can_post(current_user, thread)}


@bp.get("/partner-calls/<int:partner_call_id>/threads/<int:thread_id>")
@login_required
def thread(partner_call_id: int, thread_id: int):
    partner_call = _call_or_404(partner_call_id)
    thread = _thread_or_404(partner_call, thread_id)
    context = _thread_context(partner_call, thread, MessageForm(formdata=None))
    html = render_template("partners/thread.html", **context)
    # Shown once with what is new, then marked read: opening the thread is reading it (as
    # the notification centre does).
    db.session.rollback()
    with write_intent():
        perform(lambda: services.mark_read(current_user, db.session.get(PartnerThread,
                                                                         thread_id)))
    return html, 200, {"Cache-Control": "no-store"}


@bp.post("/partner-calls/<int:partner_call_id>/threads/<int:thread_id>/messages")
@login_required
def thread_post(partner_call_id: int, thread_id: int):
    partner_call = _call_or_404(partner_call_id)
    thread = _thread_or_404(partner_call, thread_id)
    if not permissions.can_post(current_user, thread):
        abort(403)
    form = MessageForm()
    status = 422
    if form.validate():
        outcome = perform(lambda: services.post_message(current_user, thread, form.body.data),
                          form=form)
        if outcome.ok:
            if not is_htmx():
                return redirect(url_for("partners.thread", partner_call_id=partner_call.id,
                                        thread_id=thread_id) + "#message-form")
            form = MessageForm(formdata=None)
            status = 200
        else:
            status = outcome.status
    thread = db.session.get(PartnerThread, thread_id)
    context = _thread_context(partner_call, thread, form)
    response = render_page_or_fragment("partners/thread.html", "partners/_thread.html",
                                       **context)
    response.status_code = status
    return response


@bp.get("/partner-calls/mine")
@login_required
def mine():
    overview = services.my_overview(current_user)
    return render_template("partners/mine.html", **overview,
                           can_create=permissions.can_create_partner_call(current_user))
