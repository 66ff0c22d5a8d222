"""Platform administration of national observers: the members of verified national
authorities, each with a button to grant or revoke the observer role (it reads every call's
projects, reports and figures, and changes nothing). Only platform administrators; others
get 403, as on the other administration pages."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.core.pagination import page_arg
from app.core.unit_of_work import perform
from app.extensions import db
from app.organisations.models import Membership, Organisation, OrganisationStatus
from app.projects import bp, services
from app.projects import permissions as perms
from app.projects.officer_forms import ObserverForm

PER_PAGE = 50


def _require_admin() -> None:
    if not perms.can_grant_observer(current_user):
        abort(403)


def observer_candidates_query():
    """Members of verified national authorities, by organisation and name."""
    from app.auth.models import User

    return (select(Membership)
            .join(Organisation, Organisation.id == Membership.organisation_id)
            .join(User, User.id == Membership.user_id)
            .where(Organisation.type == "national_authority",
                   Organisation.status == OrganisationStatus.verified)
            .options(joinedload(Membership.user), joinedload(Membership.organisation))
            .order_by(Organisation.name, User.name, Membership.id))


def _page(status: int = 200):
    pagination = db.paginate(observer_candidates_query(), page=page_arg(), per_page=PER_PAGE,
                             error_out=False)
    return render_template("projects/observers.html", pagination=pagination,
                           form=ObserverForm(formdata=None)), status


@bp.get("/admin/observers")
@login_required
def observers():
    _require_admin()
    return _page()


@bp.post("/admin/observers/<int:membership_id>")
@login_required
def observer_set(membership_id: int):
    """Grant (observer=1) or revoke (observer=0) the role; the button asks first."""
    _require_admin()
    membership = db.session.get(Membership, membership_id)
    if membership is None:
        abort(404)
    form = ObserverForm()
    if not form.validate_on_submit():
        for message in form.observer.errors:
            flash(message, "error")
        return _page(422)
    grant = form.observer.data == "1"
    name, organisation = membership.user.name, membership.organisation.name
    outcome = perform(lambda: services.set_observer(current_user, membership, grant))
    if not outcome.ok:
        outcome.flash()
        return _page(outcome.status)
    flash(_l("%(name)s (%(org)s) is now a national observer.", name=name, org=organisation)
          if grant else
          _l("%(name)s (%(org)s) is no longer a national observer.", name=name,
             org=organisation), "success")
    return redirect(url_for("projects.observers"))
