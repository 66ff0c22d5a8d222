"""Proposed authorization-matrix rows for the calls blueprint (see
tests/security/test_authorization_matrix.py for the format and the codes).

The objects (tests.fixtures.calls.matrix_objects): an OPEN call run by the world's ELY-centre,
where call_manager is a call manager and reviewer / conflicted_reviewer are reviewers; and an
application by organisation A, SUBMITTED (so its content is locked and the call manager sees
it), with a staff line, an accepted partner (a third organisation), a linked service model and
a stored attachment. URL arguments: call_id, application_id, criterion_id, line_id,
partner_id, link_id, attachment_id, section="background"; revision numbers are query
arguments (rev_a, rev_b) and default to the latest two.

Who sees the application: its lead's members (member_a, owner_a, and conflicted_reviewer, who
is a member of A) and the call's call managers; everyone else gets 404. Content routes answer
403 to those who see it, because the content is locked after submission.
"""

from __future__ import annotations

from tests.security.test_authorization_matrix import every, signed_in

# Those who can see the application; others (member_b, reviewer, admin) get 404.
VIEWERS = ("member_a", "owner_a", "conflicted_reviewer", "call_manager")
ELY_MEMBERS = ("reviewer", "conflicted_reviewer", "call_manager")


def viewers(code, **overrides):
    """Signed-in viewers of A's application get `code`, other signed-in people 404."""
    row = signed_in(404, **{role: code for role in VIEWERS})
    row.update(overrides)
    return row


def ely(code, manager=None, **overrides):
    """Call-manager pages: members of the ELY-centre get `code` (403 when refused), the call
    manager `manager`, everyone else 404."""
    row = signed_in(404, **{role: code for role in ELY_MEMBERS})
    row["call_manager"] = manager if manager is not None else code
    row.update(overrides)
    return row


LOCKED = viewers(403)  # a content POST on a submitted application

MATRIX: dict[str, dict[str, dict]] = {
    # public
    "calls.index": {"GET": every(200)},
    "calls.detail": {"GET": every(200)},
    "calls.feed": {"GET": every(200)},
    # call managers
    "calls.manage": {"GET": signed_in(403, call_manager=200)},
    "calls.call_new": {"GET": signed_in(403, call_manager=200),
                       "POST": signed_in(403, call_manager=400)},
    "calls.call_edit": {"GET": ely(403, 200), "POST": ely(403, 400)},
    "calls.call_publish": {"POST": ely(403)},  # already published
    "calls.call_unpublish": {"POST": ely(403)},  # already open
    "calls.criteria": {"GET": ely(403, 200)},
    "calls.criterion_add": {"POST": ely(403)},  # frozen: the call is open
    "calls.criterion_save": {"POST": ely(403)},
    "calls.criterion_delete": {"POST": ely(403)},
    "calls.criteria_weights": {"POST": ely(403)},
    "calls.fees": {"GET": ely(403, 200), "POST": ely(403)},  # frozen: the call is open
    "calls.fee_delete": {"POST": ely(403)},
    # the provider registry of a service-voucher call: public, but the world's call is a
    # grant call, which has none (tests/calls/test_providers.py covers a voucher call)
    "calls.providers": {"GET": every(404)},
    # documents and information sessions (the matrix call is published: its documents are
    # public); a POST without a file or a time is refused input (422) for the call manager
    "calls.documents_page": {"GET": ely(403, 200)},
    "calls.document_add": {"POST": ely(403, 400)},
    "calls.document_download": {"GET": every(200)},
    "calls.document_delete": {"POST": ely(403, 302)},
    "calls.session_add": {"POST": ely(403, 400)},
    "calls.session_delete": {"POST": ely(403, 302)},
    "applications.call_applications": {"GET": ely(403, 200)},
    "applications.call_applications_csv": {"GET": ely(403, 200)},
    # applying
    "applications.application_new": {"GET": signed_in(403, owner_a=200),
                              "POST": signed_in(403, owner_a=400)},
    "applications.applications_mine": {"GET": signed_in(200)},
    "applications.application_detail": {"GET": viewers(200)},
    "applications.application_print": {"GET": viewers(200)},
    "applications.eura": {"GET": viewers(200)},
    "applications.eura_json": {"GET": viewers(200)},
    "applications.application_revisions": {"GET": viewers(200)},
    "applications.application_compare": {"GET": viewers(200)},
    "applications.application_submitted": {"GET": viewers(200)},
    "applications.application_attachment_download": {"GET": viewers(200)},
    # Back after submitting: the submit page sends viewers to what was submitted.
    "applications.application_submit": {"GET": viewers(302), "POST": LOCKED},
    "applications.application_section_save": {"POST": LOCKED},
    "applications.application_section_autosave": {"POST": LOCKED},
    "applications.application_budget_totals": {"POST": LOCKED},
    "applications.application_line_add": {"POST": LOCKED},
    "applications.application_line_save": {"POST": LOCKED},
    "applications.application_line_delete": {"POST": LOCKED},
    # budget: the staff-cost model and the lead's costs outside the flat rate (content POSTs);
    # a partner's part (the matrix partner is a cooperation partner, which has no part: 403
    # to those who see the application; tests/security/test_part_matrix.py has the parts of
    # co-implementers)
    "applications.application_staff_model_save": {"POST": LOCKED},
    "applications.application_costs_save": {"POST": LOCKED},
    "applications.application_part_totals": {"POST": LOCKED},
    "applications.application_part_line_add": {"POST": LOCKED},
    "applications.application_part_line_save": {"POST": LOCKED},
    "applications.application_part_line_delete": {"POST": LOCKED},
    "applications.application_part_figures_save": {"POST": LOCKED},
    # outcome plan (outcome-based calls) and provider offer (voucher calls): content POSTs
    "applications.application_outcomes_save": {"POST": LOCKED},
    "applications.application_outcomes_totals": {"POST": LOCKED},
    "applications.application_offer_save": {"POST": LOCKED},
    "applications.application_partner_invite": {"POST": LOCKED},
    "applications.application_partner_remove": {"POST": LOCKED},
    "applications.application_partner_accept": {"POST": LOCKED},
    "applications.application_partner_decline": {"POST": LOCKED},
    "applications.application_practice_link": {"POST": LOCKED},
    "applications.application_practice_unlink": {"POST": LOCKED},
    "applications.application_attachment_add": {"POST": LOCKED},
    "applications.application_attachment_delete": {"POST": LOCKED},
    # workflow
    "applications.application_withdraw": {"POST": viewers(403, owner_a=302)},
    "applications.application_review": {"POST": viewers(403, call_manager=302)},
    "applications.application_request_info": {"GET": viewers(403, call_manager=200),
                                       "POST": viewers(403, call_manager=400)},
    # the former decision page sends whoever sees the application to the decision page
    "applications.application_decide": {"GET": viewers(302)},
}
