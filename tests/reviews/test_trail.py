"""The presenting officer reads an application's audit trail: assignments, declarations,
score changes, submissions (and nobody conflicted or outside the centre reads it)."""

from __future__ import annotations

from app.organisations.models import Role
from app.reviews import services


def _setup(make_call, make_application, make_organisation, make_user, add_member, db):
    officer = make_user(name="Esittelijä Eeva")
    ely = make_organisation(name="Polun ELY-keskus", type="regional_authority")
    reviewer = make_user(name="Arvioija Aino")
    add_member(ely, reviewer, Role.member, reviewer=True)
    call = make_call(ely=ely, manager=officer)
    application = make_application(call=call, state="submitted")
    review = services.assign_reviewer(officer, application, reviewer)
    db.session.commit()
    services.declare(reviewer, review, conflict=False)
    criterion = call.criteria[1]
    services.save_review(reviewer, review, {criterion.id: services.ScoreInput(score=4)},
                         None, None, "")
    db.session.commit()
    return officer, reviewer, application


def test_the_officer_reads_every_step(client, login_as, db, make_call, make_application,
                                      make_organisation, make_user, add_member, count_queries):
    officer, reviewer, application = _setup(make_call, make_application, make_organisation,
                                            make_user, add_member, db)
    login_as(officer)
    url = f"/calls/applications/{application.id}/trail"
    with count_queries() as counter:
        page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in ("Submitted the application", "Assigned a reviewer",
                 "Declared on conflict of interest", "no conflict of interest",
                 "Changed scores", "Arvioija Aino"):
        assert text in html, text
    few = counter.count
    from app.reviews.permissions import review_of

    for n in range(5):
        criterion = application.call.criteria[1 + n % 3]
        services.save_review(reviewer, review_of(reviewer, application),
                             {criterion.id: services.ScoreInput(score=n % 3)}, None, None,
                             f"muutos {n}")
        db.session.commit()
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    assert counter.count == few


def test_others_cannot_read_it(client, login_as, db, make_call, make_application,
                               make_organisation, make_user, add_member):
    officer, reviewer, application = _setup(make_call, make_application, make_organisation,
                                            make_user, add_member, db)
    url = f"/calls/applications/{application.id}/trail"
    login_as(reviewer)  # a cleared reviewer sees the application, not its trail
    assert client.get(url).status_code == 403
    login_as(make_user())
    assert client.get(url).status_code == 404
    # A call manager who is a member of the lead applicant is conflicted.
    from sqlalchemy import select

    from app.organisations.models import Membership

    manager = make_user(name="Jäävi Jaakko")
    add_member(application.call.organisation, manager, Role.member, call_manager=True)
    add_member(application.organisation, manager, Role.member)
    login_as(manager)
    assert client.get(url).status_code == 403
    assert db.session.scalar(select(Membership).where(Membership.user_id == manager.id))
