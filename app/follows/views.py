"""Routes of follows (thin: forms in, one service call inside perform(), a template out):
the Following page (/following), What's new (/whats-new), the organisation page's follow
button, and the header's count of new items."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from app.core import clock
from app.core.codelists import REGIONS, TARGET_GROUPS
from app.core.db import write_intent
from app.core.forms import ActionForm
from app.core.htmx import is_htmx
from app.core.pagination import ListPage, page_arg
from app.core.unit_of_work import perform
from app.extensions import db
from app.follows import bp, news, services
from app.follows.forms import DigestForm, RegionFollowForm, TargetGroupFollowForm
from app.follows.models import Follow, FollowKind
from app.follows.permissions import can_follow, can_follow_organisation
from app.organisations.models import Organisation
from app.organisations.permissions import can_view_organisation

log = logging.getLogger(__name__)

PER_PAGE = 20
WINDOW = timedelta(days=30)  # What's new shows the last 30 days


def _require_follower() -> None:
    if not can_follow(current_user):
        abort(403)


# --- the header and the organisation page ----------------------------------------------------


def whats_new_count() -> int:
    """New items for the signed-in person's header: at most three queries (follows, settings,
    one count), once per request, and only when the header asks."""
    if not current_user.is_authenticated:
        return 0
    if "_whats_new_count" not in g:
        try:
            interests = news.interests_of(current_user)
            count = 0
            if interests:
                settings = services.settings_of(current_user)
                since = clock.now() - WINDOW
                if settings is not None and settings.seen_at and settings.seen_at > since:
                    since = settings.seen_at
                count = news.count_news(current_user, since, interests=interests)
            g._whats_new_count = count
        except SQLAlchemyError:  # an error page is still rendered, without the count
            log.warning("the What's new count failed", exc_info=True)
            g._whats_new_count = 0
    return g._whats_new_count


def follows_organisation(organisation: Organisation) -> bool:
    """Whether the signed-in person follows `organisation` (for its page's button)."""
    if not current_user.is_authenticated:
        return False
    return services.find_follow(current_user, FollowKind.organisation,
                                str(organisation.id)) is not None


@bp.app_context_processor
def _header():
    # Callables: nothing is queried unless a template calls them.
    return {"whats_new_count": whats_new_count, "follows_organisation": follows_organisation,
            "can_follow_organisation": can_follow_organisation,
            "whats_new_cap": news.COUNT_CAP}


@bp.post("/organisations/<int:org_id>/follow")
@login_required
def organisation_toggle(org_id: int):
    organisation = db.session.get(Organisation, org_id)
    if organisation is None or not can_view_organisation(current_user, organisation):
        abort(404)
    if not can_follow_organisation(current_user, organisation):
        abort(403)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = perform(lambda: services.toggle_organisation(current_user, organisation))
    if is_htmx():
        response = make_response(render_template(
            "follows/_follow_button.html", organisation=organisation,
            following=follows_organisation(organisation), follow_message=outcome.message),
            200 if outcome.ok else outcome.status)
        response.vary.add("HX-Request")
        return response
    if outcome.ok:
        flash(_l("You now follow %(org)s.", org=organisation.name) if outcome.value
              else _l("You no longer follow %(org)s.", org=organisation.name), "success")
    else:
        outcome.flash()
    return redirect(url_for("organisations.detail", org_id=organisation.id))


# --- the Following page ----------------------------------------------------------------------


def _render_following(*, target_group_form=None, region_form=None, digest_form=None,
                      status: int = 200):
    follows = services.follows_of(current_user)
    names = services.organisation_names(
        int(f.target) for f in follows if f.kind == FollowKind.organisation
        and f.target.isdigit())
    groups = {kind: [] for kind in FollowKind}
    for row in follows:
        groups[row.kind].append((row, services.target_label(row.kind, row.target, names)))
    followed = {(row.kind, row.target) for row in follows}
    if digest_form is None:
        settings = services.settings_of(current_user)
        digest_form = DigestForm(formdata=None,
                                 weekly_digest=bool(settings and settings.weekly_digest))
    target_group_form = target_group_form or TargetGroupFollowForm(formdata=None)
    region_form = region_form or RegionFollowForm(formdata=None)
    # Offer only what is not followed yet.
    target_group_form.target.choices = [
        (code, label) for code, label in target_group_form.target.choices
        if (FollowKind.target_group, code) not in followed]
    region_form.target.choices = [(code, label) for code, label in region_form.target.choices
                                  if (FollowKind.region, code) not in followed]
    return render_template(
        "follows/following.html", groups=groups, total=len(follows),
        max_follows=services.MAX_FOLLOWS, target_group_form=target_group_form,
        region_form=region_form, digest_form=digest_form,
        action_form=ActionForm(formdata=None)), status


@bp.get("/following")
@login_required
def following():
    _require_follower()
    return _render_following()


def _add(kind: FollowKind, form, form_name: str):
    _require_follower()
    status = 422
    if form.validate_on_submit():
        outcome = perform(lambda: services.follow(current_user, kind, form.target.data),
                          form=form)
        if outcome.ok:
            label = (TARGET_GROUPS if kind == FollowKind.target_group else REGIONS).label(
                outcome.value.target)
            flash(_l("You now follow %(what)s.", what=label), "success")
            return redirect(url_for("follows.following"))
        status = outcome.status
    return _render_following(**{form_name: form, "status": status})


@bp.post("/following/target-groups")
@login_required
def add_target_group():
    return _add(FollowKind.target_group, TargetGroupFollowForm(), "target_group_form")


@bp.post("/following/regions")
@login_required
def add_region():
    return _add(FollowKind.region, RegionFollowForm(), "region_form")


@bp.post("/following/<int:follow_id>/remove")
@login_required
def remove(follow_id: int):
    _require_follower()
    row = db.session.get(Follow, follow_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    perform(lambda: services.unfollow(current_user, row)).flash(
        _l("You no longer follow it."))
    return redirect(url_for("follows.following"))


@bp.post("/following/digest")
@login_required
def digest_settings():
    _require_follower()
    form = DigestForm()
    if form.validate_on_submit():
        outcome = perform(lambda: services.set_weekly_digest(current_user,
                                                             form.weekly_digest.data),
                          form=form)
        if outcome.ok:
            flash(_l("The weekly digest is on.") if form.weekly_digest.data
                  else _l("The weekly digest is off."), "success")
            return redirect(url_for("follows.following"))
        return _render_following(digest_form=form, status=outcome.status)
    return _render_following(digest_form=form, status=422)


# --- What's new ------------------------------------------------------------------------------

FILTERS = {"": _l("Everything"), **news.KIND_LABELS}


@bp.get("/whats-new")
@login_required
def whats_new():
    _require_follower()
    now = clock.now()
    kind = request.args.get("kind", "")
    kind = kind if kind in news.KINDS else ""
    only_new = request.args.get("new") == "1"
    settings = services.settings_of(current_user)
    seen_at = settings.seen_at if settings is not None else None
    interests = news.interests_of(current_user)
    items = news.news_for(current_user, now - WINDOW, now, interests=interests,
                          kinds=(kind,) if kind else news.KINDS, seen_at=seen_at)
    if only_new:
        items = [item for item in items if item.is_new]
    if request.args.get("sort") == "oldest":
        items.reverse()
    page = ListPage.of(len(items), page_arg(), PER_PAGE)
    html = render_template("follows/whats_new.html", items=page.slice(items), pagination=page,
                           kind=kind, only_new=only_new, filters=FILTERS,
                           sort=request.args.get("sort") or "newest",
                           follows_anything=bool(interests),
                           new_count=sum(1 for item in items if item.is_new))
    # Shown as new this once: opening the whole list is seeing them (a list of one kind
    # leaves the other kinds new).
    if interests and not kind:
        _mark_seen(now)
    response = make_response(html)
    response.headers["Cache-Control"] = "no-store"
    return response


def _mark_seen(now) -> None:
    db.session.rollback()  # end the page's read transaction; the write begins IMMEDIATE
    with write_intent():
        perform(lambda: services.mark_seen(current_user, now))
