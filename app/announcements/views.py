"""Routes of announcements (thin: forms in, one service call inside perform(), a template out).

Public: the list with its filters, an announcement's page, the themes and a theme's page (the
Atom feed is in feeds.py). Call managers: their list, the form (new and edit), publish and
withdraw (with a confirmation page). The call page and the home page include short lists
through the template helpers below.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.announcements import bp, permissions, queries, services
from app.announcements.forms import KIND_LABELS, STATE_LABELS, AnnouncementForm
from app.announcements.models import Announcement
from app.calls.forms import LANGUAGE_LABELS
from app.core import clock
from app.core.codelists import current_language
from app.core.domain import Conflict
from app.core.forms import ActionForm
from app.core.htmx import render_page_or_fragment
from app.core.markdown import plain_text, render_markdown
from app.core.pagination import page_arg
from app.core.unit_of_work import CONFLICT, perform
from app.extensions import db
from app.organisations.permissions import membership_of


@bp.app_context_processor
def _announcement_helpers() -> dict:
    """What the call page and the home page include (templates/announcements/_call.html and
    _home.html): one query each."""
    return {
        "call_announcements": queries.call_announcements,
        "new_announcements": lambda: queries.new_announcements(clock.now()),
        "announcement_kind_labels": KIND_LABELS,
        "announcement_call_limit": queries.CALL_PAGE_LIMIT,
        "announcement_excerpt": lambda a: plain_text(a.body, limit=300),
    }


@bp.context_processor
def _template_helpers() -> dict:
    return {"perms": permissions, "kind_labels": KIND_LABELS, "state_labels": STATE_LABELS,
            "language_labels": LANGUAGE_LABELS, "md": render_markdown,
            "lang": current_language()}


def get_announcement_or_404(announcement_id: int, check=None) -> Announcement:
    """An announcement the user may see (else 404); `check` failing gives 403 to members of
    its authority and 404 to everyone else."""
    announcement = db.session.scalar(
        select(Announcement).where(Announcement.id == announcement_id)
        .options(joinedload(Announcement.organisation), joinedload(Announcement.call)))
    if announcement is None or not permissions.can_view_announcement(current_user, announcement):
        abort(404)
    if check is not None and not check(current_user, announcement):
        abort(403 if membership_of(current_user, announcement.organisation) is not None else 404)
    return announcement


# --- public ----------------------------------------------------------------------------------


@bp.get("/announcements")
def index():
    flt = queries.AnnouncementFilter.from_args(request.args)
    pagination = db.paginate(queries.filtered(flt), page=page_arg(), per_page=queries.PER_PAGE,
                             error_out=False)
    authorities, calls = queries.filter_choices()
    return render_page_or_fragment(
        "announcements/index.html", "announcements/_list.html", pagination=pagination, flt=flt,
        authorities=authorities, calls=calls, sorts=queries.SORTS,
        can_create=permissions.can_create_announcement(current_user))


@bp.get("/announcements/<int:announcement_id>")
def detail(announcement_id: int):
    announcement = get_announcement_or_404(announcement_id)
    return render_template("announcements/detail.html", announcement=announcement,
                           public=permissions.is_public(announcement),
                           action_form=ActionForm(formdata=None))


@bp.get("/announcements/themes")
def themes():
    return render_template("announcements/themes.html", themes=queries.theme_list())


@bp.get("/announcements/themes/<path:theme>")
def theme(theme: str):
    spellings = queries.theme_spellings(theme)
    own, of_calls = spellings
    if not own and not of_calls:
        abort(404)
    stmt, _known = queries.with_theme(queries.public_announcements(), theme, spellings)
    pagination = db.paginate(
        stmt.order_by(*queries.SORTS["newest"].columns), page=page_arg(),
        per_page=queries.PER_PAGE, error_out=False)
    name = of_calls[0] if of_calls else queries.normalise_theme(own[0])
    return render_template("announcements/theme.html", theme=name, pagination=pagination,
                           calls=queries.theme_calls(of_calls))


# --- call managers ---------------------------------------------------------------------------


@bp.get("/announcements/manage")
@login_required
def manage():
    organisations = permissions.authoring_organisations(current_user)
    if not organisations:
        abort(403)
    state = request.args.get("state")
    state = state if state in queries.MANAGE_STATES else None
    sort = request.args.get("sort", "updated")
    sort = sort if sort in queries.MANAGE_SORTS else "updated"
    pagination = db.paginate(queries.managed(organisations, state, sort), page=page_arg(),
                             per_page=queries.PER_PAGE, error_out=False)
    return render_template("announcements/manage.html", pagination=pagination, state=state,
                           sort=sort, sorts=queries.MANAGE_SORTS, states=queries.MANAGE_STATES)


def _form_page(form, announcement, status: int = 200, saved: Announcement | None = None):
    return render_template("announcements/form.html", form=form, announcement=announcement,
                           theme_suggestions=queries.call_themes(), saved=saved), status


def _publishing() -> bool:
    return request.form.get("action") == "publish"


@bp.route("/announcements/new", methods=["GET", "POST"])
@login_required
def announcement_new():
    organisations = permissions.authoring_organisations(current_user)
    if not organisations:
        abort(403)
    calls = queries.linkable_calls(organisations)
    form = AnnouncementForm(organisations=organisations, calls=calls, language=current_language())
    if len(organisations) == 1:  # the only choice, whatever was posted
        form.organisation_id.data = str(organisations[0].id)
    if request.method == "GET":
        form.kind.data = "general"
        form.language.data = current_language()
        chosen = next((c for c in calls if str(c.id) == request.args.get("call")), None)
        if chosen is not None:
            form.call_id.data = str(chosen.id)
            form.organisation_id.data = str(chosen.organisation_id)
    status = 200
    if form.validate_on_submit():
        organisation = next(o for o in organisations if str(o.id) == form.organisation_id.data)
        publish = _publishing()
        outcome = perform(lambda: services.create_announcement(
            current_user, organisation, form.values(), publish=publish), form=form)
        if outcome.ok:
            flash(_l("The announcement has been published.") if publish
                  else _l("The announcement has been saved as a draft."), "success")
            return redirect(url_for("announcements.detail", announcement_id=outcome.value.id))
        status = outcome.status
    elif form.errors:
        status = 422
    return _form_page(form, None, status)


@bp.route("/announcements/<int:announcement_id>/edit", methods=["GET", "POST"])
@login_required
def announcement_edit(announcement_id: int):
    announcement = get_announcement_or_404(announcement_id,
                                           check=permissions.can_edit_announcement)
    organisation = announcement.organisation
    form = AnnouncementForm(organisations=[organisation],
                            calls=queries.linkable_calls([organisation]),
                            language=current_language())
    form.organisation_id.data = str(organisation.id)
    if request.method == "GET":
        for name in ("title", "body", "theme", "language", "lock_version"):
            getattr(form, name).data = getattr(announcement, name)
        form.kind.data = announcement.kind.value
        form.call_id.data = str(announcement.call_id) if announcement.call_id else ""
    status = 200
    if form.validate_on_submit():
        seen = form.lock_version.data or None
        publish = _publishing() and announcement.is_draft
        outcome = perform(lambda: services.update_announcement(
            current_user, announcement, form.values(), seen_version=seen, publish=publish),
            form=form)
        if outcome.ok:
            flash(_l("The announcement has been published.") if publish
                  else _l("The changes have been saved."), "success")
            return redirect(url_for("announcements.detail", announcement_id=announcement.id))
        status = outcome.status
        if status == CONFLICT:
            # Show what is saved now beside what was typed; a second save overwrites it.
            saved = get_announcement_or_404(announcement_id)
            if isinstance(outcome.error, Conflict):
                form.form_errors = [*form.form_errors, outcome.message]
            form.lock_version.data = saved.lock_version
            return _form_page(form, saved, status, saved=saved)
    elif form.errors:
        status = 422
    return _form_page(form, announcement, status)


@bp.post("/announcements/<int:announcement_id>/publish")
@login_required
def announcement_publish(announcement_id: int):
    announcement = get_announcement_or_404(announcement_id,
                                           check=permissions.can_publish_announcement)
    if not ActionForm().validate_on_submit():
        abort(400)
    perform(lambda: services.publish_announcement(current_user, announcement)).flash(
        _l("The announcement has been published."))
    return redirect(url_for("announcements.detail", announcement_id=announcement.id))


@bp.route("/announcements/<int:announcement_id>/withdraw", methods=["GET", "POST"])
@login_required
def announcement_withdraw(announcement_id: int):
    announcement = get_announcement_or_404(announcement_id,
                                           check=permissions.can_withdraw_announcement)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        outcome = perform(lambda: services.withdraw_announcement(current_user, announcement))
        outcome.flash(_l("The announcement has been withdrawn. It is no longer shown to anyone "
                         "but your authority's call managers."))
        if outcome.ok:
            return redirect(url_for("announcements.manage"))
        return redirect(url_for("announcements.detail", announcement_id=announcement_id))
    return render_template("announcements/withdraw.html", announcement=announcement, form=form)
