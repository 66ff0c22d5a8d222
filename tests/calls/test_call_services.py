"""Calls as plain functions: phases by the clock, publishing, criteria and their weights."""

from datetime import UTC, datetime, timedelta

import pytest

from app.calls import permissions, services
from app.calls.models import CallPhase, CallState, CriterionKind
from app.core import clock
from app.core.domain import DomainError
from app.organisations.models import Role
from app.organisations.services import forget_memberships

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def ely(make_organisation, make_user, add_member):
    manager = make_user(name="Hakuvastaava")
    organisation = make_organisation(name="Etelä-Savon ELY-keskus", type="regional_authority")
    add_member(organisation, manager, Role.member, call_manager=True)
    forget_memberships()
    return organisation, manager


def _data(**overrides):
    data = {
        "title_fi": "Uusia työmahdollisuuksia", "description_fi": "Kuvaus.",
        "theme": "Uusia työmahdollisuuksia työpaikkoja kehittämällä",
        "opens_at": T0 + timedelta(days=7), "closes_at": T0 + timedelta(days=37),
        "total_budget_cents": 500_000_00, "max_support_percent": 80,
        "eligible_types": ["ngo", "nonsense", "education"], "funding_model": "grant",
        "report_interval_months": 6, "final_report": True,
    }
    data.update(overrides)
    return data


def _criteria(user, call, weights=(60, 40)):
    services.add_criterion(user, call, {"kind": "general", "title": "Kelpoisuus"}, now=T0)
    for n, weight in enumerate(weights):
        services.add_criterion(user, call, {"kind": "content", "title": f"Laatu {n}",
                                            "weight": weight}, now=T0)


def test_create_cleans_and_phases_follow_the_clock(ely):
    organisation, manager = ely
    call = services.create_call(manager, organisation, _data(), now=T0)
    assert call.state == CallState.draft and call.eligible_types == ["ngo", "education"]
    assert call.phase(T0 + timedelta(days=8)) == CallPhase.draft
    _criteria(manager, call)
    services.publish_call(manager, call, now=T0)
    assert call.phase(T0) == CallPhase.upcoming
    assert call.phase(call.opens_at - timedelta(seconds=1)) == CallPhase.upcoming
    assert call.phase(call.opens_at) == CallPhase.open
    assert call.phase(call.closes_at - timedelta(microseconds=1)) == CallPhase.open
    assert call.phase(call.closes_at) == CallPhase.closed


def test_publish_needs_criteria_summing_to_100(ely):
    organisation, manager = ely
    call = services.create_call(manager, organisation, _data(), now=T0)
    with pytest.raises(DomainError, match="scored selection criterion"):
        services.publish_call(manager, call, now=T0)
    _criteria(manager, call, weights=(60, 30))
    assert call.weight_total == 90
    with pytest.raises(DomainError, match="100"):
        services.publish_call(manager, call, now=T0)
    services.set_weights(manager, call, {c.id: 50 for c in call.scored_criteria}, now=T0)
    services.publish_call(manager, call, now=T0)
    assert call.state == CallState.published
    with pytest.raises(DomainError):
        services.publish_call(manager, call, now=T0)


def test_weights_form_refuses_a_sum_other_than_100(ely):
    organisation, manager = ely
    call = services.create_call(manager, organisation, _data(), now=T0)
    _criteria(manager, call)
    scored = call.scored_criteria
    with pytest.raises(DomainError, match="exactly 100"):
        services.set_weights(manager, call, {scored[0].id: 70, scored[1].id: 40}, now=T0)


def test_published_call_keeps_its_weights_at_100(ely):
    organisation, manager = ely
    call = services.create_call(manager, organisation, _data(), now=T0)
    _criteria(manager, call)
    services.publish_call(manager, call, now=T0)
    scored = call.scored_criteria
    with pytest.raises(DomainError, match="exactly 100"):
        services.update_criterion(manager, scored[0], {"weight": 70}, now=T0)
    with pytest.raises(DomainError):
        services.add_criterion(manager, call, {"kind": "content", "title": "Uusi", "weight": 10},
                               now=T0)
    # A pass/fail criterion has no weight and can still be added before the call opens.
    general = services.add_criterion(manager, call, {"kind": "general", "title": "Uusi ehto",
                                                     "weight": 55}, now=T0)
    assert general.weight == 0
    services.set_weights(manager, call, {scored[0].id: 30, scored[1].id: 70}, now=T0)
    assert call.weight_total == 100


def test_criteria_are_frozen_once_the_call_opens(ely):
    organisation, manager = ely
    call = services.create_call(manager, organisation, _data(), now=T0)
    _criteria(manager, call)
    services.publish_call(manager, call, now=T0)
    opened = call.opens_at
    first = call.criteria[1]
    for attempt in (
        lambda: services.add_criterion(manager, call, {"kind": "general", "title": "X"},
                                       now=opened),
        lambda: services.update_criterion(manager, first, {"title": "Muutettu"}, now=opened),
        lambda: services.delete_criterion(manager, call.criteria[0], now=opened),
        lambda: services.set_weights(manager, call, {first.id: 60}, now=opened),
    ):
        with pytest.raises(DomainError, match="frozen"):
            attempt()
    assert first.title == "Laatu 0"
    assert not permissions.can_edit_criteria(manager, call, now=opened)
    assert permissions.can_edit_criteria(manager, call, now=T0)


