"""The announcement services as plain functions: who may write, what is refused (and on which
field), themes folded to a call's spelling, the version check, withdrawal in the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.announcements import permissions, services
from app.announcements.models import Announcement
from app.announcements.services import AnnouncementInput
from app.core.db import utcnow
from app.core.domain import Conflict, DomainError, NotAllowed
from app.organisations.models import Role
from tests.announcements.conftest import THEME


def _input(**values) -> AnnouncementInput:
    values.setdefault("kind", "change")
    values.setdefault("language", "fi")
    values.setdefault("title", "Hakuaikaa jatketaan")
    return AnnouncementInput(**values)


def _count(db) -> int:
    return len(db.session.scalars(select(Announcement.id)).all())


def test_only_the_authoritys_call_managers_and_admins_announce(
        db, authority, make_user, make_organisation, add_member, make_call, admin):
    ngo_member = make_user()
    add_member(make_organisation(), ngo_member, Role.editor)
    plain_ely_member = make_user()
    add_member(authority.ely, plain_ely_member, Role.editor)  # no call-manager capability
    other_call = make_call()  # another ELY-centre, with its own call manager
    from tests.fixtures.calls import call_manager_of

    other_manager = call_manager_of(other_call)
    for outsider in (ngo_member, plain_ely_member, other_manager):
        assert not permissions.can_announce_for(outsider, authority.ely)
        with pytest.raises(NotAllowed):
            services.create_announcement(outsider, authority.ely,
                                         _input(call_id=authority.call.id))
    assert not permissions.can_create_announcement(ngo_member)
    assert not permissions.can_create_announcement(plain_ely_member)
    assert _count(db) == 0

    made = services.create_announcement(authority.manager, authority.ely,
                                        _input(call_id=authority.call.id))
    by_admin = services.create_announcement(admin, authority.ely, _input(theme="Nuoret"))
    assert made.organisation_id == by_admin.organisation_id == authority.ely.id
    assert made.is_draft and made.author_id == authority.manager.id
    # Nobody but the managers (and admins) may touch it afterwards either.
    for outsider in (ngo_member, plain_ely_member, other_manager):
        with pytest.raises(NotAllowed):
            services.update_announcement(outsider, made, _input(theme="x"))
        with pytest.raises(NotAllowed):
            services.publish_announcement(outsider, made)
        with pytest.raises(NotAllowed):
            services.withdraw_announcement(outsider, made)
    assert made.is_draft and made.theme == ""


def test_another_authoritys_call_cannot_be_linked(db, authority, make_call):
    from tests.fixtures.calls import call_manager_of

    other_call = make_call()
    other_manager = call_manager_of(other_call)
    with pytest.raises(DomainError) as refused:
        services.create_announcement(other_manager, other_call.organisation,
                                     _input(call_id=authority.call.id))
    assert refused.value.field == "call_id"
    with pytest.raises(DomainError) as refused:
        services.create_announcement(other_manager, other_call.organisation,
                                     _input(call_id=987654))
    assert refused.value.field == "call_id"
    assert _count(db) == 0


@pytest.mark.parametrize("values,field", [
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"kind": "rumour"}, "kind"),
    ({"language": "de"}, "language"),
    ({"body": "x" * 20_001}, "body"),
    ({"theme": "  "}, "theme"),  # neither a call nor a theme
])
def test_refusals_name_their_field(db, authority, values, field):
    with pytest.raises(DomainError) as refused:
        services.create_announcement(authority.manager, authority.ely, _input(**values))
    assert refused.value.field == field
    assert _count(db) == 0


def test_a_draft_call_cannot_carry_a_published_announcement(db, authority, make_call):
    draft_call = make_call(ely=authority.ely, phase="draft")
    draft = services.create_announcement(authority.manager, authority.ely,
                                         _input(call_id=draft_call.id))
    assert draft.is_draft  # a draft may wait for its call
    with pytest.raises(DomainError) as refused:
        services.publish_announcement(authority.manager, draft)
    assert refused.value.field == "call_id"
    with pytest.raises(DomainError):
        services.create_announcement(authority.manager, authority.ely,
                                     _input(call_id=draft_call.id), publish=True)


def test_a_theme_takes_the_spelling_of_a_calls_theme(db, authority):
    shouted = "  uusia   TYÖMAHDOLLISUUKSIA työpaikkoja KEHITTÄMÄLLÄ "
    made = services.create_announcement(authority.manager, authority.ely,
                                        _input(theme=shouted))
    assert made.theme == THEME
    own = services.create_announcement(authority.manager, authority.ely,
                                       _input(theme="  Nuorten   polut "))
    assert own.theme == "Nuorten polut"


def test_an_edit_from_an_older_form_is_a_conflict(db, authority):
    made = services.create_announcement(authority.manager, authority.ely, _input(theme="A"))
    db.session.commit()
    seen = made.lock_version
    services.update_announcement(authority.manager, made, _input(title="Ensimmäinen", theme="A"),
                                 seen_version=seen)
    db.session.commit()
    assert made.lock_version == seen + 1
    with pytest.raises(Conflict):
        services.update_announcement(authority.manager, made,
                                     _input(title="Vanhasta lomakkeesta", theme="A"),
                                     seen_version=seen)
    db.session.rollback()
    assert db.session.get(Announcement, made.id).title == "Ensimmäinen"


def test_publish_and_withdraw_are_audit_logged(db, authority, audit_actions):
    made = services.create_announcement(authority.manager, authority.ely,
                                        _input(call_id=authority.call.id))
    assert "announcement.published" not in audit_actions(authority.ely)
    at = utcnow() - timedelta(hours=1)
    services.publish_announcement(authority.manager, made, now=at)
    assert made.published_at == at and permissions.is_public(made)
    services.withdraw_announcement(authority.manager, made)
    assert made.is_withdrawn and not permissions.is_public(made)
    assert audit_actions(authority.ely)[-2:] == ["announcement.published",
                                                 "announcement.withdrawn"]
    # Withdrawn is final: no edit, no second withdrawal, no publishing again.
    for action in (lambda: services.update_announcement(authority.manager, made, _input()),
                   lambda: services.withdraw_announcement(authority.manager, made),
                   lambda: services.publish_announcement(authority.manager, made)):
        with pytest.raises(NotAllowed):
            action()
