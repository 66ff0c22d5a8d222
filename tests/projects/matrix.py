"""Authorization-matrix rows of the projects blueprint (see
tests/security/test_authorization_matrix.py), and the funded project the world gets for them.

The project (of organisation A, in a closed call of the world's ELY-centre, approved through
the real services) is read by its organisation's people (owner_a, member_a, and
conflicted_reviewer, who is a member of A), by the call manager (its officer) and by the
national observer; everyone else gets 404, the platform administrator too (no bypass). Its
first report is a draft with a claim: nobody can accept, return or approve it yet (403 for
those who read it). The observer reads and never changes anything: 403 or 404 on every POST.
The fee-table rows (calls.fees, calls.fee_delete) live in tests/applications/matrix.py."""

from __future__ import annotations

from tests.security.test_authorization_matrix import every, signed_in

READERS = {"owner_a": 200, "member_a": 200, "conflicted_reviewer": 200, "call_manager": 200,
           "observer": 200}
REFUSED = {role: 403 for role in READERS}  # may read the report, may not take this action


def readers(code=200):
    """A private project page: its readers get `code`, everyone else 404."""
    return signed_in(404, **{role: code for role in READERS})


def actors(**overrides):
    """A POST on the project: 403 for those who read it, 404 for everyone else."""
    return signed_in(404, **{**REFUSED, **overrides})


FOLLOWERS = signed_in(404, call_manager=200, observer=200)

MATRIX: dict[str, dict[str, dict]] = {
    # public pages (helper "public")
    "projects.index": {"GET": every(200)},
    "projects.detail": {"GET": every(200)},
    "projects.statistics": {"GET": every(200)},
    "projects.project_page": {"GET": readers()},
    "projects.mine": {"GET": signed_in(200)},
    # reports (helper "reports"): the draft is the lead's to write; an empty save is refused
    # or saved, a submit before the period has ended is refused with its message
    "projects.report_detail": {"GET": readers()},
    "projects.report_revisions": {"GET": readers()},
    "projects.report_save": {"POST": actors(owner_a=(200, 302, 409))},
    "projects.report_submit": {"POST": actors(owner_a=422)},
    # the ELY-centre's actions: the report is not submitted, the claim not approvable
    "projects.report_accept": {"POST": actors()},
    "projects.report_return": {"POST": actors()},
    "projects.claim_approve": {"GET": actors(), "POST": actors()},
    # the follow-up
    "projects.dashboard": {"GET": FOLLOWERS},
    "projects.dashboard_export": {"GET": FOLLOWERS},
    "projects.follow_up": {"GET": signed_in(200)},
    # observers: platform administrators only (an empty form: 422)
    "projects.observers": {"GET": signed_in(403, admin=200)},
    "projects.observer_set": {"POST": signed_in(403, admin=422)},
}


def project_args(people, ely, organisation_a, args) -> dict:
    """URL arguments of the projects blueprint: a project of organisation A (written by
    owner_a) in a closed call of `ely`, approved the real way (submitted, in review, proposed
    by the call manager and confirmed by the ELY-centre's owner), its first report a draft
    with its claim."""
    from app.applications import services as applications
    from app.extensions import db
    from app.organisations.services import forget_memberships
    from app.projects import services
    from app.projects.models import Project
    from tests.fixtures.calls import (
        _someone_of,
        advance,
        create_published_call,
        during,
        fill_application,
    )

    owner_a = people["owner_a"]
    call = create_published_call(_someone_of(ely), ely, "closed", title_fi="Matriisin hanke-haku",
                                 description_fi="Kuvaus.", theme="Teema", eligible_types=["ngo"],
                                 max_support_percent=80)
    forget_memberships()
    application = applications.start_application(owner_a, call, organisation_a,
                                                 "Matriisiprojekti", now=during(call))
    fill_application(application)
    db.session.flush()
    advance(application, "approved", owner_a, manager=people["call_manager"])
    project = db.session.get(Project, application.id)
    report = project.reports[0]
    services.ensure_claim(report)
    db.session.commit()
    forget_memberships()
    return {**args, "project_id": project.id, "report_id": report.id, "call_id": call.id,
            "fmt": "csv"}