def test_open_call_only_changes_texts_and_closing_time(ely):
    organisation, manager = ely
    call = services.create_call(manager, organisation, _data(), now=T0)
    _criteria(manager, call)
    services.publish_call(manager, call, now=T0)
    during = call.opens_at + timedelta(days=1)
    services.update_call(manager, call, {"title_sv": "Nya jobbmöjligheter",
                                         "closes_at": call.closes_at + timedelta(days=7)},
                         now=during)
    with pytest.raises(DomainError, match="already open"):
        services.update_call(manager, call, {"max_support_percent": 90}, now=during)
    with pytest.raises(DomainError, match="future"):
        services.update_call(manager, call, {"closes_at": during - timedelta(hours=1)}, now=during)
    after = call.closes_at + timedelta(seconds=1)
    with pytest.raises(DomainError, match="closed"):
        services.update_call(manager, call, {"title_en": "New"}, now=after)


def test_times_must_be_in_order(ely):
    organisation, manager = ely
    with pytest.raises(DomainError) as error:
        services.create_call(manager, organisation, _data(closes_at=T0), now=T0)
    assert error.value.field == "closes_at"


def test_only_verified_ely_centres_run_calls(make_organisation, make_user):
    user = make_user()
    for organisation in (make_organisation(type="ngo"),
                         make_organisation(type="regional_authority", verified=False)):
        with pytest.raises(DomainError):
            services.create_call(user, organisation, _data(), now=T0)


def test_unpublish_only_before_opening(ely):
    organisation, manager = ely
    call = services.create_call(manager, organisation, _data(), now=T0)
    _criteria(manager, call)
    services.publish_call(manager, call, now=T0)
    with pytest.raises(DomainError):
        services.unpublish_call(manager, call, now=call.opens_at)
    services.unpublish_call(manager, call, now=T0)
    assert call.state == CallState.draft


def test_call_permissions(ely, make_user, add_member, make_organisation):
    organisation, manager = ely
    reviewer, outsider = make_user(), make_user()
    add_member(organisation, reviewer, Role.member, reviewer=True)
    forget_memberships()
    call = services.create_call(manager, organisation, _data(), now=T0)
    assert permissions.can_create_call(manager) and not permissions.can_create_call(reviewer)
    assert permissions.can_view_call(reviewer, call)
    assert not permissions.can_view_call(outsider, call)
    assert permissions.can_publish_call(manager, call)
    assert not permissions.can_publish_call(reviewer, call)
    # a call manager role in a non-ELY organisation means nothing
    ngo = make_organisation(type="ngo")
    fake = make_user()
    add_member(ngo, fake, Role.owner, call_manager=True)
    forget_memberships()
    assert not permissions.can_create_call(fake)


def test_clock_is_injectable(ely, monkeypatch):
    organisation, manager = ely
    call = services.create_call(manager, organisation, _data(), now=T0)
    _criteria(manager, call)
    services.publish_call(manager, call, now=T0)
    monkeypatch.setattr(clock, "now", lambda: call.opens_at + timedelta(minutes=1))
    assert call.phase() == CallPhase.open
    monkeypatch.setattr(clock, "now", lambda: call.closes_at)
    assert call.phase() == CallPhase.closed


def test_criterion_kinds_and_scales(ely):
    organisation, manager = ely
    call = services.create_call(manager, organisation, _data(), now=T0)
    _criteria(manager, call)
    kinds = {c.kind: c.scale_max for c in call.criteria}
    assert kinds == {CriterionKind.general: None, CriterionKind.content: 5}
    with pytest.raises(DomainError):
        services.add_criterion(manager, call, {"kind": "bogus", "title": "X"}, now=T0)
    with pytest.raises(DomainError):
        services.add_criterion(manager, call, {"kind": "content", "title": " ", "weight": 5},
                               now=T0)


def test_call_services_check_their_actor(ely, make_user, add_member, db):
    """A write path that skips the views (a CLI, the API) cannot bypass the rule: only the
    ELY-centre's call managers create or change its calls; nothing changes when refused."""
    from app.core.audit import AuditLog
    from app.core.domain import NotAllowed

    organisation, manager = ely
    plain_member, outsider = make_user(name="Jäsen"), make_user(name="Ulkopuolinen")
    add_member(organisation, plain_member, Role.member)
    forget_memberships()
    with pytest.raises(NotAllowed):
        services.create_call(plain_member, organisation, _data(), now=T0)
    call = services.create_call(manager, organisation, _data(), now=T0)
    _criteria(manager, call)
    before = db.session.query(AuditLog).count()
    criteria = [(c.title, c.weight) for c in call.criteria]
    for who in (plain_member, outsider):
        attempts = [
            lambda who=who: services.update_call(who, call, {"title_fi": "Kaapattu"}, now=T0),
            lambda who=who: services.add_criterion(who, call, {"kind": "general", "title": "X"},
                                                   now=T0),
            lambda who=who: services.update_criterion(who, call.criteria[0], {"title": "X"},
                                                      now=T0),
            lambda who=who: services.delete_criterion(who, call.criteria[0], now=T0),
            lambda who=who: services.set_weights(who, call, {}, now=T0),
            lambda who=who: services.publish_call(who, call, now=T0),
            lambda who=who: services.unpublish_call(who, call, now=T0),
        ]
        for attempt in attempts:
            with pytest.raises(NotAllowed):
                attempt()
    assert call.title_fi == "Uusia työmahdollisuuksia" and call.state == CallState.draft
    assert [(c.title, c.weight) for c in call.criteria] == criteria
    assert db.session.query(AuditLog).count() == before
