"""Organisation services check their actor themselves, with the views' predicates.

Each service is called directly (no view in front of it) by actors who may not act: an
outsider, a plain member or an editor where owners are needed, a member of another
organisation, someone who is not signed in. Each is refused with NotAllowed, and nothing
changed: no row, no audit entry, no queued mail, no search change. The rightful actor
succeeds with the same arguments, so a refusal is never an accident of the set-up.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from app.core.audit import AuditLog
from app.core.changes import SearchChange
from app.core.domain import NotAllowed
from app.core.outbox import OutboundMail
from app.core.tokens import make_token
from app.organisations import services
from app.organisations.models import (
    Invitation,
    JoinRequest,
    Membership,
    Organisation,
    OrganisationRegion,
    OrganisationStatus,
    Role,
)


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():  # the mails the services queue link back to the site
        yield


@pytest.fixture
def world(make_user, make_organisation, add_member, admin, db):
    """`organisation` with its owner, an editor and a plain member; another organisation with
    its owner (`other`); a verified outsider; an unverified person; a pending invitation and
    a pending join request of `organisation`."""
    w = SimpleNamespace(owner=make_user(), editor=make_user(), member=make_user(),
                        other=make_user(), outsider=make_user(), requester=make_user(),
                        unverified=make_user(verified=False), admin=admin,
                        anonymous=AnonymousUserMixin())
    w.organisation = make_organisation(name="Toimijat ry", owner=w.owner, verified=False)
    w.editor_membership = add_member(w.organisation, w.editor, Role.editor)
    w.member_membership = add_member(w.organisation, w.member, Role.member)
    w.other_organisation = make_organisation(name="Muut ry", owner=w.other)
    w.invitation = services.invite_member(w.owner, w.organisation, "kutsuttu@example.fi",
                                           Role.editor)
    w.token = make_token("invite", {"iid": w.invitation.id, "n": "test"})
    w.join_request = services.request_to_join(w.requester, w.organisation, "Ottakaa mukaan!")
    db.session.commit()
    return w


def _update(w):
    data = {"name": "Uusi nimi ry", "business_id": w.organisation.business_id, "type": "ngo",
            "regions": ["MK01"], "target_groups": []}
    return lambda actor: services.update_organisation(actor, w.organisation, data)


def _resubmit(w):
    w.organisation.status = OrganisationStatus.rejected
    w.organisation.rejection_reason = "Y-tunnus ei täsmää."
    return lambda actor: services.resubmit_for_verification(actor, w.organisation)


def _accept(w):
    return lambda actor: services.accept_invitation(actor, w.token)


def _create(w):
    data = {"name": "Uusi yhdistys ry", "business_id": "0737546-2", "type": "ngo",
            "regions": ["MK01"], "target_groups": []}
    return lambda actor: services.create_organisation(actor, data)


NOT_OWNERS = ("outsider", "member", "editor", "other", "anonymous")

# service: (set-up returning the call, who is refused, who may)
CASES = {
    "create_organisation": (_create, ("unverified", "anonymous"), "outsider"),
    "update_organisation": (_update, NOT_OWNERS, "owner"),
    "verify_organisation": (
        lambda w: lambda actor: services.verify_organisation(actor, w.organisation),
        ("owner", *NOT_OWNERS), "admin"),
    "reject_organisation": (
        lambda w: lambda actor: services.reject_organisation(actor, w.organisation, "Ei käy."),
        ("owner", *NOT_OWNERS), "admin"),
    "resubmit_for_verification": (_resubmit, NOT_OWNERS, "owner"),
    "change_role": (
        lambda w: lambda actor: services.change_role(actor, w.member_membership, Role.owner),
        NOT_OWNERS, "owner"),
    "remove_member": (
        lambda w: lambda actor: services.remove_member(actor, w.member_membership),
        NOT_OWNERS, "owner"),
    "leave_organisation": (  # only one's own membership
        lambda w: lambda actor: services.leave_organisation(actor, w.member_membership),
        ("owner", "editor", "outsider", "other", "anonymous"), "member"),
    "transfer_ownership": (
        lambda w: lambda actor: services.transfer_ownership(actor, w.organisation,
                                                            w.editor_membership),
        ("outsider", "member", "other", "anonymous"), "owner"),
    "invite_member": (
        lambda w: lambda actor: services.invite_member(actor, w.organisation,
                                                       "toinen@example.fi", Role.owner),
        NOT_OWNERS, "owner"),
    "revoke_invitation": (
        lambda w: lambda actor: services.revoke_invitation(actor, w.invitation),
        NOT_OWNERS, "owner"),
    "accept_invitation": (  # the invitation was sent to kutsuttu@example.fi
        _accept, ("owner", "outsider", "member", "other", "anonymous"), "invitee"),
    "request_to_join": (
        lambda w: lambda actor: services.request_to_join(actor, w.organisation, "Hei!"),
        ("unverified", "anonymous"), "outsider"),
    "decide_join_request": (
        lambda w: lambda actor: services.decide_join_request(actor, w.join_request, True),
        NOT_OWNERS, "owner"),
}

REFUSALS = [(name, actor) for name, (_, refused, _) in CASES.items() for actor in refused]


def snapshot(db) -> dict:
    """Everything these services may change, as plain tuples."""
    def rows(*columns):
        return db.session.execute(select(*columns).order_by(columns[0])).all()

    return {
        "organisations": rows(Organisation.id, Organisation.name, Organisation.business_id,
                              Organisation.type, Organisation.status, Organisation.verified_at,
                              Organisation.rejection_reason, Organisation.description),
        "regions": rows(OrganisationRegion.organisation_id, OrganisationRegion.code),
        "memberships": rows(Membership.id, Membership.organisation_id, Membership.user_id,
                            Membership.role, Membership.is_call_manager, Membership.is_reviewer),
        "invitations": rows(Invitation.id, Invitation.email, Invitation.role,
                            Invitation.accepted_at, Invitation.accepted_by_id,
                            Invitation.revoked_at),
        "join_requests": rows(JoinRequest.id, JoinRequest.user_id, JoinRequest.state,
                              JoinRequest.decided_by_id),
        "audit": rows(AuditLog.id, AuditLog.action),
        "mail": rows(OutboundMail.id),
        "search": rows(SearchChange.id),
    }


def _actor(w, name, make_user):
    if name == "invitee":
        return make_user(email="kutsuttu@example.fi")
    return getattr(w, name)


@pytest.mark.parametrize(("service", "actor"), REFUSALS)
def test_an_actor_without_the_right_is_refused_and_nothing_changes(service, actor, world,
                                                                   make_user, db):
    setup, _, _ = CASES[service]
    call = setup(world)
    db.session.flush()
    before = snapshot(db)
    with pytest.raises(NotAllowed):
        call(_actor(world, actor, make_user))
    assert snapshot(db) == before


@pytest.mark.parametrize("service", list(CASES))
def test_the_rightful_actor_may(service, world, make_user, db):
    setup, _, allowed = CASES[service]
    call = setup(world)
    db.session.flush()
    before = snapshot(db)
    call(_actor(world, allowed, make_user))
    assert snapshot(db)["audit"] != before["audit"]


def test_accepting_someone_elses_invitation_says_why(world, make_user):
    with pytest.raises(NotAllowed, match="sent to another e-mail address"):
        services.accept_invitation(world.outsider, world.token)
