"""The reviewer's pages through HTTP: the list at /reviews, the declaration, the scoring form
(autosave, Save, Submit, Reopen), blind review until submitted, conflicts of interest, stale
saves and the revision notice."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.applications import workflow
from app.core.audit import AuditLog
from app.core.db import utcnow
from app.extensions import db
from app.organisations.models import Role
from app.organisations.services import forget_memberships
from app.reviews import services
from app.reviews.models import Declaration
from tests.fixtures.calls import during
from tests.reviews.support_reviewer import (
    OTHER_COMMENT,
    SECRET_BACKGROUND,
    complete_review,
    form_data,
    review_row,
    review_world,
)

HX = {"HX-Request": "true"}


@pytest.fixture
def world(make_organisation, make_user, add_member, make_call, make_application):
    return review_world(make_organisation, make_user, add_member, make_call, make_application)


def _url(review_id: int, action: str = "") -> str:
    return f"/reviews/{review_id}" + (f"/{action}" if action else "")


def _text(response) -> str:
    return response.get_data(as_text=True)


def _criterion(world, kind):
    return next(c for c in world.call.criteria if c.kind == kind)


def _declared(world, reviewer):
    services.declare(reviewer, world.review(reviewer), conflict=False)
    db.session.commit()
    return world.review(reviewer)


# --- who may open a review -------------------------------------------------------------------


def test_only_the_reviewer_opens_the_review(client, login_as, world, make_user, add_member):
    review_id = world.reviews[world.reviewers[0].id]
    admin = make_user(admin=True)
    for person in (world.reviewers[1], world.manager, admin,
                   world.application.created_by):
        login_as(person)
        for method, action in (("get", ""), ("post", "declare"), ("post", "save"),
                               ("post", "autosave"), ("post", "submit"), ("post", "reopen")):
            response = getattr(client, method)(_url(review_id, action),
                                               **({"data": form_data(world.review(
                                                   world.reviewers[0]))} if method == "post"
                                                  else {}))
            assert response.status_code == 404, (person.name, action)
    assert client.get(_url(999_999)).status_code == 404


def test_before_declaring_only_the_title_lead_and_call_are_shown(client, login_as, world):
    reviewer = world.reviewers[0]
    login_as(reviewer)
    html = _text(client.get(_url(world.reviews[reviewer.id])))
    assert world.application.project_name in html
    assert world.application.organisation.name in html
    assert world.call.title_fi in html
    assert SECRET_BACKGROUND not in html
    assert world.application.summary not in html
    assert 'name="declaration"' in html and 'name="ground"' in html
    for label in ("Party, or a close relative of a party",
                  "In the service of or on the board of a party",
                  "Can expect particular benefit or harm from the decision",
                  "Another reason that endangers impartiality"):
        assert label in html
    assert "434/2003" in html
    assert 'id="review-form"' not in html


def test_declaring_no_conflict_opens_the_content_and_the_form(client, login_as, world):
    reviewer = world.reviewers[0]
    review_id = world.reviews[reviewer.id]
    login_as(reviewer)
    response = client.post(_url(review_id, "declare"), data={"declaration": "no_conflict"})
    assert response.status_code == 302 and response.location.endswith(_url(review_id))
    assert world.review(reviewer).declaration == Declaration.no_conflict
    html = _text(client.get(_url(review_id)))
    assert SECRET_BACKGROUND in html
    assert 'id="review-form"' in html and 'name="version"' in html
    for criterion in world.call.criteria:
        mark = "score" if criterion.is_scored else "passed"
        assert f'name="criterion-{criterion.id}-{mark}"' in html
        assert f'name="criterion-{criterion.id}-comment"' in html
    # the criteria in their order
    positions = [html.index(f'id="criterion-{c.id}"') for c in world.call.criteria]
    assert positions == sorted(positions)
    assert "Weighted total: 0.00 / 100" in html and "0 of 4 criteria scored" in html
    assert [a.action for a in db.session.scalars(select(AuditLog).where(
        AuditLog.action == "review.declared"))] == ["review.declared"]


def test_a_declaration_needs_an_answer_and_other_needs_a_note(client, login_as, world):
    reviewer = world.reviewers[0]
    review_id = world.reviews[reviewer.id]
    login_as(reviewer)
    before = review_row(review_id)
    response = client.post(_url(review_id, "declare"), data={})
    assert response.status_code == 422
    assert 'id="declaration-error"' in _text(response)
    response = client.post(_url(review_id, "declare"),
                           data={"declaration": "conflict", "ground": "other", "note": ""})
    assert response.status_code == 422
    html = _text(response)
    assert re.search(r'id="note-error">Describe the other reason in the note', html)
    assert SECRET_BACKGROUND not in html
    response = client.post(_url(review_id, "declare"), data={"declaration": "conflict"})
    assert response.status_code == 422
    assert 'id="ground-error"' in _text(response)
    assert review_row(review_id) == before


def test_a_declared_conflict_shows_only_the_title(client, login_as, world):
    reviewer = world.reviewers[0]
    review_id = world.reviews[reviewer.id]
    login_as(reviewer)
    response = client.post(_url(review_id, "declare"), data={
        "declaration": "conflict", "ground": "party_or_relative", "note": "Sisar hallituksessa."})
    assert response.status_code == 302
    review = world.review(reviewer)
    assert review.declaration == Declaration.conflict
    html = _text(client.get(_url(review_id)))
    assert world.application.project_name in html
    assert "You are disqualified" in html and "presenting officer" in html
    assert SECRET_BACKGROUND not in html
    assert world.application.organisation.name not in html  # not even the lead
    assert 'name="declaration"' not in html and 'id="review-form"' not in html


def _conflicted(world, reviewer, how, add_member):
    if how == "declared":
        services.declare(reviewer, world.review(reviewer), conflict=True,
                         ground="service_or_board")
    else:
        add_member(world.partner, reviewer, Role.member)
    db.session.commit()
    forget_memberships()


@pytest.mark.parametrize("how", ["declared", "member_of_partner"])
def test_a_conflicted_reviewer_sees_no_content_and_changes_nothing(client, login_as, world,
                                                                  add_member, how):
    other = world.reviewers[1]
    complete_review(other, world.review(other), comment=OTHER_COMMENT)
    reviewer = world.reviewers[0]
    if how == "member_of_partner":
        complete_review(reviewer, world.review(reviewer), submit=False)
    _conflicted(world, reviewer, how, add_member)
    review_id = world.reviews[reviewer.id]
    login_as(reviewer)
    before = [review_row(rid) for rid in world.reviews.values()]
    for headers in ({}, HX):
        html = _text(client.get(_url(review_id), headers=headers))
        assert "You are disqualified" in html
        for secret in (SECRET_BACKGROUND, OTHER_COMMENT):
            assert secret not in html
        assert client.get("/reviews", headers=headers).status_code == 200
        assert SECRET_BACKGROUND not in _text(client.get("/reviews", headers=headers))
    for action in ("save", "autosave", "submit", "reopen", "declare"):
        data = form_data(world.review(reviewer), declaration="no_conflict")
        for headers in ({}, HX):
            response = client.post(_url(review_id, action), data=dict(data), headers=headers)
            assert response.status_code in (403, 422), (action, response.status_code)
            text = _text(response)
            assert SECRET_BACKGROUND not in text and OTHER_COMMENT not in text
    assert [review_row(rid) for rid in world.reviews.values()] == before


def test_a_member_of_the_lead_cannot_declare_no_conflict(client, login_as, world, add_member):
    reviewer = world.reviewers[0]
    add_member(world.application.organisation, reviewer, Role.member)
    review_id = world.reviews[reviewer.id]
    login_as(reviewer)
    html = _text(client.get(_url(review_id)))
    assert "member of the lead applicant or of a partner" in html
    assert SECRET_BACKGROUND not in html
    response = client.post(_url(review_id, "declare"), data={"declaration": "no_conflict"})
    assert response.status_code == 422
    assert world.review(reviewer).declaration == Declaration.pending


# --- scoring ---------------------------------------------------------------------------------


def test_autosave_saves_part_of_the_form_and_answers_the_new_total(client, login_as, world):
    reviewer = world.reviewers[0]
    review = _declared(world, reviewer)
    version = review.lock_version
    content = _criterion(world, "content")
    login_as(reviewer)
    response = client.post(_url(review.id, "autosave"), headers=HX, data={
        "version": str(version), f"criterion-{content.id}-score": "5",
        f"criterion-{content.id}-comment": "Erinomainen."})
    assert response.status_code == 200
    html = _text(response)
    assert "Saved at" in html
    assert "Weighted total: 40.00 / 100" in html and "1 of 4 criteria scored" in html
    saved = world.review(reviewer)
    assert re.search(rf'name="version" value="{saved.lock_version}"', html)
    assert saved.lock_version == version + 1
    assert saved.score_for(content.id).score == 5
    assert saved.score_for(content.id).comment == "Erinomainen."
    entries = list(db.session.scalars(select(AuditLog).where(AuditLog.action == "review.scored")))
    assert len(entries) == 1 and entries[0].actor_id == reviewer.id


@pytest.mark.parametrize(("kind", "value"), [("content", "6"), ("horizontal", "4"),
                                             ("content", "abc")])
def test_a_score_outside_the_scale_is_refused_on_its_field(client, login_as, world, kind,
                                                          value):
    reviewer = world.reviewers[0]
    review = _declared(world, reviewer)
    criterion = _criterion(world, kind)
    before = review_row(review.id)
    login_as(reviewer)
    name = f"criterion-{criterion.id}-score"
    data = form_data(review, **{name: value})
    response = client.post(_url(review.id, "save"), data=data, headers=HX)
    assert response.status_code == 422
    html = _text(response)
    assert re.search(rf'id="{name}-error">Give a score from 0 to {criterion.scale_max}', html)
    assert f'href="#{name}"' in html  # the summary links to the field
    assert "Perusteltu arvio." in html  # what was typed stays
    assert review_row(review.id) == before
    response = client.post(_url(review.id, "autosave"), data=data, headers=HX)
    assert response.status_code == 422 and "Not saved:" in _text(response)
    assert review_row(review.id) == before


def test_a_bad_proposed_amount_is_refused_on_its_field_and_kept(client, login_as, world):
    reviewer = world.reviewers[0]
    review = _declared(world, reviewer)
    before = review_row(review.id)
    login_as(reviewer)
    for headers in (HX, {}):
        response = client.post(_url(review.id, "save"), headers=headers,
                               data=form_data(review, proposed_amount="12,34,56"))
        assert response.status_code == 422
        html = _text(response)
        assert 'id="proposed_amount-error"' in html
        assert 'value="12,34,56"' in html
        assert 'aria-invalid="true"' in html
    assert review_row(review.id) == before


def test_save_without_javascript_saves_the_whole_form(client, login_as, world):
    reviewer = world.reviewers[0]
    review = _declared(world, reviewer)
    login_as(reviewer)
    response = client.post(_url(review.id, "save"),
                           data=form_data(review, score=3, proposed_amount="50 000,00"))
    assert response.status_code == 302 and response.location.endswith("#scoring")
    saved = world.review(reviewer)
    assert saved.proposed_cents == 5_000_000 and str(saved.recommendation) == "fund"
    assert all(s.comment == "Perusteltu arvio." for s in saved.scores)
    assert len(saved.scores) == len(world.call.criteria)
    html = _text(client.get(_url(review.id)))
    # 40×3/5 + 30×3/5 + 10×3/3 + 20×3/5 = 64
    assert "Weighted total: 64.00 / 100" in html and "4 of 4 criteria scored" in html


def test_a_save_from_a_stale_form_is_a_conflict(client, login_as, world):
    reviewer = world.reviewers[0]
    review = _declared(world, reviewer)
    stale = form_data(review, score=1, overall_comment="Vanhasta ikkunasta.")
    login_as(reviewer)
    assert client.post(_url(review.id, "save"), data=form_data(review, score=5)).status_code == 302
    before = review_row(review.id)
    for action in ("save", "autosave"):
        response = client.post(_url(review.id, action), data=dict(stale), headers=HX)
        assert response.status_code == 409
        assert "changed in another window" in _text(response)
        assert review_row(review.id) == before
    html = _text(client.post(_url(review.id, "save"), data=dict(stale), headers=HX))
    assert "Vanhasta ikkunasta." in html  # the typed text is still in the form
    current = world.review(reviewer).lock_version
    assert re.search(rf'name="version" type="hidden" value="{current}"', html)
    # Save again from that form: it replaces the stored review.
    stale["version"] = str(current)
    assert client.post(_url(review.id, "save"), data=stale).status_code == 302
    assert world.review(reviewer).overall_comment == "Vanhasta ikkunasta."


def test_an_incomplete_review_is_refused_with_links_to_what_is_missing(client, login_as, world):
    reviewer = world.reviewers[0]
    review = _declared(world, reviewer)
    content = _criterion(world, "content")
    general = _criterion(world, "general")
    login_as(reviewer)
    data = form_data(review)
    del data[f"criterion-{content.id}-score"]
    data[f"criterion-{general.id}-comment"] = ""
    response = client.post(_url(review.id, "submit"), data=data, headers=HX)
    assert response.status_code == 422
    html = _text(response)
    assert "The review cannot be submitted yet" in html
    assert f'href="#criterion-{content.id}-score"' in html
    assert f'href="#criterion-{general.id}-comment"' in html
    assert f'id="criterion-{content.id}-score-error"' in html
    saved = world.review(reviewer)
    assert saved.submitted_at is None
    # what could be saved was saved
    assert saved.recommendation is not None
    response = client.post(_url(review.id, "submit"), data={"version": str(saved.lock_version)})
    assert response.status_code == 422


def test_submitting_records_the_revision_and_shows_the_review_read_only(client, login_as, world):
    reviewer = world.reviewers[0]
    review = _declared(world, reviewer)
    login_as(reviewer)
    response = client.post(_url(review.id, "submit"), data=form_data(review), headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == _url(review.id)
    saved = world.review(reviewer)
    assert saved.is_submitted and saved.scored_revision == world.application.revision_count
    html = _text(client.get(_url(review.id)))
    assert 'id="review-form"' not in html
    assert "Reopen the review" in html
    actions = list(db.session.scalars(select(AuditLog.action).where(
        AuditLog.action.like("review.%")).order_by(AuditLog.id)))
    assert actions[-3:] == ["review.declared", "review.scored", "review.submitted"]


def test_blind_until_submitted(client, login_as, world, add_member):
    first, second, third = world.reviewers
    complete_review(second, world.review(second), score=2, comment=OTHER_COMMENT)
    # the third scored, submitted, then joined the partner: automatically conflicted
    complete_review(third, world.review(third), score=5, comment="Esteellisen-arvio-ZQ")
    add_member(world.partner, third, Role.member)
    forget_memberships()
    review = _declared(world, first)
    login_as(first)
    for headers in ({}, HX):
        html = _text(client.get(_url(review.id), headers=headers))
        assert OTHER_COMMENT not in html
        assert second.name not in html
        assert "other reviewers" not in html.lower()
    client.post(_url(review.id, "submit"), data=form_data(review))
    html = _text(client.get(_url(review.id)))
    assert OTHER_COMMENT in html and second.name in html
    # 40×2/5 + 30×2/5 + 10×2/3 + 20×2/5 = 42.67
    assert "Weighted total: 42.67 / 100" in html
    assert "Esteellisen-arvio-ZQ" not in html and third.name not in html


def test_a_reviewer_reopens_until_reviewing_is_closed(client, login_as, world):
    reviewer = world.reviewers[0]
    complete_review(reviewer, world.review(reviewer))
    review_id = world.reviews[reviewer.id]
    login_as(reviewer)
    response = client.post(_url(review_id, "reopen"), data={})
    assert response.status_code == 302
    assert world.review(reviewer).submitted_at is None
    assert 'id="review-form"' in _text(client.get(_url(review_id)))
    client.post(_url(review_id, "submit"), data=form_data(world.review(reviewer)))
    assert world.review(reviewer).is_submitted
    services.close_reviewing(world.manager, world.call)
    db.session.commit()
    html = _text(client.get(_url(review_id)))
    assert "Reopen the review" not in html
    client.post(_url(review_id, "reopen"), data={})
    assert world.review(reviewer).is_submitted


def test_closed_reviewing_blocks_saving(client, login_as, world):
    reviewer = world.reviewers[0]
    review = _declared(world, reviewer)
    services.close_reviewing(world.manager, world.call)
    db.session.commit()
    before = review_row(review.id)
    login_as(reviewer)
    html = _text(client.get(_url(review.id)))
    assert "Reviewing has been closed" in html and 'id="review-form"' not in html
    for action in ("save", "autosave", "submit"):
        response = client.post(_url(review.id, action), data=form_data(review), headers=HX)
        assert response.status_code == 422, action
        assert "Reviewing has been closed" in _text(response)
    assert review_row(review.id) == before


def test_a_new_revision_shows_a_notice_with_the_differences(client, login_as, world):
    reviewer = world.reviewers[0]
    complete_review(reviewer, world.review(reviewer))
    review_id = world.reviews[reviewer.id]
    login_as(reviewer)
    assert 'id="revision-notice"' not in _text(client.get(_url(review_id)))
    application = world.application
    now = during(application.call)
    workflow.request_more_info(world.manager, application, "Täydennä.",
                               utcnow() + timedelta(days=30), now=now)
    application.background = "Täydennetty tausta."
    workflow.supplement_application(application.created_by, application, now=now)
    db.session.commit()
    scored = world.review(reviewer).scored_revision
    latest = application.revision_count
    assert latest == scored + 1
    html = _text(client.get(_url(review_id)))
    assert 'id="revision-notice"' in html
    compare = f"/calls/applications/{application.id}/compare?rev_a={scored}&amp;rev_b={latest}"
    assert compare in html
    response = client.get(compare.replace("&amp;", "&"))
    assert response.status_code == 200
    assert "Täydennetty tausta." in _text(response)
    assert "changed since you submitted" in _text(client.get("/reviews"))


# --- the list --------------------------------------------------------------------------------


def test_the_list_shows_each_state_and_filters_by_it(client, login_as, world, make_application,
                                                     add_member):
    reviewer = world.reviewers[0]
    applications = [world.application] + [
        make_application(call=world.call, state="submitted", project_name=f"Hanke {n}")
        for n in range(3)]
    reviews = [world.review(reviewer)] + [
        services.assign_reviewer(world.manager, a, reviewer,
                                 due_at=utcnow() - timedelta(days=1) if n == 0 else None)
        for n, a in enumerate(applications[1:])]
    db.session.commit()
    complete_review(reviewer, reviews[1])  # submitted
    services.declare(reviewer, reviews[2], conflict=True, ground="benefit_or_harm")
    db.session.commit()
    services.declare(reviewer, reviews[3], conflict=False)  # in progress
    db.session.commit()
    login_as(reviewer)
    html = _text(client.get("/reviews"))
    for application in applications:
        assert application.project_name in html
    assert SECRET_BACKGROUND not in html
    for label in ("To declare", "Submitted", "Conflicted", "In progress"):
        assert label in html
    expected = {"to_declare": world.application.project_name, "submitted": "Hanke 0",
                "conflicted": "Hanke 1", "in_progress": "Hanke 2"}
    for state, title in expected.items():
        page = _text(client.get(f"/reviews?state={state}", headers=HX))
        assert title in page
        assert sum(t in page for t in expected.values()) == 1, state
    # the overdue one is marked only while it is open work: Hanke 0 is submitted
    assert "Overdue" not in html
    assert "None of your reviews is in this state" not in html
    junk = client.get("/reviews?state=bogus&sort=x&page=abc")
    assert junk.status_code == 200


def test_overdue_reviews_are_marked_and_sorting_orders_them(client, login_as, world):
    reviewer = world.reviewers[0]
    review = world.review(reviewer)
    review.due_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    login_as(reviewer)
    html = _text(client.get("/reviews?sort=due"))
    assert "Overdue" in html
    for sort in ("due", "call", "state"):
        assert client.get(f"/reviews?sort={sort}").status_code == 200


def test_an_empty_list_says_so(client, login_as, make_user):
    login_as(make_user())
    html = _text(client.get("/reviews"))
    assert "You have no applications to review" in html
    html = _text(client.get("/reviews?state=submitted"))
    assert "None of your reviews is in this state" in html


def test_the_list_shows_only_ones_own_reviews(client, login_as, world):
    login_as(world.reviewers[1])
    html = _text(client.get("/reviews"))
    assert html.count('data-review="') == 1
    assert f'data-review="{world.reviews[world.reviewers[1].id]}"' in html


def test_the_list_runs_the_same_queries_for_3_and_12_reviews(client, login_as, world,
                                                             make_application, make_call,
                                                             count_queries):
    reviewer = world.reviewers[0]
    other_call = make_call(ely=world.ely)

    def assign(count, call):
        for n in range(count):
            application = make_application(call=call, state="submitted",
                                           project_name=f"Määrähanke {call.id}-{n}")
            review = services.assign_reviewer(world.manager, application, reviewer)
            db.session.commit()
            if n % 3 == 1:
                complete_review(reviewer, review)

    assign(2, world.call)
    login_as(reviewer)
    counts = {}
    for size in (3, 12):
        if size == 12:
            assign(9, other_call)
        for sort in ("due", "state"):
            with count_queries() as counter:
                html = _text(client.get(f"/reviews?sort={sort}"))
            assert html.count('data-review="') == size
            counts[size, sort] = counter.count
    assert counts[3, "due"] == counts[12, "due"], counts
    assert counts[3, "state"] == counts[12, "state"], counts
    assert counts[12, "due"] <= 13, counts  # 13: with the header's What's new (follows)


def test_the_review_page_runs_the_same_queries_whatever_the_other_reviews(
        client, login_as, make_organisation, make_user, add_member, make_call, make_application,
        count_queries):
    world = review_world(make_organisation, make_user, add_member, make_call, make_application,
                         reviewers=6)
    first = world.reviewers[0]
    complete_review(first, world.review(first))
    login_as(first)
    counts = []
    for others in (world.reviewers[1:2], world.reviewers[2:]):
        for person in others:
            complete_review(person, world.review(person), comment=f"Arvio {person.id}")
        with count_queries() as counter:
            html = _text(client.get(_url(world.reviews[first.id])))
        assert all(f"Arvio {p.id}" in html for p in others)
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_every_post_needs_the_csrf_token(client, login_as, world):
    reviewer = world.reviewers[0]
    review = _declared(world, reviewer)
    before = review_row(review.id)
    login_as(reviewer)
    for action in ("declare", "save", "autosave", "submit", "reopen"):
        response = client.post(_url(review.id, action), data=form_data(review), csrf=False)
        assert response.status_code == 400, action
    assert review_row(review.id) == before


def test_autosave_answers_without_one_query_per_criterion(client, login_as, world,
                                                          count_queries):
    """The answer after the commit reads the call's criteria in one query (issue 12, §3: the
    autosave is the busiest write under load)."""
    reviewer = world.reviewers[0]
    review = _declared(world, reviewer)
    content = _criterion(world, "content")
    login_as(reviewer)
    url, version, field = _url(review.id, "autosave"), review.lock_version, content.id
    data = {"csrf_token": client.csrf_token(), "version": str(version),
            f"criterion-{field}-score": "4"}
    with count_queries() as counter:
        response = client.post(url, headers=HX, data=data)
    assert response.status_code == 200 and "1 of 4 criteria scored" in _text(response)
    one_each = [s for s in counter.statements
                if "FROM call_criterion" in s and "call_criterion.id = " in s]
    assert one_each == [], "\n".join(counter.statements)
