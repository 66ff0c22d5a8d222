"""The decision pages over HTTP: the proposal form after the close, the decision maker's
confirm and return, the proposer refused, conflicted people shown nothing, the batch pages
(all or nothing), and the decision document in the decision's language."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.applications.models import ApplicationState
from app.core.templating import local_datetime
from app.extensions import db as _db
from app.organisations.services import forget_memberships
from app.reviews import permissions as perms
from app.reviews import services as reviews
from app.reviews.models import Decision, ProposalState
from tests.fixtures.calls import decide, proposal_values
from tests.reviews.decision_support import LOW, TOP, applicant_emails, review, scene

S = ApplicationState


def _page(application, suffix: str = "") -> str:
    return f"/calls/applications/{application.id}/decision{suffix}"


def _text(response) -> str:
    return response.get_data(as_text=True).replace("\u00a0", " ").replace("\u202f", " ")


# (copy it for each request: the test client adds its CSRF token to the dict it is given)
PROPOSAL = {"outcome": "approve", "granted": "100 000,00", "approved_cost": "125 000",
            "conditions": "Raportoi puolivuosittain.", "eligible_from": "2026-09-01",
            "eligible_until": "2028-08-31", "justification": "Keskiarvo 80 / 100, sija 1 / 1.",
            "language": "fi"}


@pytest.fixture
def closed(make_cast):
    """An application in review in a call that has closed (the real clock is past it)."""
    return scene(make_cast, "closed")


def test_before_the_close_the_page_says_when_and_offers_no_form(make_cast, client, login_as):
    world = scene(make_cast, "open")
    login_as(world.officer)
    response = client.get(_page(world.application))
    assert response.status_code == 200
    html = _text(response)
    assert "Decisions can be made after the call has closed" in html
    assert local_datetime(world.call.closes_at).replace("\u202f", " ") in html
    assert "/decision/propose" not in html
    response = client.post(_page(world.application, "/propose"), data=dict(PROPOSAL))
    assert response.status_code == 422
    assert "only after the call has closed" in _text(response)
    assert perms.application_decision(world.application) is None


def test_the_officer_proposes_with_the_figures_beside_the_form(closed, client, login_as):
    application = closed.application
    review(closed.officer, closed.person("reviewer"), application, TOP)
    login_as(closed.officer)
    html = _text(client.get(_page(application)))
    assert "Review figures" in html and "100,00" in html.replace(".", ",")
    # prefilled: the support applied for, the total eligible cost, the period, a language
    assert 'value="107520,00"' in html.replace(" ", "") or "107 520,00" in html
    assert 'value="2026-09-01"' in html
    assert "Support share: 80,00 %" in html
    assert "Approved funding plan" in html
    response = client.post(_page(application, "/propose"), data=dict(PROPOSAL))
    assert response.status_code == 302
    decision = perms.application_decision(application)
    assert decision.state == ProposalState.proposed
    assert (decision.granted_cents, decision.approved_cost_cents) == (100_000_00, 125_000_00)
    assert decision.support_basis_points == 8000
    assert sum(decision.approved_plan.values()) == 125_000_00
    html = _text(client.get(_page(application)))
    assert "Waiting for the decision maker" in html and "/decision/confirm" not in html


def test_a_refused_proposal_answers_422_with_the_field_message(closed, client, login_as):
    login_as(closed.officer)
    response = client.post(_page(closed.application, "/propose"),
                           data={**PROPOSAL, "granted": "200 000"})
    assert response.status_code == 422
    html = _text(response)
    assert "cannot exceed the support applied for" in html
    assert 'aria-invalid="true"' in html and 'id="granted-error"' in html
    response = client.post(_page(closed.application, "/propose"),
                           data={**PROPOSAL, "granted": "1e400", "eligible_from": "x"})
    assert response.status_code == 422
    assert perms.application_decision(closed.application) is None


def test_over_the_budget_the_page_says_by_how_much(closed, client, login_as):
    closed.call.total_budget_cents = 90_000_00
    _db.session.commit()
    login_as(closed.officer)
    response = client.post(_page(closed.application, "/propose"), data=dict(PROPOSAL))
    assert response.status_code == 422
    assert "would be exceeded by 10,000.00 €" in _text(response)


def test_the_decision_maker_confirms_and_the_proposer_cannot(closed, client, login_as,
                                                            mailbox):
    application = closed.application
    login_as(closed.officer)
    assert client.post(_page(application, "/propose"), data=dict(PROPOSAL)).status_code == 302
    # the proposer: 403 and nothing changes
    response = client.post(_page(application, "/confirm"), data={})
    assert response.status_code == 403
    assert "cannot both present and decide" in _text(response)
    _db.session.expire_all()
    assert application.state == S.in_review
    assert perms.application_decision(application).state == ProposalState.proposed
    login_as(closed.maker)
    html = _text(client.get(_page(application)))
    assert "Confirm the decision" in html and "Return to the presenting officer" in html
    assert "Keskiarvo 80 / 100" in html
    assert client.post(_page(application, "/confirm"), data={}).status_code == 302
    _db.session.expire_all()
    assert application.state == S.approved and application.granted_cents == 100_000_00
    got = {m["To"] for m in mailbox.messages() if m["Subject"].startswith("Decision on")}
    assert got == applicant_emails(application)
    body = mailbox.body(mailbox.last(closed.person("lead_owner").email))
    assert f"/calls/applications/{application.id}/decision/document" in body
    html = _text(client.get(_page(application)))
    assert "Open the decision document" in html


def test_return_with_a_comment_then_propose_again(closed, client, login_as):
    application = closed.application
    login_as(closed.officer)
    client.post(_page(application, "/propose"), data=dict(PROPOSAL))
    login_as(closed.maker)
    response = client.post(_page(application, "/return"), data={"comment": ""})
    assert response.status_code == 422 and 'id="comment-error"' in _text(response)
    response = client.post(_page(application, "/return"),
                           data={"comment": "Perustelut eivät viittaa pisteisiin."})
    assert response.status_code == 302
    login_as(closed.officer)
    html = _text(client.get(_page(application)))
    assert "Perustelut eivät viittaa pisteisiin." in html
    assert "/decision/propose" in html and "Raportoi puolivuosittain." in html  # as it was
    response = client.post(_page(application, "/propose"),
                           data={**PROPOSAL, "justification": "Uudet perustelut 80 / 100."})
    assert response.status_code == 302
    decision = perms.application_decision(application)
    _db.session.refresh(decision)
    assert decision.state == ProposalState.proposed
    assert decision.justification == "Uudet perustelut 80 / 100."


@pytest.mark.parametrize("role,status", [
    ("conflicted_manager", 403), ("partner_conflicted_manager", 403), ("lead_owner", 403),
    ("reviewer", 404), ("outsider", 404), ("admin", 404)])
def test_others_never_see_the_proposal(closed, client, login_as, role, status):
    decision = reviews.propose_decision(closed.officer, closed.application,
                                        proposal_values(closed.application,
                                                        justification="Salainen 80 / 100."))
    _db.session.commit()
    login_as(closed.person(role))
    for method, suffix in (("get", ""), ("post", "/propose"), ("post", "/confirm"),
                           ("post", "/return")):
        response = getattr(client, method)(_page(closed.application, suffix),
                                           data={"comment": "x"} if method == "post" else None)
        assert response.status_code == status, (suffix, response.status_code)
        assert "Salainen" not in _text(response)
    _db.session.expire_all()
    assert decision.state == ProposalState.proposed


def test_a_declared_conflict_hides_the_decision_and_the_document(closed, client, login_as,
                                                                  make_user, add_member):
    conflicted = make_user()
    add_member(closed.call.organisation, conflicted, "member", call_manager=True, reviewer=True)
    forget_memberships()
    made = reviews.assign_reviewer(closed.officer, closed.application, conflicted)
    reviews.declare(conflicted, made, conflict=True, ground="party_or_relative")
    _db.session.commit()
    decide(closed.application, proposer=closed.officer, decision_maker=closed.maker,
           justification="Salainen 80 / 100.")
    _db.session.commit()
    login_as(conflicted)
    for suffix in ("", "/document"):
        response = client.get(_page(closed.application, suffix))
        assert response.status_code == 404
        assert "Salainen" not in _text(response)
    assert client.get(f"/calls/{closed.call.id}/decisions").status_code == 200
    html = _text(client.get(f"/calls/{closed.call.id}/decisions"))
    assert "Salainen" not in html and "its figures are not shown" in html


def _decided(world, language: str, **values):
    decision = decide(world.application, proposer=world.officer, decision_maker=world.maker,
                      language=language, conditions="Ehto 1.", **values)
    _db.session.commit()
    return decision


def test_the_document_is_in_finnish_whatever_the_interface(closed, client, login_as):
    decision = _decided(closed, "fi")
    login_as(closed.person("lead_member"))  # reads the interface in English
    response = client.get(_page(closed.application, "/document"))
    assert response.status_code == 200
    html = _text(response)
    assert 'lang="fi"' in html
    for words in ("Oikaisuvaatimusohje", "Hanketuki", "Myönnetty hanketuki",
                  "Hyväksytyt tukikelpoiset kokonaiskustannukset", "Esittelijä", "Ratkaisija",
                  "Uudistuva ja osaava Suomi 2021–2027", "30 päivän kuluessa",
                  "107 520,00 €", "134 400,00 €", "80,00 %", "1.9.2026–31.8.2028",
                  "Ehto 1.", closed.officer.name, closed.maker.name,
                  closed.call.organisation.name, "Kumppani ry", "Hakija ry"):
        assert words in html, words
    assert re.search(rf"KOHTAAMO/\d+-{decision.id}/\d{{4}}", html)
    assert "Print / save as PDF" in html  # the interface around it stays English
    assert "decision-print.css" in html


def test_the_document_is_in_swedish_when_the_decision_is(closed, client, login_as):
    _decided(closed, "sv")
    login_as(closed.person("partner_editor"))
    html = _text(client.get(_page(closed.application, "/document")))
    for words in ("Anvisning om begäran om omprövning", "omprövning", "Beviljat projektstöd",
                  "Föredragande", "Beslutsfattare", "Förnyande och kompetent Finland 2021–2027",
                  "inom 30 dagar", closed.officer.name, closed.maker.name):
        assert words in html, words
    assert "Oikaisuvaatimusohje" not in html


def test_a_rejection_document_has_no_amounts(closed, client, login_as):
    decide(closed.application, approve=False, proposer=closed.officer,
           decision_maker=closed.maker)
    _db.session.commit()
    login_as(closed.person("lead_owner"))
    html = _text(client.get(_page(closed.application, "/document")))
    assert "Hakemus hylätään" in html and "Myönnetty hanketuki" not in html
    assert "Oikaisuvaatimusohje" in html


def test_the_document_is_only_for_a_made_decision_and_its_readers(closed, client, login_as,
                                                                 make_user):
    reviews.propose_decision(closed.officer, closed.application,
                             proposal_values(closed.application))
    _db.session.commit()
    login_as(closed.person("lead_owner"))
    assert client.get(_page(closed.application, "/document")).status_code == 404  # proposed
    decision = _db.session.scalar(select(Decision))
    reviews.confirm_decision(closed.maker, decision)
    _db.session.commit()
    assert client.get(_page(closed.application, "/document")).status_code == 200
    page = _text(client.get(f"/calls/applications/{closed.application.id}"))
    assert "Read the decision document" in page
    for role in ("outsider", "reviewer", "invited_partner_editor", "admin"):
        login_as(closed.person(role))
        assert client.get(_page(closed.application, "/document")).status_code == 404, role
    login_as(make_user())
    assert client.get(_page(closed.application, "/document")).status_code == 404
    login_as(closed.officer)  # the ELY-centre's side reads it too
    assert client.get(_page(closed.application, "/document")).status_code == 200


def test_the_old_decide_address_leads_to_the_decision_page(closed, client, login_as):
    login_as(closed.officer)
    response = client.get(f"/calls/applications/{closed.application.id}/decide")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(_page(closed.application))


# --- the batch -------------------------------------------------------------------------------


@pytest.fixture
def ranked(closed, make_application):
    """Three applications in review in the closed call, scored 100, 18 and none."""
    call = closed.call
    first = closed.application
    second = make_application(call=call, project_name="Toinen hanke", state="in_review")
    third = make_application(call=call, project_name="Kolmas hanke", state="in_review")
    review(closed.officer, closed.person("reviewer"), first, TOP)
    review(closed.officer, closed.person("reviewer"), second, LOW, "do_not_fund")
    return closed, first, second, third


BATCH = {"template_approve_fi": "Pisteet %(mean)s / 100, sija %(rank)s / %(count)s.",
         "template_approve_sv": "Poäng %(mean)s / 100.",
         "template_reject_fi": "Vain %(mean)s / 100, sija %(rank)s / %(count)s; 100 %.",
         "template_reject_sv": "Endast %(mean)s."}


def test_the_batch_page_defaults_follow_the_budget_line(ranked, client, login_as):
    world, first, second, third = ranked
    world.call.total_budget_cents = 150_000_00  # the line falls after the first
    _db.session.commit()
    login_as(world.officer)
    html = _text(client.get(f"/calls/{world.call.id}/decisions"))
    assert "Budget line" in html
    assert re.search(rf'name="application" value="{first.id}"[^>]*checked', html)
    assert re.search(rf'name="application" value="{second.id}"[^>]*checked', html)
    assert not re.search(rf'name="application" value="{third.id}"[^>]*checked', html)
    assert re.search(rf'id="outcome-{first.id}">\s*<option value="approve" selected', html)
    assert re.search(rf'id="outcome-{second.id}">\s*<option value="approve">'
                     r'[^<]*</option>\s*<option value="reject" selected', html)
    assert html.index("Budget line") < html.index("Toinen hanke")
    assert html.index(first.project_name) < html.index("Budget line")


def test_batch_propose_is_all_or_nothing_and_names_the_failure(ranked, client, login_as):
    world, first, second, third = ranked
    world.call.total_budget_cents = 150_000_00
    _db.session.commit()
    login_as(world.officer)
    data = {**BATCH, "application": [first.id, second.id],
            f"outcome-{first.id}": "approve", f"outcome-{second.id}": "approve"}
    response = client.post(f"/calls/{world.call.id}/decisions/propose", data=data)
    assert response.status_code == 422
    html = _text(response)
    assert "“Toinen hanke”" in html and "exceeded by 65,040.00 €" in html
    assert "Nothing in the batch was saved" in html
    assert _db.session.scalar(select(Decision)) is None  # the first was rolled back too
    data[f"outcome-{second.id}"] = "reject"
    response = client.post(f"/calls/{world.call.id}/decisions/propose", data=data)
    assert response.status_code == 302
    d1, d2 = perms.application_decision(first), perms.application_decision(second)
    assert d1.approves and d1.granted_cents == 107_520_00
    assert d1.approved_cost_cents == 134_400_00 and d1.support_basis_points == 8000
    assert d1.justification == "Pisteet 100,00 / 100, sija 1 / 2."
    assert not d2.approves
    assert d2.justification == "Vain 18,00 / 100, sija 2 / 2; 100 %."
    assert perms.application_decision(third) is None
    assert {d1.proposed_by_id, d2.proposed_by_id} == {world.officer.id}


def test_batch_confirm_by_the_decision_maker(ranked, client, login_as, mailbox):
    world, first, second, third = ranked
    login_as(world.officer)
    data = {**BATCH, "application": [first.id, second.id, third.id],
            f"outcome-{first.id}": "approve", f"outcome-{second.id}": "reject",
            f"outcome-{third.id}": "reject"}
    assert client.post(f"/calls/{world.call.id}/decisions/propose",
                       data=data).status_code == 302
    # the proposer is offered nothing to confirm, and is refused if they try
    html = _text(client.get(f"/calls/{world.call.id}/decisions"))
    assert "/decisions/confirm" not in html
    response = client.post(f"/calls/{world.call.id}/decisions/confirm",
                           data={"application": [first.id]})
    assert response.status_code == 403 and f"“{first.project_name}”" in _text(response)
    login_as(world.maker)
    html = _text(client.get(f"/calls/{world.call.id}/decisions"))
    assert "/decisions/confirm" in html and "/decisions/propose" not in html
    response = client.post(f"/calls/{world.call.id}/decisions/confirm",
                           data={"application": [first.id, second.id, third.id]})
    assert response.status_code == 302
    _db.session.expire_all()
    assert (first.state, second.state, third.state) == (S.approved, S.rejected, S.rejected)
    got = [m["To"] for m in mailbox.messages() if m["Subject"].startswith("Decision on")]
    assert set(applicant_emails(first)) <= set(got)


def test_batch_confirm_is_all_or_nothing(ranked, client, login_as):
    world, first, second, third = ranked
    reviews.propose_decision(world.officer, first, proposal_values(first))
    _db.session.commit()
    login_as(world.maker)
    # the second has no proposal: nothing is confirmed, and the message names it
    response = client.post(f"/calls/{world.call.id}/decisions/confirm",
                           data={"application": [first.id, second.id]})
    assert response.status_code == 403
    assert "“Toinen hanke”" in _text(response)
    _db.session.expire_all()
    assert first.state == S.in_review
    assert perms.application_decision(first).state == ProposalState.proposed


@pytest.mark.parametrize("data", [{"application": ["x"]}, {"application": ["99999999"]},
                                  {"application": []}])
def test_batch_input_is_checked(ranked, client, login_as, data):
    world, *_ = ranked
    login_as(world.officer)
    response = client.post(f"/calls/{world.call.id}/decisions/propose", data={**BATCH, **data})
    assert response.status_code in (404, 422)
    assert _db.session.scalar(select(Decision)) is None


@pytest.mark.parametrize("role,status", [("reviewer", 403), ("lead_owner", 404),
                                         ("outsider", 404)])
def test_the_batch_page_is_for_the_centres_deciders(ranked, client, login_as, role, status):
    world, *_ = ranked
    login_as(world.person(role))
    assert client.get(f"/calls/{world.call.id}/decisions").status_code == status
