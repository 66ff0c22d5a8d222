"""Each workflow event leaves one audit entry (action, actor, object, organisation) and sends its
mail to exactly the right people once the transaction has committed.

The cast is tests.fixtures.calls.make_cast: Hakija ry (lead_owner, lead_editor, lead_member,
and conflicted_manager, a call manager who is also its member), an accepted partner Kumppani ry
(its owner, partner_editor, partner_conflicted_manager), an invited partner Kutsuttu ry, the
ELY-centre's call managers, a reviewer, an outsider and an administrator.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.applications import services as applications
from app.applications import workflow
from app.core.audit import AuditLog
from app.organisations.models import Membership, Role
from tests.fixtures.calls import after_close, during, proposal_values

# Members of the lead and of the accepted partner: who hears about the applicant's own events.
APPLICANTS = {"lead_owner", "lead_editor", "lead_member", "conflicted_manager",
              "partner_editor", "partner_conflicted_manager", "accepted_org_owner"}
# The call managers of the call's ELY-centre (conflicted ones too: they are told, never act).
MANAGERS = {"call_manager", "conflicted_manager", "partner_conflicted_manager"}
# Those of them who hear as the ELY-centre: not a member of the lead or of a partner (the
# conflicted ones hear of the application as its applicants).
CLEAR_MANAGERS = {"call_manager"}


def _owner(db, organisation_id):
    return db.session.scalar(select(Membership).where(
        Membership.organisation_id == organisation_id, Membership.role == Role.owner)).user


class Events:
    """Runs one event and collects what it left: the new audit entries and the mails sent."""

    def __init__(self, db, mailbox, cast):
        self.db, self.mailbox, self.cast = db, mailbox, cast
        self.people = {role: user for role, user in cast.people.items() if role != "anonymous"}
        application = cast.application
        self.people["accepted_org_owner"] = _owner(db, cast.accepted_partner.organisation_id)
        self.people["invited_org_owner"] = _owner(db, cast.invited_partner.organisation_id)
        self.now = during(application.call)
        self._flush()  # the mails of the cast's own making are not the event's

    def _flush(self):
        from app.core.outbox import flush_outbox

        self.db.session.commit()
        flush_outbox()

    def run(self, action):
        seen_mail = {m["Message-ID"] for m in self.mailbox.messages()}
        last_audit = self.db.session.scalar(select(func.max(AuditLog.id))) or 0
        result = action()
        self.db.session.flush()
        self.entries = list(self.db.session.scalars(
            select(AuditLog).where(AuditLog.id > last_audit).order_by(AuditLog.id)))
        self._flush()
        self.mails = [m for m in self.mailbox.messages() if m["Message-ID"] not in seen_mail]
        return result

    def entry(self, action: str) -> AuditLog:
        found = [e for e in self.entries if e.action == action]
        assert len(found) == 1, f"{action}: {[e.action for e in self.entries]}"
        return found[0]

    def recipients(self, subject_start: str = "") -> set[str]:
        """The roles that got a mail whose subject starts with `subject_start`."""
        by_email = {user.email: role for role, user in self.people.items()}
        got = [m["To"] for m in self.mails if m["Subject"].startswith(subject_start)]
        assert len(got) == len(set(got)), f"a mail went twice: {sorted(got)}"
        unknown = set(got) - set(by_email)
        assert not unknown, unknown
        return {by_email[email] for email in got}


@pytest.fixture
def events(make_cast, db, mailbox):
    def _events(state: str, decline_invitation: bool = False) -> Events:
        cast = make_cast(state)
        if decline_invitation:  # a pending invitation stops submitting and supplementing
            applications.respond_to_partnership(cast.people["invited_partner_editor"],
                                                cast.invited_partner, False,
                                                now=during(cast.call))
        return Events(db, mailbox, cast)

    return _events


def _assert_entry(entry, actor, application, organisation_id):
    assert entry.actor_id == actor.id
    assert (entry.object_type, entry.object_id) == ("application", application.id)
    assert entry.organisation_id == organisation_id


def test_submit(events):
    ev = events("draft", decline_invitation=True)
    application, editor = ev.cast.application, ev.people["lead_editor"]
    revision = ev.run(lambda: workflow.submit_application(editor, application, now=ev.now))
    entry = ev.entry("application.submitted")
    _assert_entry(entry, editor, application, application.organisation_id)
    assert entry.details == {"revision": revision.number}
    assert ev.recipients("Application submitted") == APPLICANTS
    assert ev.recipients("New application") == CLEAR_MANAGERS
    assert ev.recipients() == APPLICANTS | CLEAR_MANAGERS


def test_start_review(events):
    ev = events("submitted")
    application, manager = ev.cast.application, ev.people["call_manager"]
    ev.run(lambda: workflow.start_review(manager, application, now=ev.now))
    _assert_entry(ev.entry("application.review_started"), manager, application,
                  application.call.organisation_id)
    assert ev.recipients() == set()  # taking into review is not announced


def test_request_info(events):
    ev = events("in_review")
    application, manager = ev.cast.application, ev.people["call_manager"]
    ev.run(lambda: workflow.request_more_info(manager, application, "Tarkenna budjettia.",
                                              ev.now + timedelta(days=7), now=ev.now))
    _assert_entry(ev.entry("application.info_requested"), manager, application,
                  application.call.organisation_id)
    assert ev.recipients("More information requested") == APPLICANTS
    assert ev.recipients() == APPLICANTS
    body = ev.mailbox.body(ev.mails[0])
    assert "Tarkenna budjettia." in body
    assert f"/calls/applications/{application.id}" in body


def test_supplement(events):
    ev = events("more_info_requested", decline_invitation=True)
    application, owner = ev.cast.application, ev.people["lead_owner"]
    revision = ev.run(lambda: workflow.supplement_application(owner, application, now=ev.now))
    entry = ev.entry("application.supplemented")
    _assert_entry(entry, owner, application, application.organisation_id)
    assert entry.details == {"revision": revision.number} and revision.number == 2
    assert ev.recipients("Additional information sent") == APPLICANTS
    assert ev.recipients("Additional information received") == CLEAR_MANAGERS


@pytest.mark.parametrize("state", ["submitted", "in_review", "more_info_requested"])
def test_withdraw(events, state):
    ev = events(state)
    application, owner = ev.cast.application, ev.people["lead_owner"]
    ev.run(lambda: workflow.withdraw_application(owner, application, now=ev.now))
    entry = ev.entry("application.withdrawn")
    _assert_entry(entry, owner, application, application.organisation_id)
    assert entry.details == {"previous": state}
    assert ev.recipients("Application withdrawn") == MANAGERS
    assert ev.recipients() == MANAGERS


@pytest.mark.parametrize("approve", [True, False], ids=["approve", "reject"])
def test_decide(events, approve):
    """The presenting officer proposes (the decision makers are told), another decision maker
    confirms after the close (the applicants are told)."""
    from app.reviews import services as reviews

    ev = events("in_review")
    application, officer = ev.cast.application, ev.people["call_manager"]
    ev.people["ely_owner"] = _owner(ev.db, application.call.organisation_id)
    now = after_close(application.call)
    values = proposal_values(application, approve, justification="Perustelut: 80 / 100.")
    decision = ev.run(lambda: reviews.propose_decision(officer, application, values, now=now))
    proposed = ev.entry("decision.proposed")
    assert (proposed.actor_id, proposed.object_type) == (officer.id, "decision")
    assert application.state == "in_review"
    # the decision makers: the centre's owner (the proposer is not told; the conflicted call
    # managers never are)
    assert ev.recipients() == {"ely_owner"}
    maker = ev.people["ely_owner"]
    ev.run(lambda: reviews.confirm_decision(maker, decision, now=now))
    entry = ev.entry("application.decided")
    _assert_entry(entry, maker, application, application.call.organisation_id)
    granted = application.support_cents if approve else None
    expected = {"outcome": "approved", "granted": granted} if approve else {"outcome": "rejected"}
    assert entry.details == expected
    confirmed = ev.entry("decision.confirmed")
    assert (confirmed.actor_id, confirmed.object_id) == (maker.id, decision.id)
    assert ev.recipients("Decision on the application") == APPLICANTS
    assert ev.recipients() == APPLICANTS
    body = ev.mailbox.body(ev.mails[0])
    assert "Perustelut: 80 / 100." in body
    assert ("has approved" in body) is approve


def test_partner_invited(events, make_organisation, make_user, add_member):
    ev = events("draft")
    application, owner = ev.cast.application, ev.people["lead_owner"]
    ev.people["new_org_owner"] = make_user()
    new_org = make_organisation(name="Uusi kumppani ry", owner=ev.people["new_org_owner"])
    for role, member_role in (("new_org_editor", Role.editor), ("new_org_member", Role.member)):
        ev.people[role] = make_user()
        add_member(new_org, ev.people[role], member_role)
    partner = ev.run(lambda: applications.invite_partner(owner, application, new_org,
                                                         now=ev.now))
    entry = ev.entry("application.partner_invited")
    _assert_entry(entry, owner, application, application.organisation_id)
    assert entry.details == {"partner": new_org.id}
    assert partner.state == "invited"
    # the invited organisation's editors and owners, who can answer; not its plain members
    assert ev.recipients() == {"new_org_owner", "new_org_editor"}


@pytest.mark.parametrize("accept", [True, False], ids=["accepted", "declined"])
def test_partner_answers(events, accept):
    ev = events("draft")
    application, editor = ev.cast.application, ev.people["invited_partner_editor"]
    partner = ev.cast.invited_partner
    ev.run(lambda: applications.respond_to_partnership(editor, partner, accept, now=ev.now))
    action = "application.partner_accepted" if accept else "application.partner_declined"
    _assert_entry(ev.entry(action), editor, application, partner.organisation_id)
    assert partner.state == ("accepted" if accept else "declined")
    assert ev.recipients() == set()  # the answer is seen on the application page


def test_a_refused_event_leaves_no_entry_and_no_mail(events):
    from app.core.domain import NotAllowed
    from app.reviews import services as reviews

    ev = events("in_review")
    now = after_close(ev.cast.application.call)
    application, manager = ev.cast.application, ev.people["conflicted_manager"]
    decision = reviews.propose_decision(ev.people["call_manager"], application,
                                        proposal_values(application), now=now)
    with pytest.raises(NotAllowed):
        ev.run(lambda: reviews.confirm_decision(manager, decision, now=now))
    ev.db.session.rollback()
    ev._flush()
    assert ev.db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "application.decided")) == 0
    assert not [m for m in ev.mailbox.messages() if m["Subject"].startswith("Decision")]
