"""The criteria editor over HTTP: a refused change answers 422 (a conflict 409) with the panel,
its messages in an error summary and at the fields, and what was typed kept; htmx swaps it."""

import re

import pytest
from sqlalchemy.orm.exc import StaleDataError

from app.calls import services as call_services
from app.core.domain import DomainError
from tests.fixtures.calls import call_manager_of

HX = {"HX-Request": "true"}


@pytest.fixture
def draft_call(make_call, login_as):
    call = make_call(phase="draft")
    login_as(call_manager_of(call))
    return call


def _html(response) -> str:
    return response.get_data(as_text=True)


def _summary(html: str) -> str:
    match = re.search(r'<div class="error-summary" role="alert" tabindex="-1">(.*?)</div>', html,
                      re.S)
    assert match, "no error summary"
    return match.group(1)


def test_a_refused_new_criterion_comes_back_with_its_messages_and_text(client, draft_call):
    url = f"/calls/{draft_call.id}/criteria"
    count = len(draft_call.criteria)
    response = client.post(url, headers=HX, data={
        "new-criterion-kind": "content", "new-criterion-title": "",
        "new-criterion-weight": "10", "new-criterion-guidance": "Kirjoitettu ohje."})
    html = _html(response)
    assert response.status_code == 422
    assert "<html" not in html and 'id="criteria-panel"' in html
    assert 'href="#new-criterion-title"' in _summary(html)
    assert 'id="new-criterion-title-error"' in html
    assert "Kirjoitettu ohje." in html  # what was typed stays
    assert len(draft_call.criteria) == count
    # Without JavaScript: the whole page, with the same status.
    page = client.post(url, data={"new-criterion-kind": "content", "new-criterion-title": ""})
    assert page.status_code == 422 and "<html" in _html(page)
    assert 'id="new-criterion-title-error"' in _html(page)


def test_a_rule_that_belongs_to_no_field_is_shown_in_the_htmx_answer(client, draft_call,
                                                                      monkeypatch):
    def refuse(*args, **kwargs):
        raise DomainError("Ei enempää kriteerejä tähän hakuun.")

    monkeypatch.setattr(call_services, "add_criterion", refuse)
    response = client.post(f"/calls/{draft_call.id}/criteria", headers=HX, data={
        "new-criterion-kind": "content", "new-criterion-title": "Uusi kriteeri",
        "new-criterion-weight": "10"})
    html = _html(response)
    assert response.status_code == 422
    assert "Ei enempää kriteerejä tähän hakuun." in _summary(html)
    assert 'value="Uusi kriteeri"' in html


def test_a_conflicting_criterion_save_answers_409_with_the_panel(client, draft_call, monkeypatch):
    criterion = next(c for c in draft_call.criteria if c.is_scored)

    def stale(*args, **kwargs):
        raise StaleDataError("someone else")

    monkeypatch.setattr(call_services, "update_criterion", stale)
    prefix = f"criterion-{criterion.id}"
    response = client.post(f"/calls/{draft_call.id}/criteria/{criterion.id}", headers=HX, data={
        f"{prefix}-kind": "content", f"{prefix}-title": "Muutettu otsikko",
        f"{prefix}-weight": str(criterion.weight)})
    html = _html(response)
    assert response.status_code == 409
    assert 'id="criteria-panel"' in html
    assert "Your change was not saved" in _summary(html)
    assert 'value="Muutettu otsikko"' in html


def test_bad_weights_are_refused_at_their_fields_keeping_what_was_typed(client, draft_call):
    scored = draft_call.scored_criteria
    before = {c.id: c.weight for c in scored}
    data = {f"weight-{c.id}": str(c.weight) for c in scored}
    data[f"weight-{scored[0].id}"] = "kymmenen"
    data[f"weight-{scored[1].id}"] = "33"
    response = client.post(f"/calls/{draft_call.id}/criteria/weights", headers=HX, data=data)
    html = _html(response)
    assert response.status_code == 422
    assert f'href="#weight-{scored[0].id}"' in _summary(html)
    assert f'id="weight-{scored[0].id}-error"' in html and 'aria-invalid="true"' in html
    assert 'value="kymmenen"' in html and 'value="33"' in html
    assert {c.id: c.weight for c in draft_call.scored_criteria} == before


def test_weights_that_do_not_sum_to_100_keep_what_was_typed(client, draft_call):
    scored = draft_call.scored_criteria
    before = {c.id: c.weight for c in scored}
    data = {f"weight-{c.id}": str(c.weight) for c in scored}
    data[f"weight-{scored[0].id}"] = "1"
    for headers in (HX, {}):
        response = client.post(f"/calls/{draft_call.id}/criteria/weights", headers=headers,
                               data=dict(data))
        html = _html(response)
        assert response.status_code == 422
        assert "must sum to exactly 100" in _summary(html)
        assert f'id="weight-{scored[0].id}" name="weight-{scored[0].id}" value="1"' in html
    assert {c.id: c.weight for c in draft_call.scored_criteria} == before
