"""What's new: the last 30 days of news, new items marked until the page is seen, filters and
pages, the empty states, and the header's count (bounded queries)."""

from __future__ import annotations

import re
from datetime import timedelta

from app.core.db import utcnow
from app.follows.models import FollowSettings


def _nav_count(page: str) -> str | None:
    link = re.search(r'<a href="/whats-new" id="nav-whats-new"[^>]*>(.*?)</a>', page, re.S)
    assert link, "no What's new link in the header"
    shown = re.search(r'<span aria-hidden="true">\((\d+\+?)\)</span>', link.group(1))
    return shown.group(1) if shown else None


def test_new_items_are_marked_until_seen(client, login_as, make_user, make_partner_call,
                                         add_follow, db):
    user = login_as(make_user())
    add_follow(user, "region", "MK01")
    seen = make_partner_call(regions=["MK01"], title="Vanha kumppanihaku",
                             created=timedelta(days=-5))
    db.session.add(FollowSettings(user_id=user.id, seen_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    fresh = make_partner_call(regions=["MK01"], title="Uusi kumppanihaku")
    make_partner_call(regions=["MK19"], title="Lapin kumppanihaku")
    home = client.get("/").get_data(as_text=True)
    assert _nav_count(home) == "1"
    page = client.get("/whats-new").get_data(as_text=True)
    assert "Uusi kumppanihaku" in page and "Vanha kumppanihaku" in page
    assert "Lapin kumppanihaku" not in page
    new_item = page[page.index("Uusi kumppanihaku") - 400:page.index("Uusi kumppanihaku")]
    old_item = page[page.index("Vanha kumppanihaku") - 400:page.index("Vanha kumppanihaku")]
    assert "badge-new" in new_item.rsplit("<li", 1)[1]
    assert "badge-new" not in old_item.rsplit("<li", 1)[1]
    assert "Because you follow: Uusimaa" in page
    assert f'href="/partner-calls/{fresh.id}"' in page and f"/partner-calls/{seen.id}" in page
    # Seen now: nothing is new any more, in the page or in the header.
    assert db.session.get(FollowSettings, user.id).seen_at > utcnow() - timedelta(minutes=1)
    again = client.get("/whats-new").get_data(as_text=True)
    assert "badge-new" not in again and _nav_count(again) is None


def test_a_filtered_list_leaves_the_other_kinds_new(client, login_as, make_user,
                                                   make_partner_call, make_event,
                                                   make_organisation, add_follow, db):
    user = login_as(make_user())
    org = make_organisation(name="Seurattu ry")
    add_follow(user, "organisation", org.id)
    make_partner_call(organisation=org, title="Haku A")
    make_event(organisation=org, title="Tapahtuma B")
    page = client.get("/whats-new?kind=event").get_data(as_text=True)
    assert "Tapahtuma B" in page and "Haku A" not in page
    assert db.session.get(FollowSettings, user.id) is None  # not marked seen
    assert _nav_count(client.get("/").get_data(as_text=True)) == "2"
    only_new = client.get("/whats-new?new=1&sort=oldest").get_data(as_text=True)
    assert only_new.index("Haku A") < only_new.index("Tapahtuma B")


def test_pages_of_twenty(client, login_as, make_user, make_partner_call, add_follow):
    user = login_as(make_user())
    add_follow(user, "target_group", "youth")
    for n in range(23):
        make_partner_call(target_groups=["youth"], title=f"Haku numero {n:02d}",
                          created=timedelta(minutes=-n - 1))
    first = client.get("/whats-new").get_data(as_text=True)
    assert first.count('class="news-item') == 20 and "Haku numero 00" in first
    second = client.get("/whats-new?page=2").get_data(as_text=True)
    assert second.count('class="news-item') == 3 and "Haku numero 22" in second
    assert "Haku numero 00" not in second


def test_the_empty_states(client, login_as, make_user, add_follow):
    user = login_as(make_user())
    page = client.get("/whats-new").get_data(as_text=True)
    assert "You do not follow anything yet." in page and 'href="/following"' in page
    add_follow(user, "region", "MK21")
    page = client.get("/whats-new").get_data(as_text=True)
    assert "Nothing new in the last 30 days" in page


def test_signed_out_people_go_to_log_in(client):
    for url in ("/whats-new", "/following"):
        answer = client.get(url)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_the_header_count_is_cheap(app, login_as, make_user, make_organisation,
                                   make_partner_call, make_event, make_practice, add_follow,
                                   count_queries, db):
    from flask import g
    from flask_login import login_user

    from app.follows.views import whats_new_count

    user = make_user()
    org = make_organisation(regions=("MK01",))
    add_follow(user, "organisation", org.id)
    for kind, code in (("target_group", "youth"), ("target_group", "over_50"),
                       ("region", "MK02"), ("region", "MK04")):
        add_follow(user, kind, code)
    for _ in range(3):
        make_partner_call(organisation=org)
        make_event(organisation=org)
        make_practice(organisation=org, published=True)
    db.session.add(FollowSettings(user_id=user.id, seen_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    assert user.id
    with app.test_request_context():
        login_user(user)
        with count_queries() as counter:
            assert whats_new_count() == 9
            assert whats_new_count() == 9  # cached for the request
        assert counter.count == 3, counter.statements  # follows, settings, one count
        g.pop("_whats_new_count")
    nobody = make_user()
    with app.test_request_context():
        login_user(nobody)
        with count_queries() as counter:
            assert whats_new_count() == 0
        assert counter.count == 1  # follows only
