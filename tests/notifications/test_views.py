"""The notification centre: the list (newest first, in the reader's language, unread marked and
then read once shown), mark all read, the header's count (one query, whatever the number of
notices), the mail preferences form, and the conflict-of-interest rule on notices."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.db import utcnow
from app.extensions import db as _db
from app.notifications import services
from app.notifications.models import Notification, NotificationPreference
from app.notifications.models import NotificationKind as K
from app.reviews import services as reviews
from tests.notifications.conftest import notices_of


def _notice(user, kind=K.info_requested, title="Töihin yhdessä", minutes_ago=0, read=False,
            application=None, **params):
    at = utcnow() - timedelta(minutes=minutes_ago)
    notice = Notification(user_id=user.id, kind=kind, url="/calls",
                          params={"title": title, "call": {"fi": "Haku", "en": "The call"},
                                  **params},
                          subject_type="application" if application else None,
                          subject_id=application.id if application else None,
                          created_at=at, read_at=at if read else None)
    _db.session.add(notice)
    return notice


def _add(user, n, **kw):
    for i in range(n):
        _notice(user, title=f"Hanke {i}", minutes_ago=n - i, **kw)
    _db.session.commit()


def _unread(user) -> int:
    return _db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)))


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method,url", [("GET", "/notifications"),
                                        ("GET", "/notifications/settings"),
                                        ("POST", "/notifications/settings"),
                                        ("POST", "/notifications/read")])
def test_signed_out_is_sent_to_log_in(client, method, url):
    response = client.open(url, method=method, data={} if method == "POST" else None)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    htmx = client.open(url, method=method, headers={"HX-Request": "true"},
                       data={} if method == "POST" else None)
    assert htmx.status_code == 401


def test_no_header_link_for_the_signed_out(client):
    html = client.get("/").get_data(as_text=True)
    assert "/notifications" not in html


# --- the list --------------------------------------------------------------------------------


def test_empty_state(client, login_as, make_user):
    login_as(make_user())
    html = client.get("/notifications").get_data(as_text=True)
    assert "You have no notifications" in html
    assert "Mark all as read" not in html
    assert 'href="/notifications/settings"' in html


def test_the_list_is_newest_first_and_marks_what_it_showed_read(db, client, login_as, scene):
    review = reviews.assign_reviewer(scene.officer, scene.application, scene.reviewer)
    _notice(scene.reviewer, K.decision_made, title="Vanha hanke", minutes_ago=60, read=True,
            outcome="rejected")
    db.session.commit()
    login_as(scene.reviewer)

    response = client.get("/notifications")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    new = html.index("You have been assigned to review “Töihin yhdessä” (Jobs together call).")
    old = html.index("The application “Vanha hanke” has not been funded.")
    assert new < old  # newest first
    assert f'href="/reviews/{review.id}"' in html
    # unread: marked with a word, not only a colour, this once
    assert html.count('<span class="badge badge-new">New</span>') == 1
    assert re.search(r'<time class="notice-time" datetime="[^"]+">', html)
    assert 'Notifications <span aria-hidden="true">(1)</span>' in html
    assert _unread(scene.reviewer) == 0

    again = client.get("/notifications").get_data(as_text=True)
    assert "badge-new" not in again
    assert "(1)" not in again


def test_the_text_follows_the_readers_language(db, client, login_as, make_user):
    user = make_user()
    _notice(user, K.info_requested, title="Töihin yhdessä")
    db.session.commit()
    login_as(user)
    html = client.get("/notifications", headers={"Accept-Language": "fi"}).get_data(
        as_text=True)
    # English is the source; the Finnish catalog may not have it yet: either way the params
    # are filled in and no template text leaks.
    assert "Töihin yhdessä" in html and "%(title)s" not in html


def test_opening_marks_only_the_shown_page_read(db, client, login_as, make_user):
    user = make_user()
    _add(user, 25)
    login_as(user)
    html = client.get("/notifications").get_data(as_text=True)
    assert html.count("badge-new") == 20
    assert "Hanke 24" in html and "Hanke 4" not in html  # page 1: the 20 newest
    assert _unread(user) == 5
    page2 = client.get("/notifications?page=2").get_data(as_text=True)
    assert page2.count("badge-new") == 5 and "Hanke 0" in page2
    assert _unread(user) == 0


def test_mark_all_as_read(db, client, login_as, make_user):
    user = make_user()
    other = make_user()
    _add(user, 25)
    _add(other, 2)
    login_as(user)
    assert "Mark all as read" in client.get("/notifications?page=9").get_data(as_text=True)
    response = client.post("/notifications/read", data={})
    assert response.status_code == 302 and response.headers["Location"] == "/notifications"
    assert _unread(user) == 0
    assert _unread(other) == 2  # only one's own


def test_mark_all_as_read_needs_the_csrf_token(db, client, login_as, make_user):
    user = make_user()
    _add(user, 2)
    login_as(user)
    response = client.post("/notifications/read", data={}, csrf=False)
    assert response.status_code == 400
    assert _unread(user) == 2


def test_a_notice_leads_only_to_a_path_of_the_site(db, client, login_as, make_user):
    user = make_user()
    notice = _notice(user)
    notice.url = "javascript:alert(1)"
    db.session.commit()
    login_as(user)
    html = client.get("/notifications").get_data(as_text=True)
    assert "javascript:" not in html
    assert "Töihin yhdessä" in html


# --- the header ------------------------------------------------------------------------------


def test_header_count_and_its_accessible_label(db, client, login_as, make_user):
    user = make_user()
    _add(user, 3)
    _notice(user, read=True)
    db.session.commit()
    login_as(user)
    html = client.get("/").get_data(as_text=True)
    assert 'Notifications <span aria-hidden="true">(3)</span>' in html
    assert '<span class="visually-hidden">, 3 unread</span>' in html


def test_no_count_when_all_is_read(db, client, login_as, make_user):
    user = make_user()
    _notice(user, read=True)
    db.session.commit()
    login_as(user)
    html = client.get("/").get_data(as_text=True)
    assert 'href="/notifications"' in html and "unread" not in html


def _queries(client, count_queries, url) -> int:
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


def test_the_count_is_one_query_whatever_the_number_of_notices(db, client, login_as,
                                                                make_user, count_queries):
    few, many = make_user(), make_user()
    _add(few, 1)
    _add(many, 60)
    login_as(few)
    with_few = _queries(client, count_queries, "/")
    client.post("/logout", data={})
    login_as(many)
    with_many = _queries(client, count_queries, "/")
    assert with_few == with_many
    # and the count is one statement of the page's
    with count_queries() as counter:
        client.get("/")
    assert sum("notification" in s and "count(" in s.lower() for s in counter.statements) == 1


def test_the_list_page_does_not_grow_with_the_number_of_notices(db, client, login_as,
                                                                 make_user, count_queries):
    few, many = make_user(), make_user()
    _add(few, 2, read=True)
    _add(many, 18, read=True)
    login_as(few)
    with_few = _queries(client, count_queries, "/notifications")
    client.post("/logout", data={})
    login_as(many)
    assert _queries(client, count_queries, "/notifications") == with_few


def test_reviews_link_only_for_reviewers(db, client, login_as, scene, make_organisation,
                                        make_user, add_member):
    login_as(scene.officer)  # a call manager, not a reviewer
    assert ">Reviews</a>" not in client.get("/").get_data(as_text=True)
    client.post("/logout", data={})
    login_as(scene.reviewer)
    assert '<a href="/reviews" >Reviews</a>' in client.get("/").get_data(as_text=True)
    client.post("/logout", data={})
    # the reviewer flag counts only in a verified ELY-centre
    unverified = make_organisation(type="regional_authority", verified=False)
    hopeful = make_user()
    add_member(unverified, hopeful, reviewer=True)
    login_as(hopeful)
    assert ">Reviews</a>" not in client.get("/").get_data(as_text=True)


# --- conflicts of interest -------------------------------------------------------------------


def test_a_conflicted_reviewer_no_longer_sees_the_assignment(db, client, login_as, scene):
    review = reviews.assign_reviewer(scene.officer, scene.application, scene.reviewer)
    db.session.commit()
    reviews.declare(scene.reviewer, review, True, "party_or_relative", "Sisareni hallituksessa.")
    _notice(scene.reviewer, K.info_requested, title="Toinen hanke")
    db.session.commit()
    assert services.unread_count(scene.reviewer) == 1
    login_as(scene.reviewer)
    html = client.get("/notifications").get_data(as_text=True)
    assert "Töihin yhdessä" not in html
    assert "Toinen hanke" in html
    assert 'Notifications <span aria-hidden="true">(1)</span>' in html
    # still stored (it is the person's data) but never shown, nor counted
    assert len(notices_of(db, scene.reviewer, K.reviewer_assigned)) == 1


@pytest.mark.parametrize("kind", [K.reviewer_assigned, K.review_due, K.application_submitted,
                                  K.decision_proposed])
def test_ely_side_notices_are_withheld_from_a_member_of_a_party(db, client, login_as, scene,
                                                                 add_member, kind):
    # A call manager told of a submission, who then joins the lead applicant.
    _notice(scene.officer, kind, title="Piilotettava", application=scene.application)
    db.session.commit()
    add_member(scene.lead, scene.officer)
    login_as(scene.officer)
    html = client.get("/notifications").get_data(as_text=True)
    assert "Piilotettava" not in html
    assert "You have no notifications" in html
    assert services.unread_count(scene.officer) == 0


def test_applicant_notices_stay_visible_to_the_applicants(db, client, login_as, scene):
    for kind in (K.info_requested, K.decision_made, K.partner_invitation):
        _notice(scene.lead_owner, kind, title=f"Näkyvä {kind}", application=scene.application)
    db.session.commit()
    login_as(scene.lead_owner)
    html = client.get("/notifications").get_data(as_text=True)
    assert html.count("Näkyvä") == 3


# --- preferences -----------------------------------------------------------------------------


def test_settings_show_every_kind_checked_by_default(db, client, login_as, make_user):
    login_as(make_user())
    html = client.get("/notifications/settings").get_data(as_text=True)
    assert "<legend>Send me e-mail when</legend>" in html
    for kind in K:
        assert re.search(rf'<input checked id="{kind}" name="{kind}" type="checkbox" value="y">',
                         html), kind
        assert f'<label for="{kind}">' in html


def test_settings_save(db, client, login_as, make_user):
    user = make_user()
    login_as(user)
    ticked = {str(k): "y" for k in K if k not in (K.review_due, K.decision_made)}
    response = client.post("/notifications/settings", data=ticked)
    assert response.status_code == 302
    prefs = services.mail_preferences(user)
    assert not prefs[K.review_due] and not prefs[K.decision_made]
    assert prefs[K.reviewer_assigned]
    html = client.get("/notifications/settings").get_data(as_text=True)
    assert 'id="review_due" name="review_due" type="checkbox"' in html
    assert '<input checked id="review_due"' not in html


def test_settings_refuse_a_value_no_checkbox_sends(db, client, login_as, make_user):
    user = make_user()
    login_as(user)
    response = client.post("/notifications/settings",
                           data={"review_due": "perhaps", "decision_made": "y\x00"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    # the message is tied to its checkbox for screen readers
    assert re.search(r'<input aria-describedby="review_due-error" aria-invalid="true"[^>]*'
                     r'id="review_due"', html)
    assert '<p class="error" id="review_due-error">Tick the box or leave it empty. </p>' in html
    assert ('id="decision_made-error">This field cannot contain line breaks or control '
            'characters.') in html
    assert db.session.scalar(select(func.count(NotificationPreference.id)).where(
        NotificationPreference.user_id == user.id)) == 0


def test_settings_need_the_csrf_token(db, client, login_as, make_user):
    user = make_user()
    login_as(user)
    response = client.post("/notifications/settings", data={}, csrf=False)
    assert response.status_code == 400
    assert all(services.mail_preferences(user).values())


def test_settings_are_linked_from_the_account_page(db, client, login_as, make_user):
    login_as(make_user())
    assert 'href="/notifications/settings"' in client.get("/account").get_data(as_text=True)
