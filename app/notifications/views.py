"""The notification centre (/notifications, a stable URL), the mail preferences, and the
header's unread count and Reviews link."""

from __future__ import annotations

import logging

from flask import flash, g, make_response, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from app.core.db import write_intent
from app.core.forms import ActionForm
from app.core.pagination import page_arg
from app.core.unit_of_work import perform
from app.extensions import db
from app.notifications import bp, messages, services
from app.notifications.forms import PreferencesForm

log = logging.getLogger(__name__)

PER_PAGE = 20


# --- the header ------------------------------------------------------------------------------


def unread_notifications() -> int:
    """The signed-in user's unread count: one query per request, only when the header asks."""
    if not current_user.is_authenticated:
        return 0
    if "_unread_notifications" not in g:
        try:
            g._unread_notifications = services.unread_count(current_user)
        except SQLAlchemyError:  # an error page is still rendered, without the count
            log.warning("the unread count failed", exc_info=True)
            g._unread_notifications = 0
    return g._unread_notifications


def reviews_nav_url() -> str | None:
    """The reviewer's own list, for reviewers of a verified ELY-centre (memberships are loaded
    once per request anyway)."""
    if not current_user.is_authenticated:
        return None
    from app.organisations.services import memberships_by_organisation

    if any(m.is_reviewer and m.organisation.is_funding_authority and m.organisation.is_verified
           for m in memberships_by_organisation(current_user).values()):
        return url_for("reviews.my_reviews")
    return None


@bp.app_context_processor
def _header():
    # Callables: nothing is queried unless a page's header calls them (mails and fragments
    # never do).
    return {"unread_notifications": unread_notifications, "reviews_nav_url": reviews_nav_url}


# --- the notification centre -----------------------------------------------------------------


@bp.get("/notifications")
@login_required
def index():
    pagination = db.paginate(services.notices_query(current_user), page=page_arg(),
                             per_page=PER_PAGE, error_out=False)
    notices = list(pagination.items)
    html = render_template("notifications/index.html", pagination=pagination, notices=notices,
                           message=messages.message, action_form=ActionForm(formdata=None))
    # Shown as unread this once, then marked read: opening the page is reading them.
    unread = [n.id for n in notices if n.read_at is None]
    if unread:
        _mark_read(unread)
    response = make_response(html)
    response.headers["Cache-Control"] = "no-store"
    return response


def _mark_read(ids: list[int]) -> None:
    db.session.rollback()  # end the page's read transaction; the write begins IMMEDIATE
    with write_intent():
        perform(lambda: services.mark_read(current_user, ids))


@bp.post("/notifications/read")
@login_required
def mark_all_read():
    if ActionForm().validate_on_submit():
        perform(lambda: services.mark_all_read(current_user)).flash(
            _l("All notifications are marked as read."))
    return redirect(url_for("notifications.index"))


# --- preferences -----------------------------------------------------------------------------


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = PreferencesForm()
    status = 200
    if form.validate_on_submit():
        outcome = perform(lambda: services.set_mail_preferences(current_user, form.choices()),
                          form=form)
        if outcome.ok:
            flash(_l("Your choices are saved."), "success")
            return redirect(url_for("notifications.settings"))
        status = outcome.status
    elif form.is_submitted():
        status = 422
    else:
        for kind, mail in services.mail_preferences(current_user).items():
            form[str(kind)].data = mail
    return render_template("notifications/settings.html", form=form), status
