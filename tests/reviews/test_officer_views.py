"""The review management page: roles, assignment one by one, in bulk and balanced, unassigning
and reassigning, declarations and workload, closing reviewing, who may do what, bounded
queries; and the call manager's application list for a conflicted call manager."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import pytest
from sqlalchemy import select

from app.core.domain import DomainError
from app.extensions import db
from app.organisations.models import Role
from app.reviews import permissions as perms
from app.reviews import services
from app.reviews.models import Review
from tests.reviews.officer_support import make_world, review, submitted


@pytest.fixture
def world(make_call, make_organisation, make_user, add_member):
    return make_world(make_call, make_organisation, make_user, add_member, reviewers=4)


def _page(client, world) -> str:
    response = client.get(f"/calls/{world.call.id}/reviewers")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _reviews(application) -> list[Review]:
    return list(db.session.scalars(select(Review).where(
        Review.application_id == application.id).order_by(Review.id)))


def test_roles_form_saves_and_refuses_the_same_person_twice(world, make_user, add_member,
                                                            client, login_as):
    other = make_user(name="Ratkaisija Raili")
    add_member(world.ely, other, Role.member, call_manager=True)
    login_as(world.officer)
    page = _page(client, world)
    assert 'name="roles-presenting_officer"' in page and "Ratkaisija Raili" in page
    url = f"/calls/{world.call.id}/reviewers/roles"
    same = client.post(url, data={"roles-presenting_officer": str(world.officer.id),
                                  "roles-decision_maker": str(world.officer.id),
                                  "roles-reviews_due_at": ""})
    assert same.status_code == 422
    text = same.get_data(as_text=True)
    assert "The same person cannot both present and decide." in text
    assert re.search(r'id="roles-decision_maker-error"', text)
    db.session.refresh(world.call)
    assert world.call.decision_maker_id is None

    bogus = client.post(url, data={"roles-presenting_officer": "99999",
                                   "roles-decision_maker": "", "roles-reviews_due_at": "x"})
    assert bogus.status_code == 422  # not a choice, not a time: messages, never a 500

    saved = client.post(url, data={"roles-presenting_officer": str(world.officer.id),
                                   "roles-decision_maker": str(world.owner.id),
                                   "roles-reviews_due_at": "2031-03-01 16:00"})
    assert saved.status_code == 302
    db.session.refresh(world.call)
    assert (world.call.presenting_officer_id, world.call.decision_maker_id) == (
        world.officer.id, world.owner.id)
    assert world.call.reviews_due_at is not None

    # Now that the officer is named, the other call manager reads the page without the
    # assignment forms, and may not assign.
    login_as(other)
    page = _page(client, world)
    assert "Balanced automatic assignment" not in page
    assert client.post(f"/calls/{world.call.id}/reviewers/auto",
                       data={"auto-per_application": "2"}).status_code == 403


def test_assign_one_reviewer_and_refusals(world, make_application, add_member, client,
                                          login_as):
    application = submitted(make_application, world.call, "Yksi hanke")
    a, b, *_ = world.reviewers
    add_member(application.organisation, b, Role.member)  # b may never review it
    login_as(world.officer)
    url = f"/calls/{world.call.id}/reviewers/assign"
    ok = client.post(url, data={"assign-application": str(application.id),
                                "assign-reviewer": str(a.id), "assign-due_at": ""})
    assert ok.status_code == 302
    assert [r.reviewer_id for r in _reviews(application)] == [a.id]
    db.session.refresh(application)
    assert application.state == "in_review"
    again = client.post(url, data={"assign-application": str(application.id),
                                   "assign-reviewer": str(a.id)})
    assert again.status_code == 422
    assert "is already assigned to this application" in again.get_data(as_text=True)
    member = client.post(url, data={"assign-application": str(application.id),
                                    "assign-reviewer": str(b.id)})
    assert member.status_code == 422
    assert "is a member of an applicant organisation" in member.get_data(as_text=True)
    not_reviewer = client.post(url, data={"assign-application": str(application.id),
                                          "assign-reviewer": str(world.owner.id)})
    assert not_reviewer.status_code == 422  # not among the choices
    assert [r.reviewer_id for r in _reviews(application)] == [a.id]


def test_bulk_assignment_skips_members_and_existing(world, make_application, add_member,
                                                    client, login_as):
    one = submitted(make_application, world.call, "Eka")
    two = submitted(make_application, world.call, "Toka")
    three = submitted(make_application, world.call, "Kolmas")
    a = world.reviewers[0]
    add_member(three.organisation, a, Role.member)
    login_as(world.officer)
    response = client.post(f"/calls/{world.call.id}/reviewers/assign-many", data={
        "bulk-applications": [str(one.id), str(two.id), str(three.id)],
        "bulk-reviewer": str(a.id)})
    assert response.status_code == 302
    assert [len(_reviews(x)) for x in (one, two, three)] == [1, 1, 0]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "was assigned to 2 applications" in page and "1 ticked application was skipped" in page
    nothing = client.post(f"/calls/{world.call.id}/reviewers/assign-many",
                          data={"bulk-reviewer": str(a.id)})
    assert nothing.status_code == 422
    assert "Tick at least one application." in nothing.get_data(as_text=True)


def test_balanced_automatic_assignment(world, make_application, add_member, client,
                                       login_as):
    applications = [submitted(make_application, world.call, f"Hanke {n}") for n in range(5)]
    first = world.reviewers[0]
    add_member(applications[0].organisation, first, Role.member)
    login_as(world.officer)
    response = client.post(f"/calls/{world.call.id}/reviewers/auto",
                           data={"auto-per_application": "2", "auto-due_at": ""})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "10 assignments were made." in page
    reviews = list(db.session.scalars(select(Review).where(Review.call_id == world.call.id)))
    assert len(reviews) == 10
    load = Counter(r.reviewer_id for r in reviews)
    assert max(load.values()) - min(load.values()) <= 1
    assert all(len({r.reviewer_id for r in reviews if r.application_id == a.id}) == 2
               for a in applications)
    memberships = perms.member_organisation_ids([r.id for r in world.reviewers])
    assert not any(perms.is_automatically_conflicted(r.reviewer_id, r.application, memberships)
                   for r in reviews)
    # the workload table shows the balance
    assert "Workload per reviewer" in page
    # asking for more than there are reviewers: the short ones are listed
    short = client.post(f"/calls/{world.call.id}/reviewers/auto",
                        data={"auto-per_application": "4"})
    text = client.get(short.headers["Location"]).get_data(as_text=True)
    assert "Too few reviewers without a conflict for: Hanke 0" in text
    bad = client.post(f"/calls/{world.call.id}/reviewers/auto",
                      data={"auto-per_application": "11"})
    assert bad.status_code == 422


def test_declarations_are_shown_and_a_conflicted_reviewer_reassigned(
        world, make_application, add_member, make_user, client, login_as):
    application = submitted(make_application, world.call, "Julistukset")
    a, b, c, d = world.reviewers
    review(world, application, a, (4, 4, 2, 4))
    conflicted = review(world, application, b, conflict="other")
    services.assign_reviewer(world.officer, application, c)  # not declared yet
    db.session.commit()
    late = review(world, application, d, (1, 1, 1, 1), submit=False)
    add_member(application.organisation, d, Role.member)  # an automatic conflict now
    login_as(world.officer)
    page = _page(client, world)
    assert "No conflict declared" in page
    assert "Declared conflict: Another reason that endangers impartiality" in page
    assert "Hallituksen jäsen." in page  # the note
    assert "Conflict of interest not declared yet" in page
    assert "Automatic conflict: member of the lead applicant or of a partner" in page

    conflicted_id, late_id = conflicted.id, late.id
    url = f"/calls/{world.call.id}/reviewers/{conflicted_id}/unassign"
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "<form" in confirm.get_data(as_text=True) and "Take" in confirm.get_data(
        as_text=True)
    assert db.session.get(Review, conflicted_id) is not None  # GET changes nothing
    # A declared conflict stays on record (the person cannot be assigned again by mistake).
    refused = client.post(url, data={})
    assert refused.status_code == 302
    assert db.session.get(Review, conflicted_id) is not None
    assert "A declared conflict of interest stays on record" in client.get(
        refused.headers["Location"]).get_data(as_text=True)
    assert client.post(f"/calls/{world.call.id}/reviewers/{late_id}/unassign",
                       data={}).status_code == 302
    # a submitted review stays; the freed places go to another reviewer
    submitted_review = _reviews(application)[0]
    refused = client.post(f"/calls/{world.call.id}/reviewers/{submitted_review.id}/unassign",
                          data={})
    assert refused.status_code == 302
    assert db.session.get(Review, submitted_review.id) is not None
    assert "A submitted review cannot be removed." in client.get(
        refused.headers["Location"]).get_data(as_text=True)
    newcomer = make_user(name="Uusi Arvioija")
    add_member(world.ely, newcomer, Role.member, reviewer=True)
    assert client.post(f"/calls/{world.call.id}/reviewers/assign", data={
        "assign-application": str(application.id), "assign-reviewer": str(newcomer.id)}
    ).status_code == 302
    assert [r.reviewer_id for r in _reviews(application)] == [a.id, b.id, c.id, newcomer.id]


def test_close_reviewing_blocks_saving_reviews(world, make_application, client, login_as):
    application = submitted(make_application, world.call, "Suljettava")
    a = world.reviewers[0]
    draft = review(world, application, a, (3, 3, 3, 3), submit=False)
    login_as(world.officer)
    url = f"/calls/{world.call.id}/reviewing/close"
    assert "Close reviewing in this call?" in client.get(url).get_data(as_text=True)
    db.session.refresh(world.call)
    assert world.call.reviewing_closed_at is None
    assert client.post(url, data={}).status_code == 302
    db.session.refresh(world.call)
    assert world.call.reviewing_closed_at is not None
    with pytest.raises(DomainError, match="Reviewing has been closed"):
        services.save_review(a, draft, {}, "fund", None, "Muutos.")  # refused before any change
    page = _page(client, world)
    assert "Reopen reviewing" in page and "Balanced automatic assignment" not in page
    assert client.post(f"/calls/{world.call.id}/reviewers/assign", data={
        "assign-application": str(application.id),
        "assign-reviewer": str(world.reviewers[1].id)}).status_code == 422
    assert client.post(f"/calls/{world.call.id}/reviewing/reopen", data={}).status_code == 302
    db.session.refresh(world.call)
    assert world.call.reviewing_closed_at is None
    services.save_review(a, db.session.get(Review, draft.id), {}, "fund", None, "Muutos.")


def test_who_may_open_and_act(world, make_application, make_user, client, login_as):
    application = submitted(make_application, world.call, "Oikeudet")
    base = f"/calls/{world.call.id}"
    get_urls = [f"{base}/reviewers", f"{base}/reviewing/close"]
    post_urls = [f"{base}/reviewers/assign", f"{base}/reviewers/assign-many",
                 f"{base}/reviewers/auto", f"{base}/reviewing/close", f"{base}/reviewers/roles"]
    login_as(make_user())
    for url in get_urls:
        assert client.get(url).status_code == 404
    for url in post_urls:
        assert client.post(url, data={}).status_code == 404
    login_as(world.reviewers[0])  # a member of the centre without the role
    for url in get_urls:
        assert client.get(url).status_code == 403
    for url in post_urls:
        assert client.post(url, data={}).status_code == 403
    login_as(world.officer)
    assert client.get(f"{base}/reviewers").status_code == 200
    owner_page = application  # the owner of the centre is no call manager
    login_as(world.owner)
    assert client.get(f"{base}/reviewers").status_code == 403
    assert owner_page is not None


def test_a_conflicted_officer_sees_only_the_title(world, make_application, add_member,
                                                  client, login_as):
    mine = submitted(make_application, world.call, "Oma hanke")
    other = submitted(make_application, world.call, "Muu hanke")
    review(world, mine, world.reviewers[0], (3, 3, 3, 3))
    review(world, other, world.reviewers[1], (3, 3, 3, 3))
    add_member(mine.organisation, world.officer, Role.member)
    login_as(world.officer)
    page = _page(client, world)
    assert "Oma hanke" in page and "its reviewers and declarations are not shown" in page
    # neither to tick nor to choose
    assert f'name="bulk-applications" value="{mine.id}"' not in page
    assert f'<option value="{mine.id}">Oma hanke' not in page
    assert f'name="bulk-applications" value="{other.id}"' in page
    assert f'<option value="{other.id}">Muu hanke</option>' in page
    assert client.post(f"/calls/{world.call.id}/reviewers/assign", data={
        "assign-application": str(mine.id), "assign-reviewer": str(world.reviewers[2].id)}
    ).status_code == 422


def _bulk_applications(world, make_application, count):
    for n in range(count):
        application = submitted(make_application, world.call, f"Määrä {n}")
        services.assign_reviewer(world.officer, application, world.reviewers[n % 4])
    db.session.commit()


def test_the_page_runs_a_bounded_number_of_queries(make_call, make_organisation, make_user,
                                                   add_member, make_application, client,
                                                   login_as, count_queries):
    counts = []
    for size in (5, 20):
        world = make_world(make_call, make_organisation, make_user, add_member, reviewers=4)
        _bulk_applications(world, make_application, size)
        login_as(world.officer)
        client.get(f"/calls/{world.call.id}/reviewers")
        with count_queries() as counter:
            page = client.get(f"/calls/{world.call.id}/reviewers")
        assert page.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    assert counts[0] <= 25, counts


def test_call_page_links_to_the_officer_pages(world, client, login_as):
    login_as(world.officer)
    page = client.get(f"/calls/{world.call.id}").get_data(as_text=True)
    assert f"/calls/{world.call.id}/reviewers" in page
    assert f"/calls/{world.call.id}/ranking" in page
    login_as(world.owner)  # may decide: the ranking, not the management page
    page = client.get(f"/calls/{world.call.id}").get_data(as_text=True)
    assert f"/calls/{world.call.id}/ranking" in page
    assert f"/calls/{world.call.id}/reviewers" not in page


def test_application_list_shows_a_conflicted_manager_only_the_title(
        world, make_application, add_member, client, login_as):
    mine = submitted(make_application, world.call, "Jäävin hanke", support_cents=111_111_00)
    submitted(make_application, world.call, "Toinen hanke", support_cents=22_222_00)
    add_member(mine.organisation, world.officer, Role.member)
    login_as(world.officer)
    page = client.get(f"/calls/{world.call.id}/applications").get_data(as_text=True)
    assert "Jäävin hanke" in page and "Toinen hanke" in page
    assert "111,111.00" not in page and "22,222.00" in page
    assert mine.organisation.name not in page
    assert f"/calls/applications/{mine.id}" not in page
    rows = list(csv.reader(io.StringIO(client.get(
        f"/calls/{world.call.id}/applications.csv").get_data().decode("utf-8-sig")),
        delimiter=";"))
    header = rows[0]
    mine_row = next(r for r in rows[1:] if r[header.index("Project")] == "Jäävin hanke")
    other_row = next(r for r in rows[1:] if r[header.index("Project")] == "Toinen hanke")
    assert "111111" not in ";".join(mine_row)
    assert mine_row[header.index("Lead applicant")] == ""
    assert mine_row[header.index("Support applied for (€)")] == ""
    assert other_row[header.index("Support applied for (€)")] == "22222,00"
