"""Following: follow and unfollow an organisation (htmx and plain POST), target groups and
regions, the limit, the weekly digest choice, and the personal data download and erasure."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.core.domain import DomainError, NotAllowed
from app.follows import services
from app.follows.models import DigestSent, Follow, FollowKind, FollowSettings


def _follows(db, user):
    return {(str(f.kind), f.target) for f in db.session.scalars(
        select(Follow).where(Follow.user_id == user.id))}


def _input(page: str, element_id: str) -> str:
    return re.search(rf'<input[^>]*id="{element_id}"[^>]*>', page).group(0)


def test_follow_an_organisation_with_htmx_and_without(client, login_as, make_user,
                                                      make_organisation, db):
    user = login_as(make_user())
    org = make_organisation(name="Työvoima Saimaa Oy", type="staffing_firm")
    page = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert f'hx-post="/organisations/{org.id}/follow"' in page and 'aria-pressed="false"' in page
    answer = client.post(f"/organisations/{org.id}/follow", data={},
                         headers={"HX-Request": "true"})
    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    assert 'id="follow-organisation"' in body and 'aria-pressed="true"' in body
    assert "<html" not in body  # the fragment, not the page
    assert _follows(db, user) == {("organisation", str(org.id))}
    # Without JavaScript: a plain POST toggles it off and returns to the page.
    answer = client.post(f"/organisations/{org.id}/follow", data={})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(
        f"/organisations/{org.id}")
    assert _follows(db, user) == set()
    assert "You no longer follow Työvoima Saimaa Oy." in client.get(
        f"/organisations/{org.id}").get_data(as_text=True)


def test_an_unverified_organisation_cannot_be_followed(client, login_as, make_user,
                                                       make_organisation, add_member, db):
    user = login_as(make_user())
    org = make_organisation(verified=False)
    assert client.post(f"/organisations/{org.id}/follow", data={}).status_code == 404
    add_member(org, user)  # its members see the page, and still cannot follow it
    assert 'hx-post="/organisations/' not in client.get(
        f"/organisations/{org.id}").get_data(as_text=True)
    assert client.post(f"/organisations/{org.id}/follow", data={}).status_code == 403
    with pytest.raises(DomainError):
        services.follow(user, FollowKind.organisation, org.id)
    assert _follows(db, user) == set()


def test_anonymous_people_are_asked_to_sign_in(client, make_organisation):
    org = make_organisation()
    page = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "Sign in to follow this organisation" in page and "hx-post" not in page.split(
        "follow-toggle")[1][:300]
    answer = client.post(f"/organisations/{org.id}/follow", data={})
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_target_groups_and_regions_on_the_following_page(client, login_as, make_user, db):
    user = login_as(make_user())
    page = client.get("/following").get_data(as_text=True)
    assert "You do not follow" not in page and "You follow 0 of at most 100." in page
    answer = client.post("/following/target-groups",
                         data={"target_group-target": "partially_able_to_work"})
    assert answer.status_code == 302
    answer = client.post("/following/regions", data={"region-target": "MK01"})
    assert answer.status_code == 302
    assert _follows(db, user) == {("target_group", "partially_able_to_work"),
                                  ("region", "MK01")}
    page = client.get("/following").get_data(as_text=True)
    assert "Partially able to work" in page and "Uusimaa" in page
    # What is followed is no longer offered.
    assert 'value="MK01"' not in page and 'value="MK02"' in page
    # Unknown codes and an empty choice are refused with a message on the field.
    for data, url in (({"region-target": "MK99"}, "/following/regions"),
                      ({"target_group-target": ""}, "/following/target-groups"),
                      ({"region-target": "MK01\x00"}, "/following/regions")):
        answer = client.post(url, data=data)
        assert answer.status_code == 422, data
        assert 'aria-invalid="true"' in answer.get_data(as_text=True)
    assert len(_follows(db, user)) == 2
    row = db.session.scalar(select(Follow).where(Follow.user_id == user.id,
                                                 Follow.kind == FollowKind.region))
    assert client.post(f"/following/{row.id}/remove", data={}).status_code == 302
    assert _follows(db, user) == {("target_group", "partially_able_to_work")}


def test_someone_elses_follow_cannot_be_removed(client, login_as, make_user, db):
    owner = make_user()
    row = services.follow(owner, FollowKind.region, "MK01")
    db.session.commit()
    login_as(make_user())
    assert client.post(f"/following/{row.id}/remove", data={}).status_code == 404
    assert _follows(db, owner) == {("region", "MK01")}
    with pytest.raises(NotAllowed):
        services.unfollow(make_user(), row)


def test_at_most_a_hundred_follows(client, login_as, make_user, db):
    user = login_as(make_user())
    for n in range(services.MAX_FOLLOWS - 1):
        db.session.add(Follow(user_id=user.id, kind=FollowKind.organisation,
                              target=str(10_000_000 + n)))
    db.session.commit()
    assert client.post("/following/regions", data={"region-target": "MK01"}).status_code == 302
    answer = client.post("/following/regions", data={"region-target": "MK02"})
    assert answer.status_code == 422
    assert "You can follow at most 100" in answer.get_data(as_text=True)
    count = db.session.scalar(select(func.count(Follow.id)).where(Follow.user_id == user.id))
    assert count == services.MAX_FOLLOWS
    # Following what is already followed is not a new follow, and not refused.
    assert services.follow(user, FollowKind.region, "MK01").target == "MK01"


def test_the_weekly_digest_choice(client, login_as, make_user, db):
    user = login_as(make_user())
    assert client.post("/following/digest", data={"weekly_digest": "y"}).status_code == 302
    assert db.session.get(FollowSettings, user.id).weekly_digest is True
    page = client.get("/following").get_data(as_text=True)
    assert " checked " in _input(page, "weekly_digest")
    assert client.post("/following/digest", data={"weekly_digest": "maybe"}).status_code == 422
    assert db.session.get(FollowSettings, user.id).weekly_digest is True
    assert client.post("/following/digest", data={}).status_code == 302
    assert db.session.get(FollowSettings, user.id).weekly_digest is False
    assert " checked " not in _input(client.get("/following").get_data(as_text=True),
                                     "weekly_digest")


def test_personal_data_holds_the_follows_and_erases_them(make_user, make_organisation, db):
    from app.core import personal_data

    user = make_user()
    org = make_organisation(name="Seurattava ry")
    services.follow(user, FollowKind.organisation, org.id)
    services.follow(user, FollowKind.region, "MK01")
    services.set_weekly_digest(user, True)
    db.session.add(DigestSent(user_id=user.id, period="2026-W49", item_count=3))
    db.session.commit()
    data = personal_data.export_dict(user)
    assert {(f["kind"], f["name"]) for f in data["follows"]} == {
        ("organisation", "Seurattava ry"), ("region", "Uusimaa")}
    assert data["follow_settings"]["weekly_digest"] is True
    assert data["follow_digests_sent"][0]["period"] == "2026-W49"
    other = make_user()
    services.follow(other, FollowKind.region, "MK01")
    personal_data.erase(user)  # as the account's deletion does
    db.session.commit()
    assert _follows(db, user) == set() and db.session.get(FollowSettings, user.id) is None
    assert db.session.scalar(select(func.count(DigestSent.id)).where(
        DigestSent.user_id == user.id)) == 0
    assert _follows(db, other) == {("region", "MK01")}  # others' follows stay
