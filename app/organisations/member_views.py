"""Members of an organisation: the members page, roles, removal, ownership, invitations,
join requests and leaving."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core.pagination import page_arg
from app.core.tokens import TokenError
from app.core.unit_of_work import perform
from app.extensions import db
from app.organisations import bp, queries, services
from app.organisations.forms import (
    ActionForm,
    InviteForm,
    JoinDecisionForm,
    MemberRoleForm,
    TransferForm,
)
from app.organisations.models import Invitation, JoinRequest, Membership, Organisation, Role
from app.organisations.permissions import (
    can_leave,
    can_manage_members,
    can_view_members,
    is_admin,
    membership_of,
)
from app.organisations.views import get_organisation_or_404

MEMBERS_PER_PAGE = 50

INVITATION_PROBLEMS = {
    "invalid": _l("This invitation link is not valid. Check that you copied the whole address, "
                  "or ask the organisation for a new invitation."),
    "expired": _l("This invitation has expired. Ask the organisation's owner to invite you again."),
    "used": _l("This invitation has already been used. If you accepted it yourself, you find "
               "the organisation under My work."),
}


def _members_url(organisation: Organisation) -> str:
    return url_for("organisations.members", org_id=organisation.id)


def _role_form(membership: Membership, formdata=None) -> MemberRoleForm:
    data = {"role": membership.role.value, "is_call_manager": membership.is_call_manager,
            "is_reviewer": membership.is_reviewer}
    if formdata is None:
        form = MemberRoleForm(prefix=f"m{membership.id}", formdata=None, data=data)
    else:
        form = MemberRoleForm(prefix=f"m{membership.id}")
    # Every row has these fields: the labels say whose they are.
    name = membership.user.display_name
    form.role.label.text = _l("Role of %(name)s", name=name)
    form.is_call_manager.label.text = _l("%(name)s is a call manager", name=name)
    form.is_reviewer.label.text = _l("%(name)s is a reviewer", name=name)
    return form


def _other_members(organisation: Organisation) -> list[Membership]:
    """Everyone but the current user: candidates for the ownership."""
    return list(db.session.scalars(
        select(Membership).join(User, User.id == Membership.user_id)
        .options(selectinload(Membership.user))
        .where(Membership.organisation_id == organisation.id, Membership.user_id != current_user.id)
        .order_by(func.lower(User.name), Membership.id)
    ))


def _members_page(organisation: Organisation, *, invite_form=None, transfer_form=None,
                  failed_role: tuple[int, MemberRoleForm] | None = None, status: int = 200):
    order = case({Role.owner: 0, Role.editor: 1}, value=Membership.role, else_=2)
    pagination = db.paginate(
        select(Membership).join(User, User.id == Membership.user_id)
        .options(selectinload(Membership.user))
        .where(Membership.organisation_id == organisation.id)
        .order_by(order, func.lower(User.name), Membership.id),
        page=page_arg(), per_page=MEMBERS_PER_PAGE, error_out=False,
    )
    manage = can_manage_members(current_user, organisation)
    context = {"organisation": organisation, "pagination": pagination, "manage": manage,
               "own_membership": membership_of(current_user, organisation)}
    if manage or is_admin(current_user):
        context["invitations"] = queries.pending_invitations(organisation)
        context["join_requests"] = queries.pending_join_requests(organisation)
    if manage:
        role_forms = {m.id: _role_form(m) for m in pagination.items}
        if failed_role is not None:
            if failed_role[0] in role_forms:
                role_forms[failed_role[0]] = failed_role[1]
            else:  # the row is on another page: say what was wrong in a message instead
                for errors in failed_role[1].errors.values():
                    for message in errors:
                        flash(message, "error")
        context.update(
            role_forms=role_forms,
            invite_form=invite_form or InviteForm(formdata=None),
            transfer_form=transfer_form or TransferForm(formdata=None,
                                                        members=_other_members(organisation)),
        )
    return render_template("organisations/members.html", **context), status


def _membership_or_404(organisation: Organisation, membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.organisation_id != organisation.id:
        abort(404)
    return membership


@bp.get("/organisations/<int:org_id>/members")
@login_required
def members(org_id: int):
    organisation = get_organisation_or_404(org_id, check=can_view_members)
    return _members_page(organisation)


@bp.post("/organisations/<int:org_id>/invitations")
@login_required
def invite(org_id: int):
    organisation = get_organisation_or_404(org_id, check=can_manage_members)
    form = InviteForm()
    status = 422
    if form.validate_on_submit():
        outcome = perform(lambda: services.invite_member(current_user, organisation,
                                                         form.email.data, Role(form.role.data)),
                          form=form)
        if outcome.ok:
            flash(_l("We sent an invitation to %(email)s. The link is valid for 14 days.",
                     email=form.email.data.strip().lower()), "success")
            return redirect(_members_url(organisation))
        status = outcome.status
    return _members_page(organisation, invite_form=form, status=status)


@bp.post("/organisations/<int:org_id>/members/<int:membership_id>/role")
@login_required
def member_role(org_id: int, membership_id: int):
    organisation = get_organisation_or_404(org_id, check=can_manage_members)
    membership = _membership_or_404(organisation, membership_id)
    form = _role_form(membership, formdata=request.form)
    if form.validate_on_submit():
        name = membership.user.display_name
        perform(lambda: services.change_role(current_user, membership, Role(form.role.data),
                                             call_manager=form.is_call_manager.data,
                                             reviewer=form.is_reviewer.data)).flash(
            _l("The role of %(name)s has been changed.", name=name))
        return redirect(_members_url(organisation))
    return _members_page(organisation, failed_role=(membership.id, form), status=422)


@bp.post("/organisations/<int:org_id>/members/<int:membership_id>/remove")
@login_required
def member_remove(org_id: int, membership_id: int):
    organisation = get_organisation_or_404(org_id, check=can_manage_members)
    membership = _membership_or_404(organisation, membership_id)
    if ActionForm().validate_on_submit():
        name = membership.user.display_name
        perform(lambda: services.remove_member(current_user, membership)).flash(
            _l("%(name)s has been removed from the organisation.", name=name))
    return redirect(_members_url(organisation))


@bp.post("/organisations/<int:org_id>/transfer")
@login_required
def transfer(org_id: int):
    organisation = get_organisation_or_404(org_id, check=can_manage_members)
    form = TransferForm(members=_other_members(organisation))
    status = 422
    if form.validate_on_submit():
        new_owner = _membership_or_404(organisation, int(form.member.data))
        outcome = perform(lambda: services.transfer_ownership(current_user, organisation,
                                                              new_owner), form=form)
        if outcome.ok:
            flash(_l("%(name)s is now an owner. You remain in the organisation as an editor.",
                     name=new_owner.user.display_name), "success")
            return redirect(_members_url(organisation))
        status = outcome.status
    return _members_page(organisation, transfer_form=form, status=status)


@bp.post("/organisations/<int:org_id>/invitations/<int:invitation_id>/revoke")
@login_required
def invitation_revoke(org_id: int, invitation_id: int):
    organisation = get_organisation_or_404(org_id, check=can_manage_members)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != organisation.id:
        abort(404)
    if ActionForm().validate_on_submit():
        email = invitation.email
        perform(lambda: services.revoke_invitation(current_user, invitation)).flash(
            _l("The invitation to %(email)s has been cancelled.", email=email))
    return redirect(_members_url(organisation))


@bp.post("/organisations/<int:org_id>/join-requests/<int:request_id>")
@login_required
def join_request_decide(org_id: int, request_id: int):
    organisation = get_organisation_or_404(org_id, check=can_manage_members)
    join_request = db.session.get(JoinRequest, request_id)
    if join_request is None or join_request.organisation_id != organisation.id:
        abort(404)
    form = JoinDecisionForm()
    if not form.validate_on_submit():
        abort(400)
    approve = form.decision.data == "approve"
    outcome = perform(lambda: services.decide_join_request(current_user, join_request, approve))
    outcome.flash()
    if outcome.ok:
        name = join_request.user.display_name
        if approve:
            flash(_l("%(name)s is now a member.", name=name), "success")
        else:
            flash(_l("The request of %(name)s has been declined.", name=name), "info")
    return redirect(_members_url(organisation))


@bp.post("/organisations/<int:org_id>/leave")
@login_required
def leave(org_id: int):
    organisation = get_organisation_or_404(org_id, check=can_leave)
    membership = membership_of(current_user, organisation)
    if ActionForm().validate_on_submit():
        outcome = perform(lambda: services.leave_organisation(current_user, membership))
        if not outcome.ok:
            outcome.flash()
            return redirect(_members_url(organisation))
        flash(_l("You have left %(org)s.", org=organisation.name), "success")
        return redirect(url_for("organisations.dashboard"))
    return redirect(_members_url(organisation))


# --- accepting an invitation ---------------------------------------------------------------


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation_accept(token: str):
    """The link in the mail shows the invitation; the button (POST) accepts it."""
    try:
        invitation = services.invitation_from_token(token)
    except TokenError as error:
        return render_template("organisations/invitation_problem.html",
                               message=INVITATION_PROBLEMS[error.reason]), 400
    status = 200
    if request.method == "POST":
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.path))
        if ActionForm().validate_on_submit():
            try:
                outcome = perform(lambda: services.accept_invitation(current_user, token))
            except TokenError as error:
                # Not a DomainError: the unit of work lets it through without a rollback.
                db.session.rollback()
                return render_template("organisations/invitation_problem.html",
                                       message=INVITATION_PROBLEMS[error.reason]), 400
            outcome.flash()
            if outcome.ok:
                flash(_l("Welcome! You are now a member of %(org)s.",
                         org=invitation.organisation.name), "success")
                return redirect(url_for("organisations.detail",
                                        org_id=invitation.organisation_id))
            status = outcome.status
    already_member = (current_user.is_authenticated
                      and membership_of(current_user, invitation.organisation) is not None)
    return render_template("organisations/invitation.html", invitation=invitation, token=token,
                           already_member=already_member), status
