"""Service-model services check their actor themselves, with the views' predicates.

Each service is called directly (no view in front of it) by actors who may not act: an
outsider, a plain member where editors are needed, a member of another organisation (or of
another ELY Centre), someone who is not signed in. Each is refused with NotAllowed, and nothing
changed: no row, no stored file, no audit entry, no queued mail, no search change. The rightful
actor succeeds with the same arguments, so a refusal is never an accident of the set-up.
(save_practice is checked in tests of its own.)
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.core.audit import AuditLog
from app.core.changes import SearchChange
from app.core.domain import NotAllowed
from app.core.outbox import OutboundMail
from app.organisations.models import Role
from app.practices import community, services
from app.practices.models import (
    Adoption,
    Practice,
    PracticeAttachment,
    PracticePartner,
    PracticeVersion,
)
from tests.fixtures.practices import practice_data

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():  # the mails the services queue link back to the site
        yield


def _pdf() -> FileStorage:
    return FileStorage(BytesIO(PDF), filename="ohje.pdf", content_type="application/pdf")


@pytest.fixture
def world(make_user, make_organisation, add_member, make_practice, db):
    """Organisation A (owner, editor, plain member) with a published model; organisation B
    (owner, plain member); a verified ELY Centre with a reviewer and a plain member, and
    another ELY Centre with its own reviewer; an outsider."""
    w = SimpleNamespace(editor=make_user(), member=make_user(), owner_b=make_user(),
                        member_b=make_user(), ely_member=make_user(),
                        ely_plain_member=make_user(), other_ely_member=make_user(),
                        outsider=make_user(),
                        anonymous=AnonymousUserMixin())
    w.a = make_organisation(name="A ry")
    add_member(w.a, w.editor, Role.editor)
    add_member(w.a, w.member, Role.member)
    w.b = make_organisation(name="B ry", owner=w.owner_b)
    add_member(w.b, w.member_b, Role.member)
    w.ely = make_organisation(name="ELY-keskus", type="regional_authority")
    add_member(w.ely, w.ely_member, Role.member, reviewer=True)
    add_member(w.ely, w.ely_plain_member, Role.member)
    w.other_ely = make_organisation(name="Toinen ELY-keskus", type="regional_authority")
    add_member(w.other_ely, w.other_ely_member, Role.member, reviewer=True)
    w.practice = make_practice(organisation=w.a, author=w.editor, published=True)
    db.session.commit()
    return w


def _draft(w):
    w.practice.state = "draft"
    w.practice.current_version_id = None
    return lambda actor: services.publish_practice(actor, w.practice)


def _archived(w):
    services.archive_practice(w.editor, w.practice)
    return lambda actor: services.restore_practice(actor, w.practice)


def _attachment(w):
    attachment = community.add_attachment(w.editor, w.practice, _pdf())
    return lambda actor: community.remove_attachment(actor, attachment)


def _partner(respond: bool):
    def setup(w):
        partner = community.invite_partner(w.editor, w.practice, w.b)
        if respond:
            return lambda actor: community.respond_to_partnership(actor, partner, True)
        return lambda actor: community.remove_partner(actor, partner)
    return setup


def _validated(w):
    community.validate_practice(w.ely_member, w.ely, w.practice, "Vaikuttavuus arvioitu.")
    return lambda actor: community.withdraw_validation(actor, w.practice, "Vanhentunut")


def _adopted(w):
    adoption = community.record_adoption(w.member_b, w.b, w.practice, regions=["MK01"],
                                         since=None, note="")
    return lambda actor: community.remove_adoption(actor, adoption)


NOT_EDITORS = ("outsider", "member", "owner_b", "anonymous")

# service: (set-up returning the call, who is refused, who may)
CASES = {
    "create_practice": (
        lambda w: lambda actor: services.create_practice(actor, w.a, practice_data()),
        NOT_EDITORS, "editor"),
    "publish_practice": (_draft, NOT_EDITORS, "editor"),
    "archive_practice": (
        lambda w: lambda actor: services.archive_practice(actor, w.practice),
        NOT_EDITORS, "editor"),
    "restore_practice": (_archived, NOT_EDITORS, "editor"),
    "set_contact": (
        lambda w: lambda actor: services.set_contact(actor, w.practice, w.member),
        NOT_EDITORS, "editor"),
    "add_attachment": (
        lambda w: lambda actor: community.add_attachment(actor, w.practice, _pdf()),
        NOT_EDITORS, "editor"),
    "remove_attachment": (_attachment, NOT_EDITORS, "editor"),
    "invite_partner": (
        lambda w: lambda actor: community.invite_partner(actor, w.practice, w.b),
        NOT_EDITORS, "editor"),
    # B's editors answer; A's editor and B's plain member do not
    "respond_to_partnership": (_partner(respond=True),
                               ("outsider", "member_b", "editor", "anonymous"), "owner_b"),
    "remove_partner": (_partner(respond=False),
                       ("outsider", "member", "member_b", "anonymous"), "editor"),
    # in the ELY Centre's name: only its reviewers and call managers (not its plain members,
    # not another centre's, not the authors)
    "validate_practice": (
        lambda w: lambda actor: community.validate_practice(actor, w.ely, w.practice, "Hyvä."),
        ("outsider", "ely_plain_member", "other_ely_member", "editor", "anonymous"),
        "ely_member"),
    "withdraw_validation": (_validated,
                            ("outsider", "ely_plain_member", "other_ely_member", "editor",
                             "member_b", "anonymous"),
                            "ely_member"),
    # in B's name: only B's members
    "record_adoption": (
        lambda w: lambda actor: community.record_adoption(actor, w.b, w.practice,
                                                          regions=["MK01"], since=None, note=""),
        ("outsider", "editor", "ely_member", "anonymous"), "member_b"),
    "remove_adoption": (_adopted, ("outsider", "editor", "ely_member", "anonymous"), "member_b"),
}

REFUSALS = [(name, actor) for name, (_, refused, _) in CASES.items() for actor in refused]


def snapshot(db, app) -> dict:
    """Everything these services may change, as plain tuples (and the stored files)."""
    def rows(*columns):
        return db.session.execute(select(*columns).order_by(columns[0])).all()

    uploads = Path(app.config["UPLOAD_DIR"])
    return {
        "practices": rows(Practice.id, Practice.state, Practice.title, Practice.contact_user_id,
                          Practice.version_count, Practice.current_version_id,
                          Practice.validated_at, Practice.validated_version,
                          Practice.validated_by_organisation_id,
                          Practice.adoption_count, Practice.updated_at, Practice.lock_version),
        "versions": rows(PracticeVersion.id),
        "partners": rows(PracticePartner.id, PracticePartner.organisation_id,
                         PracticePartner.state),
        "adoptions": rows(Adoption.id, Adoption.organisation_id),
        "attachments": rows(PracticeAttachment.id, PracticeAttachment.stored_name),
        "files": sorted(p.name for p in uploads.rglob("*")) if uploads.exists() else [],
        "audit": rows(AuditLog.id, AuditLog.action),
        "mail": rows(OutboundMail.id),
        "search": rows(SearchChange.id),
    }


@pytest.mark.parametrize(("service", "actor"), REFUSALS)
def test_an_actor_without_the_right_is_refused_and_nothing_changes(service, actor, world, db,
                                                                   app):
    setup, _, _ = CASES[service]
    call = setup(world)
    db.session.flush()
    before = snapshot(db, app)
    with pytest.raises(NotAllowed):
        call(getattr(world, actor))
    assert snapshot(db, app) == before


@pytest.mark.parametrize("service", list(CASES))
def test_the_rightful_actor_may(service, world, db, app):
    setup, _, allowed = CASES[service]
    call = setup(world)
    db.session.flush()
    before = snapshot(db, app)
    call(getattr(world, allowed))
    assert snapshot(db, app)["audit"] != before["audit"]


def test_the_importer_publishes_as_the_system(world, db):
    """`None` is the system (the importer), not a person: it is not refused."""
    _draft(world)(None)
    assert world.practice.state == "published"
