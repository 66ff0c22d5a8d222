"""News: what matches each kind of follow, and what must not (drafts, closed partner calls,
cancelled events, other regions, items outside the window); bounded queries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.db import utcnow
from app.follows import news
from app.practices import services as practices
from tests.fixtures.practices import owner_of


def _since():
    return utcnow() - timedelta(days=30)


def _found(user, **kw):
    return {(item.kind, item.id): item for item in news.news_for(user, _since(), **kw)}


def test_nothing_followed_is_no_news_and_no_query(make_user, make_practice, count_queries):
    user = make_user()
    make_practice(published=True)
    with count_queries() as counter:
        assert news.news_for(user, _since(), interests=news.Interests()) == []
    assert counter.count == 0


def test_an_organisation_follow(make_user, make_organisation, make_practice, make_partner_call,
                                make_event, make_call, add_follow, db):
    user = make_user()
    org = make_organisation(name="Seurattu Oy", type="staffing_firm", regions=("MK01",))
    other = make_organisation(regions=("MK19",), target_groups=("immigrants",))
    add_follow(user, "organisation", org.id)
    published = make_practice(organisation=org, published=True)
    draft = make_practice(organisation=org)
    archived = make_practice(organisation=org, published=True)
    practices.archive_practice(owner_of(db, org), archived)
    db.session.commit()
    theirs = make_practice(organisation=other, published=True, regions=["MK19"],
                           target_groups=["immigrants"])
    open_call = make_partner_call(organisation=org)
    closed_call = make_partner_call(organisation=org, state="closed")
    event = make_event(organisation=org)
    cancelled = make_event(organisation=org, state="cancelled")
    draft_event = make_event(organisation=org, state="draft")
    ely = make_organisation(name="Seurattu ELY", type="regional_authority", regions=("MK19",))
    add_follow(user, "organisation", ely.id)
    call = make_call(ely=ely, manager=make_user(), regions=["MK19"])
    found = _found(user)
    assert set(found) == {("practice", published.id), ("partner_call", open_call.id),
                          ("event", event.id), ("call", call.id)}
    for not_news in (("practice", draft.id), ("practice", archived.id), ("practice", theirs.id),
                     ("partner_call", closed_call.id), ("event", cancelled.id),
                     ("event", draft_event.id)):
        assert not_news not in found
    assert found[("practice", published.id)].reasons == ("Seurattu Oy",)
    assert found[("call", call.id)].reasons == ("Seurattu ELY",)
    assert found[("practice", published.id)].url.startswith(f"/practices/{published.id}")
    assert found[("partner_call", open_call.id)].url == f"/partner-calls/{open_call.id}"
    assert found[("event", event.id)].url == f"/events/{event.id}"
    assert found[("call", call.id)].url == f"/calls/{call.id}"


def test_a_target_group_follow(make_user, make_organisation, make_practice, make_partner_call,
                               make_event, make_call, add_follow):
    user = make_user()
    add_follow(user, "target_group", "over_50")
    org = make_organisation(target_groups=("over_50",), regions=("MK19",))
    model = make_practice(published=True, target_groups=["over_50", "youth"])
    other_model = make_practice(published=True, target_groups=["youth"])
    wanted = make_partner_call(target_groups=["over_50"])
    not_wanted = make_partner_call(target_groups=["youth"])
    closed = make_partner_call(target_groups=["over_50"], state="closed")
    # Events are matched by organisation and region, not by the organiser's target groups.
    event = make_event(organisation=org)
    vouchers = make_call(funding_model="service_voucher", voucher_target_groups=["over_50"],
                         regions=["MK19"])
    other_vouchers = make_call(funding_model="service_voucher",
                               voucher_target_groups=["youth"], regions=["MK19"])
    found = _found(user)
    assert set(found) == {("practice", model.id), ("partner_call", wanted.id),
                          ("call", vouchers.id)}
    assert ("practice", other_model.id) not in found
    assert ("partner_call", not_wanted.id) not in found
    assert ("partner_call", closed.id) not in found
    assert ("event", event.id) not in found
    assert ("call", other_vouchers.id) not in found
    assert found[("practice", model.id)].reasons == ("Over 50",)


def test_a_region_follow(make_user, make_organisation, make_practice, make_partner_call,
                         make_event, make_call, add_follow):
    user = make_user()
    add_follow(user, "region", "MK01")
    in_uusimaa = make_organisation(regions=("MK01", "MK02"))
    in_lapland = make_organisation(regions=("MK19",))
    model = make_practice(published=True, regions=["MK01"])
    elsewhere = make_practice(published=True, regions=["MK19"])
    wanted = make_partner_call(regions=["MK02", "MK01"])
    not_wanted = make_partner_call(regions=["MK19"])
    event = make_event(organisation=in_uusimaa)
    far_event = make_event(organisation=in_lapland)
    regional = make_call(regions=["MK01"])
    other_region = make_call(regions=["MK19"])
    national = make_call(regions=[])
    upcoming = make_call(regions=["MK01"], phase="upcoming")
    draft_call = make_call(regions=["MK01"], phase="draft")
    found = _found(user)
    assert set(found) == {("practice", model.id), ("partner_call", wanted.id),
                          ("event", event.id), ("call", regional.id), ("call", national.id)}
    for not_news in (("practice", elsewhere.id), ("partner_call", not_wanted.id),
                     ("event", far_event.id), ("call", other_region.id),
                     ("call", upcoming.id), ("call", draft_call.id)):
        assert not_news not in found
    assert found[("event", event.id)].reasons == ("Uusimaa",)
    assert found[("call", national.id)].note == "national"
    assert found[("call", regional.id)].note == ""


def test_the_window_newest_first_and_new_marks(make_user, make_partner_call, add_follow):
    user = make_user()
    add_follow(user, "region", "MK01")
    old = make_partner_call(regions=["MK01"], created=timedelta(days=-40))
    earlier = make_partner_call(regions=["MK01"], created=timedelta(days=-3))
    later = make_partner_call(regions=["MK01"], created=timedelta(hours=-1))
    items = news.news_for(user, _since(), seen_at=utcnow() - timedelta(days=1))
    assert [item.id for item in items] == [later.id, earlier.id]
    assert [item.is_new for item in items] == [True, False]
    assert old.id not in {item.id for item in items}
    assert news.count_news(user, utcnow() - timedelta(days=1)) == 1
    assert news.count_news(user, _since()) == 2


@pytest.mark.parametrize("follows", [3, 60])
def test_queries_do_not_grow_with_follows(make_user, make_organisation, make_practice,
                                          make_partner_call, make_event, make_call, add_follow,
                                          count_queries, db, follows):
    from app.follows.models import Follow, FollowKind

    user = make_user()
    org = make_organisation(regions=("MK01",))
    add_follow(user, "organisation", org.id)
    add_follow(user, "region", "MK01")
    regions = ["MK02", "MK04", "MK05", "MK06", "MK07", "MK08", "MK09", "MK10"]
    for n in range(follows - 2):
        db.session.add(Follow(user_id=user.id, kind=FollowKind.organisation,
                              target=str(10_000_000 + n)))
    db.session.commit()
    for _ in range(2):
        make_practice(organisation=org, published=True, regions=regions)
        make_partner_call(organisation=org)
        make_event(organisation=org)
    make_call(regions=["MK01"])
    assert user.id  # loaded before counting
    with count_queries() as counter:
        items = news.news_for(user, _since())
    # follows, names, one per kind (4) and the organisers' regions of the events
    assert counter.count == 7, counter.statements
    assert len(items) == 7
    with count_queries() as counter:
        assert news.count_news(user, _since()) == 7
    assert counter.count == 2


def test_an_event_is_news_when_published_not_when_its_draft_was_made(
        make_user, make_organisation, make_event, add_follow, db):
    from app.events import services as events

    user = make_user()
    owner = make_user()
    org = make_organisation(owner=owner)
    add_follow(user, "organisation", org.id)
    old_draft = make_event(organisation=org, state="draft", created=timedelta(days=-40),
                           title="Kauan valmisteltu koulutus")
    assert ("event", old_draft.id) not in _found(user)
    events.publish_event(owner, old_draft)
    db.session.commit()
    found = _found(user)
    assert ("event", old_draft.id) in found
    assert found[("event", old_draft.id)].date == old_draft.published_at
