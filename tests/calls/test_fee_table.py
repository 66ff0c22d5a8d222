"""The fee table of an outcome-based call: the services' rules (stages of whole percents
summing to exactly 100, at most four, months for employment, only before the call opens, only
its call managers), the page over HTTP (messages at their fields, confirmation before a
removal, 403/404), the advance in the call form, and the call page explaining each funding
model."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.calls import fees
from app.calls.fees import FeeInput, StageInput
from app.calls.models import OutcomeFee, OutcomeType
from app.core.audit import AuditLog
from app.core.domain import DomainError, NotAllowed
from app.organisations.models import Role
from tests.fixtures.calls import call_manager_of

OUTCOME = {"funding_model": "outcome_based", "outcome_fee_cents": 3_000_00,
           "min_employment_months": 6}


def _employment(stages=((("Työsuhde alkaa", 30), ("Kestänyt 6 kk", 70))), **overrides):
    values = {"outcome_type": "employment", "label": "Työsuhde vähintään 6 kk",
              "fee_cents": 3_000_00, "min_months": 6,
              "stages": [StageInput(label, percent) for label, percent in stages]}
    values.update(overrides)
    return FeeInput(**values)


@pytest.fixture
def upcoming(make_call):
    """An outcome-based call that has been published but has not opened: still editable."""
    return make_call(phase="upcoming", **OUTCOME)


def _html(response) -> str:
    return response.get_data(as_text=True)


def _field_error(html: str, name: str) -> str:
    match = re.search(rf'<p class="error" id="{name}-error">(.*?)</p>', html, re.S)
    assert match, f"no error at {name}"
    return match.group(1)


# --- the services --------------------------------------------------------------------------------


def test_a_row_with_stages_is_added_and_audited(db, upcoming):
    manager = call_manager_of(upcoming)
    fee = fees.add_fee(manager, upcoming, _employment())
    db.session.commit()
    assert fee.outcome_type == OutcomeType.employment and fee.min_months == 6
    assert fee.stages == [{"label": "Työsuhde alkaa", "percent": 30},
                          {"label": "Kestänyt 6 kk", "percent": 70}]
    assert [f.id for f in upcoming.fees] == [fee.id]
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "call.fee_added"))
    assert entry.actor_id == manager.id and entry.object_id == upcoming.id
    assert entry.details["fee"] == fee.id and entry.details["stages"] == [30, 70]


@pytest.mark.parametrize(("percents", "words"), [
    ((30, 69), ("99 %", "1 % short")),
    ((30, 80), ("110 %", "10 % more")),
    ((50,), ("50 %", "50 % short")),
])
def test_stage_percents_must_sum_to_exactly_100(db, upcoming, percents, words):
    stages = [(f"Vaihe {n}", p) for n, p in enumerate(percents, start=1)]
    with pytest.raises(DomainError) as caught:
        fees.add_fee(call_manager_of(upcoming), upcoming, _employment(stages=stages))
    assert caught.value.field == "stages"
    for word in words:
        assert word in str(caught.value.message)
    assert upcoming.fees == []


def test_at_most_four_stages_each_named_with_a_whole_percent(db, upcoming):
    manager = call_manager_of(upcoming)
    five = [(f"Vaihe {n}", 20) for n in range(5)]
    with pytest.raises(DomainError, match="at most 4 stages") as caught:
        fees.add_fee(manager, upcoming, _employment(stages=five))
    assert caught.value.field == "stages"
    with pytest.raises(DomainError, match="Stage 2: say when"):
        fees.add_fee(manager, upcoming, _employment(stages=[("Alkaa", 30), ("", 70)]))
    with pytest.raises(DomainError, match="Stage 1: the percent"):
        fees.add_fee(manager, upcoming, _employment(stages=[("Alkaa", 0), ("Jatkuu", 100)]))
    four = [("A", 10), ("B", 20), ("C", 30), ("D", 40)]
    fee = fees.add_fee(manager, upcoming, _employment(stages=four))
    assert [s["percent"] for s in fee.stages] == [10, 20, 30, 40]


def test_employment_needs_its_months_and_other_outcomes_have_none(db, upcoming):
    manager = call_manager_of(upcoming)
    with pytest.raises(DomainError) as caught:
        fees.add_fee(manager, upcoming, _employment(min_months=None))
    assert caught.value.field == "min_months"
    with pytest.raises(DomainError) as caught:
        fees.add_fee(manager, upcoming, _employment(min_months=61))
    assert caught.value.field == "min_months"
    business = fees.add_fee(manager, upcoming, FeeInput(
        outcome_type="business", label="Yritystoiminta alkaa", fee_cents=2_000_00,
        min_months=6))
    assert business.min_months is None and business.stages == [] and business.stage_list == [
        {"label": "", "percent": 100}]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"outcome_type": "salary"}, "outcome_type"),
    ({"label": "   "}, "label"),
    ({"fee_cents": None}, "fee_cents"),
    ({"fee_cents": 0}, "fee_cents"),
])
def test_a_row_needs_a_type_a_name_and_a_fee(db, upcoming, overrides, field):
    with pytest.raises(DomainError) as caught:
        fees.add_fee(call_manager_of(upcoming), upcoming, _employment(**overrides))
    assert caught.value.field == field


def test_only_the_call_managers_and_only_before_the_call_opens(db, make_call, make_user,
                                                             add_member):
    call = make_call(phase="draft", **OUTCOME)
    member = make_user()
    add_member(call.organisation, member, Role.editor)  # of the centre, not a call manager
    with pytest.raises(NotAllowed):
        fees.add_fee(member, call, _employment())
    with pytest.raises(NotAllowed):
        fees.add_fee(make_user(), call, _employment())
    assert fees.can_edit_fees(call_manager_of(call), call)
    for phase, message in (("open", "frozen"), ("closed", "closed call")):
        other = make_call(phase=phase, **OUTCOME)
        manager = call_manager_of(other)
        assert not fees.can_edit_fees(manager, other)
        with pytest.raises(DomainError, match=message):
            fees.add_fee(manager, other, _employment())


def test_a_row_is_changed_and_removed_with_audit_entries(db, upcoming, audit_actions):
    manager = call_manager_of(upcoming)
    fee = fees.add_fee(manager, upcoming, _employment())
    assert fees.update_fee(manager, fee, _employment()) is False  # nothing changed
    assert fees.update_fee(manager, fee, _employment(fee_cents=3_200_00, stages=[])) is True
    assert fee.fee_cents == 3_200_00 and fee.stages == []
    with pytest.raises(DomainError):
        fees.update_fee(manager, fee, _employment(stages=[("Alkaa", 40), ("Jatkuu", 40)]))
    fees.delete_fee(manager, fee)
    db.session.commit()
    assert upcoming.fees == []
    assert [a for a in audit_actions(upcoming.organisation) if a.startswith("call.fee")] == [
        "call.fee_added", "call.fee_changed", "call.fee_removed"]
    changed = db.session.scalar(select(AuditLog).where(AuditLog.action == "call.fee_changed"))
    assert changed.details["fields"] == ["fee_cents", "stages"]
    assert changed.details["before"] == {"fee_cents": 3_000_00, "stages": [30, 70]}


def test_stage_fees_round_half_up():
    assert fees.stage_fee_cents(3_000_00, 30) == 900_00
    assert fees.stage_fee_cents(1_01, 50) == 51  # 50,5 cents
    assert fees.stage_fee_cents(1_03, 33) == 34  # 33,99 cents


# --- the page -------------------------------------------------------------------------------------


def _form(**overrides) -> dict:
    data = {"outcome_type": "employment", "label": "Työsuhde vähintään 6 kk",
            "min_months": "6", "fee_cents": "3 000,50",
            "stages": "Työsuhde alkaa; 30\nKestänyt 6 kk; 70 %"}
    data.update(overrides)
    return data


def test_the_manager_adds_a_row_with_a_finnish_amount(client, login_as, upcoming):
    login_as(call_manager_of(upcoming))
    url = f"/calls/{upcoming.id}/fees"
    page = client.get(url)
    assert page.status_code == 200
    assert "The fee table has no rows yet." in _html(page)
    response = client.post(url, data=_form())
    assert response.status_code == 302 and response.location.endswith(url)
    fee = upcoming.fees[0]
    assert fee.fee_cents == 3_000_50
    assert fee.stages == [{"label": "Työsuhde alkaa", "percent": 30},
                          {"label": "Kestänyt 6 kk", "percent": 70}]
    html = _html(client.get(url))
    assert "The row has been added to the fee table." in html
    assert "Työsuhde vähintään 6 kk" in html
    assert "900.15" in html and "2,100.35" in html  # the stages in euros (English page)
    assert "no rows yet" not in html


def test_stages_that_do_not_sum_to_100_come_back_at_their_field(client, login_as, upcoming):
    login_as(call_manager_of(upcoming))
    typed = "Työsuhde alkaa; 30\nKestänyt 6 kk; 69"
    response = client.post(f"/calls/{upcoming.id}/fees", data=_form(stages=typed))
    html = _html(response)
    assert response.status_code == 422
    message = _field_error(html, "stages")
    assert "99 %" in message and "1 % short of 100 %" in message
    assert 'aria-describedby="stages-hint stages-error"' in html
    assert 'href="#stages"' in html  # the error summary links to the field
    assert "Kestänyt 6 kk; 69" in html  # what was typed stays
    assert upcoming.fees == []


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"stages": "Työsuhde alkaa 30\nKestänyt; 70"}, "stages", "Line 1"),
    ({"stages": "Alkaa; 30,5\nJatkuu; 69,5"}, "stages", "Line 1"),
    ({"min_months": ""}, "min_months", "how many months"),
    ({"fee_cents": "1e5"}, "fee_cents", "Enter a number"),
    ({"fee_cents": ""}, "fee_cents", "required"),
    ({"outcome_type": ""}, "outcome_type", "Choose"),
    ({"label": ""}, "label", "required"),
])
def test_refused_input_is_tied_to_its_field(client, login_as, upcoming, overrides, field, words):
    login_as(call_manager_of(upcoming))
    response = client.post(f"/calls/{upcoming.id}/fees", data=_form(**overrides))
    html = _html(response)
    assert response.status_code == 422
    assert words in _field_error(html, field)
    assert upcoming.fees == []


def test_a_row_is_edited_in_the_same_form(client, login_as, upcoming, make_call):
    manager = login_as(call_manager_of(upcoming))
    fee = fees.add_fee(manager, upcoming, _employment())
    from app.extensions import db

    db.session.commit()
    url = f"/calls/{upcoming.id}/fees"
    listing = _html(client.get(url))
    assert f'action="{url}/{fee.id}/delete"' in listing and f"?edit={fee.id}" in listing
    html = _html(client.get(f"{url}?edit={fee.id}"))
    assert f'value="{fee.id}"' in html and "Työsuhde alkaa; 30" in html
    response = client.post(url, data=_form(fee_id=str(fee.id), fee_cents="3 500",
                                           stages=""))
    assert response.status_code == 302
    db.session.refresh(fee)
    assert fee.fee_cents == 3_500_00 and fee.stages == []
    assert len(upcoming.fees) == 1
    # A row of another call is not found through this one.
    other = make_call(phase="upcoming", ely=upcoming.organisation, **OUTCOME)
    stranger = fees.add_fee(manager, other, _employment())
    db.session.commit()
    assert client.get(f"{url}?edit={stranger.id}").status_code == 404
    assert client.post(url, data=_form(fee_id=str(stranger.id))).status_code == 404
    assert client.post(f"{url}/{stranger.id}/delete", data={}).status_code == 404


def test_removing_a_row_asks_first(client, login_as, upcoming, audit_actions):
    manager = login_as(call_manager_of(upcoming))
    fee = fees.add_fee(manager, upcoming, _employment())
    from app.extensions import db

    db.session.commit()
    fee_id = fee.id
    url = f"/calls/{upcoming.id}/fees/{fee_id}/delete"
    asked = client.post(url, data={})
    html = _html(asked)
    assert asked.status_code == 200
    assert "Remove “Työsuhde vähintään 6 kk”" in html and 'name="confirmed" value="yes"' in html
    assert db.session.get(OutcomeFee, fee_id) is not None
    done = client.post(url, data={"confirmed": "yes"})
    assert done.status_code == 302
    assert db.session.get(OutcomeFee, fee_id) is None
    assert "call.fee_removed" in audit_actions(upcoming.organisation)


def test_who_may_open_the_page(client, login_as, make_call, make_user, add_member):
    call = make_call(phase="draft", **OUTCOME)
    url = f"/calls/{call.id}/fees"
    assert client.get(url).status_code == 302  # to the log-in page
    login_as(make_user())
    assert client.get(url).status_code == 404  # a draft is not even visible
    assert client.post(url, data=_form()).status_code == 404
    member = make_user()
    add_member(call.organisation, member, Role.editor)
    login_as(member)
    assert client.get(url).status_code == 403
    assert client.post(url, data=_form()).status_code == 403
    assert call.fees == []


def test_an_open_call_shows_its_table_frozen(client, login_as, make_call):
    call = make_call(phase="open", **OUTCOME)
    manager = call_manager_of(call)
    from app.extensions import db

    call.fees.append(OutcomeFee(position=1, outcome_type=OutcomeType.business,
                                label="Yritystoiminta alkaa", fee_cents=2_000_00, stages=[]))
    db.session.commit()
    login_as(manager)
    url = f"/calls/{call.id}/fees"
    html = _html(client.get(url))
    assert "The fee table is frozen" in html and "Yritystoiminta alkaa" in html
    assert 'name="fee_cents"' not in html and "/delete" not in html and "?edit=" not in html
    assert client.post(url, data=_form()).status_code == 403
    fee_id = call.fees[0].id
    assert client.post(f"{url}/{fee_id}/delete", data={"confirmed": "yes"}).status_code == 403
    assert len(call.fees) == 1


def test_the_page_runs_the_same_queries_whatever_the_rows(client, login_as, upcoming,
                                                         count_queries):
    manager = login_as(call_manager_of(upcoming))
    from app.extensions import db

    url = f"/calls/{upcoming.id}/fees"
    fees.add_fee(manager, upcoming, _employment())
    db.session.commit()
    client.get(url)
    with count_queries() as one:
        assert client.get(url).status_code == 200
    for n in range(6):
        fees.add_fee(manager, upcoming, _employment(label=f"Rivi {n}"))
    db.session.commit()
    with count_queries() as seven:
        assert client.get(url).status_code == 200
    assert seven.count == one.count


# --- the call form and the call's pages ---------------------------------------------------------


def test_the_call_form_sets_the_advance(client, login_as, make_call):
    call = make_call(phase="draft", **OUTCOME)
    login_as(call_manager_of(call))
    url = f"/calls/{call.id}/edit"
    html = _html(client.get(url))
    assert 'name="advance_percent"' in html
    assert "deducted from its payment claims; at most 30 %" in html
    form = {"title_fi": call.title_fi, "description_fi": "Kuvaus.", "theme": call.theme,
            "total_budget_cents": "1000000", "max_support_percent": "80",
            "eligible_types": ["ngo"], "funding_model": "outcome_based",
            "outcome_fee_cents": "3000", "min_employment_months": "6",
            "report_interval_months": "6", "final_report": "y"}
    refused = client.post(url, data={**form, "advance_percent": "35"})
    assert refused.status_code == 422
    assert "at most 30" in _field_error(_html(refused), "advance_percent")
    assert call.advance_percent == 0
    saved = client.post(url, data={**form, "advance_percent": "25"})
    assert saved.status_code == 302
    assert call.advance_percent == 25


def test_the_manage_page_links_the_fee_table_of_outcome_based_calls(client, login_as, make_call):
    outcome = make_call(phase="draft", **OUTCOME)
    grant = make_call(phase="draft", ely=outcome.organisation, title_fi="Hanketukihaku")
    login_as(call_manager_of(outcome))
    html = _html(client.get("/calls/manage"))
    assert f"/calls/{outcome.id}/fees" in html
    assert f"/calls/{grant.id}/fees" not in html
    detail = _html(client.get(f"/calls/{outcome.id}"))
    assert f"/calls/{outcome.id}/fees" in detail
    assert f"/calls/{grant.id}/fees" not in _html(client.get(f"/calls/{grant.id}"))


def test_the_call_page_explains_each_funding_model(client, make_call, db):
    grant = make_call(phase="open", advance_percent=20, report_interval_months=4)
    html = _html(client.get(f"/calls/{grant.id}"))
    assert "flat rate of 40 % of the staff costs" in html
    assert "A progress report every 4 months" in html
    assert "the last one, at the end of the project, is the final report" in html
    assert "20\u00a0% of the granted support is paid as an advance" in html
    assert "Fee per outcome" not in html

    outcome = make_call(phase="open", **OUTCOME)
    for position, (kind, label, months, fee, stages) in enumerate((
            (OutcomeType.employment, "Työsuhde vähintään 6 kk", 6, 3_000_00,
             [{"label": "Työsuhde alkaa", "percent": 30},
              {"label": "Kestänyt 6 kk", "percent": 70}]),
            (OutcomeType.business, "Yritystoiminta alkaa", None, 2_000_00, []))):
        outcome.fees.append(OutcomeFee(position=position, outcome_type=kind, label=label,
                                       min_months=months, fee_cents=fee, stages=stages))
    db.session.commit()
    html = _html(client.get(f"/calls/{outcome.id}"))
    assert "flat rate of 40" not in html
    assert "Työsuhde vähintään 6 kk" in html and "at least 6 months" in html
    assert "30\u00a0% (900.00\u00a0€) when: Työsuhde alkaa" in html
    assert "70\u00a0% (2,100.00\u00a0€) when: Kestänyt 6 kk" in html
    assert "The whole fee at once" in html
    assert "No advance" in html
    assert "/delete" not in html  # the public table has no actions

    voucher = make_call(phase="open", funding_model="service_voucher")
    html = _html(client.get(f"/calls/{voucher.id}"))
    assert "provider registry" in html
    assert "flat rate of 40" not in html and "Fee per outcome" not in html
