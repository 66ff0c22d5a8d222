"""A person's notices and mail choices are in their data download and go with their account."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from app.notifications import services
from app.notifications.models import Notification, NotificationPreference
from app.notifications.models import NotificationKind as K
from app.reviews import services as reviews
from tests.fixtures.auth import PASSWORD


def _count(db, model, user) -> int:
    return db.session.scalar(select(func.count(model.id)).where(model.user_id == user.id))


def test_the_download_has_the_notices_and_mail_choices(db, client, login_as, scene):
    reviews.assign_reviewer(scene.officer, scene.application, scene.reviewer)
    services.set_mail_preferences(scene.reviewer, {K.review_due: False})
    db.session.commit()
    login_as(scene.reviewer)
    response = client.get("/account/data.json")
    assert response.status_code == 200
    data = json.loads(response.get_data(as_text=True))
    [notice] = data["notifications"]
    assert notice["kind"] == "reviewer_assigned"
    assert notice["text"] == ("You have been assigned to review “Töihin yhdessä” "
                              "(Jobs together call).")
    assert notice["url"].startswith("/reviews/") and notice["read_at"] is None
    assert data["notification_mail_preferences"]["review_due"] is False
    assert data["notification_mail_preferences"]["reviewer_assigned"] is True


def test_the_download_leaves_out_what_is_withheld(db, client, login_as, scene):
    review = reviews.assign_reviewer(scene.officer, scene.application, scene.reviewer)
    db.session.commit()
    reviews.declare(scene.reviewer, review, True, "service_or_board", "")
    db.session.commit()
    login_as(scene.reviewer)
    data = json.loads(client.get("/account/data.json").get_data(as_text=True))
    assert data["notifications"] == []


def test_deleting_the_account_erases_notices_and_choices(db, client, login_as, scene):
    reviews.assign_reviewer(scene.officer, scene.application, scene.reviewer)
    services.set_mail_preferences(scene.reviewer, {K.review_due: False})
    db.session.commit()
    assert _count(db, Notification, scene.reviewer) == 1
    login_as(scene.reviewer)
    response = client.post("/account/delete", data={"current_password": PASSWORD})
    assert response.status_code == 302
    db.session.refresh(scene.reviewer)
    assert scene.reviewer.deleted_at is not None  # the row stays, anonymised: no FK cascade
    assert _count(db, Notification, scene.reviewer) == 0
    assert _count(db, NotificationPreference, scene.reviewer) == 0
    assert _count(db, Notification, scene.officer) == 1  # others' notices stay
