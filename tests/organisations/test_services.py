"""Services as plain functions: the rules hold whatever view calls them."""

import pytest
from sqlalchemy import func, select

from app.core.domain import DomainError
from app.organisations import queries, services
from app.organisations.models import (
    JoinRequestState,
    Membership,
    OrganisationStatus,
    Role,
)


def test_call_roles_are_refused_outside_ely_centres(make_user, make_organisation, add_member, db):
    owner = make_user()
    ngo = make_organisation(owner=owner)
    membership = add_member(ngo, make_user())
    with pytest.raises(DomainError):
        services.change_role(owner, membership, Role.member, reviewer=True)
    db.session.rollback()
    ely = make_organisation(type="regional_authority", owner=owner)
    membership = add_member(ely, make_user())
    services.change_role(owner, membership, Role.member, call_manager=True, reviewer=True)
    assert membership.is_call_manager and membership.is_reviewer


def test_approving_a_request_of_someone_who_already_joined(app, make_user, make_organisation,
                                                           add_member, db, mailbox):
    owner, person = make_user(), make_user()
    organisation = make_organisation(owner=owner)
    with app.test_request_context():  # the mails link back to the site
        join_request = services.request_to_join(person, organisation, "")
        add_member(organisation, person)  # e.g. joined by an invitation meanwhile
        services.decide_join_request(owner, join_request, approve=True)
        db.session.commit()
    assert join_request.state == JoinRequestState.approved
    count = db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.organisation_id == organisation.id, Membership.user_id == person.id))
    assert count == 1


def test_members_and_rejected_organisations_take_no_join_requests(make_user, make_organisation,
                                                                  add_member, db):
    owner, member = make_user(), make_user()
    organisation = make_organisation(owner=owner)
    add_member(organisation, member)
    with pytest.raises(DomainError):
        services.request_to_join(member, organisation, "")
    organisation.status = OrganisationStatus.rejected
    with pytest.raises(DomainError):
        services.request_to_join(make_user(), organisation, "")


def test_reject_needs_a_reason_and_only_once(app, admin, make_organisation, db, mailbox):
    organisation = make_organisation(verified=False)
    with pytest.raises(DomainError) as error:
        services.reject_organisation(admin, organisation, "  ")
    assert error.value.field == "reason"
    with app.test_request_context():
        services.reject_organisation(admin, organisation, "Puuttuu.")
    with pytest.raises(DomainError):
        services.reject_organisation(admin, organisation, "Taas.")


def test_owners_by_organisation(make_user, make_organisation, add_member):
    first, second = make_user(name="A"), make_user(name="B")
    one = make_organisation(owner=first)
    add_member(one, second, Role.owner)
    add_member(one, make_user(), Role.editor)
    two = make_organisation(owner=second)
    owners = queries.owners_by_organisation([one.id, two.id, 999])
    assert [u.id for u in owners[one.id]] == [first.id, second.id]
    assert [u.id for u in owners[two.id]] == [second.id]
    assert owners[999] == []
    assert queries.owners_by_organisation([]) == {}
