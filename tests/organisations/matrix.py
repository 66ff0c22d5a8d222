"""Expected answers of the organisation URL rules for tests/security/test_authorization_matrix.py.

The world there: A is a verified NGO (owner_a owns it; member_a and conflicted_reviewer are
members), B another NGO (member_b), and an ELY-centre (reviewer, conflicted_reviewer,
call_manager). URLs point at A, at member_a's membership, at an open invitation and a pending
join request of A, and at an invalid invitation token. POSTs carry only a CSRF token.
"""

from __future__ import annotations

ROLES = [
    "anonymous", "member_a", "owner_a", "member_b", "reviewer", "conflicted_reviewer",
    "call_manager", "admin",
]
MEMBERS_OF_A = ("member_a", "owner_a", "conflicted_reviewer")


def _every(code, **overrides):
    return {role: overrides.get(role, code) for role in ROLES}


def _signed_in(code, **overrides):
    return _every(code, anonymous=302, **overrides)


def _members_of_a(owner, member, admin):
    """Signed-in pages about A: non-members get 404; members and admins as given."""
    return _signed_in(404, owner_a=owner, member_a=member, conflicted_reviewer=member,
                      admin=admin)


def _owners_only(owner):
    """Owner actions on A: other members and admins 403, outsiders 404."""
    return _members_of_a(owner=owner, member=403, admin=403)


def _admins_only(admin):
    return _signed_in(403, admin=admin)


MATRIX: dict[str, dict[str, dict]] = {
    # public
    "organisations.directory": {"GET": _every(200)},
    "organisations.detail": {"GET": _every(200)},
    # every signed-in test user has a verified e-mail; the empty form is refused
    "organisations.create": {"GET": _signed_in(200), "POST": _signed_in(400)},
    "organisations.edit": {"GET": _owners_only(200), "POST": _owners_only(400)},
    # A is verified, so there is nothing to resubmit, even for its owner
    "organisations.resubmit": {"POST": _owners_only(403)},
    # outsiders' requests are sent; members are told they already belong
    "organisations.join_request": {"POST": _signed_in(302)},
    "organisations.dashboard": {"GET": _signed_in(200)},
    "organisations.members": {"GET": _members_of_a(owner=200, member=200, admin=200)},
    "organisations.invite": {"POST": _owners_only(400)},
    "organisations.member_role": {"POST": _owners_only(400)},
    "organisations.member_remove": {"POST": _owners_only(302)},
    "organisations.transfer": {"POST": _owners_only(400)},
    "organisations.invitation_revoke": {"POST": _owners_only(302)},
    "organisations.join_request_decide": {"POST": _owners_only(400)},
    # members leave (the last owner is refused with a message and a redirect)
    "organisations.leave": {"POST": _members_of_a(owner=302, member=302, admin=403)},
    "organisations.invitation_accept": {"GET": _every(400), "POST": _every(400)},
    "organisations.admin_queue": {"GET": _admins_only(200)},
    # A is already verified: the admin gets a message and a redirect
    "organisations.admin_verify": {"POST": _admins_only(302)},
    "organisations.admin_reject": {"POST": _admins_only(400)},
    # one organisation's funding-authority capability and lifecycle: administrators only
    # (the empty form lacks the name; the toggle without "enable" is refused with a message)
    "organisations.admin_detail": {"GET": _admins_only(200), "POST": _admins_only(400)},
    "organisations.admin_funding_authority": {"POST": _admins_only(302)},
}
