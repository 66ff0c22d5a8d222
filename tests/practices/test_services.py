"""Service-model rules as plain functions: lifecycle, versions, conflicts, community."""

from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.core.audit import AuditLog
from app.core.changes import SearchChange
from app.core.domain import DomainError
from app.core.outbox import flush_outbox
from app.organisations.models import Role
from app.practices import community, services
from app.practices.models import PracticeState, PracticeVersion

COMPLETE = {
    "title": "Työhönvalmennus varastoille",
    "summary": "Lyhyt kuvaus.",
    "problem": "Ongelma.",
    "method": "1. Ensin\n2. Sitten",
    "employer_cooperation": "Yhteistyö.",
    "results": "Tulokset.",
    "adoption": "Käyttöönotto.",
    "target_groups": ["partially_able_to_work", "nonsense"],
    "work_forms": ["salaried"],
    "regions": ["MK10"],
    "stage": "in_use",
    "evidence": "monitoring_data",
    "tags": ["varasto", " Varasto ", "logistiikka"],
    "language": "fi",
}


@pytest.fixture(autouse=True)
def english():
    """Service messages outside a request follow the default language; read them in English."""
    with force_locale("en"):
        yield


@pytest.fixture
def writer(make_user, make_organisation, add_member):
    user = make_user()
    organisation = make_organisation(name="Kirjoittajat ry")
    add_member(organisation, user, Role.editor)
    return user, organisation


def test_create_cleans_input(writer, db):
    user, organisation = writer
    practice = services.create_practice(user, organisation, COMPLETE)
    assert practice.state == PracticeState.draft
    assert practice.target_groups == ["partially_able_to_work"]
    assert practice.tags == ["varasto", "logistiikka"]
    assert practice.slug == "tyohonvalmennus-varastoille"
    assert practice.contact_user_id == user.id


def test_title_is_required(writer):
    user, organisation = writer
    with pytest.raises(DomainError) as error:
        services.create_practice(user, organisation, {"title": "  "})
    assert error.value.field == "title"


def test_publish_checklist_lists_what_is_missing(writer):
    user, organisation = writer
    practice = services.create_practice(user, organisation, {"title": "Vain otsikko"})
    fields = {item.field for item in services.publish_checklist(practice)}
    assert {"summary", "problem", "method", "results", "adoption", "target_groups", "regions",
            "stage", "evidence"} <= fields
    with pytest.raises(DomainError):
        services.publish_practice(user, practice)


def test_unverified_organisation_cannot_publish(make_user, make_organisation, add_member):
    user = make_user()
    organisation = make_organisation(verified=False)
    add_member(organisation, user, Role.editor)
    practice = services.create_practice(user, organisation, COMPLETE)
    assert [m.field for m in services.publish_checklist(practice)] == ["organisation"]
    with pytest.raises(DomainError):
        services.publish_practice(user, practice)


def test_publish_makes_immutable_versions(writer, db):
    user, organisation = writer
    practice = services.create_practice(user, organisation, COMPLETE)
    v1 = services.publish_practice(user, practice, "Ensimmäinen")
    assert (v1.number, practice.state, practice.current_version_id) == (1, "published", v1.id)
    with pytest.raises(DomainError, match="no changes"):
        services.publish_practice(user, practice)
    services.save_practice(user, practice, {"method": "1. Uusi tapa"}, practice.lock_version)
    assert practice.has_unpublished_changes
    # Readers still see version 1 until the change is published.
    assert practice.current_version.content["method"] == "1. Ensin\n2. Sitten"
    v2 = services.publish_practice(user, practice, "Menetelmä päivitetty")
    db.session.commit()
    assert v2.number == 2 and v1.content["method"] == "1. Ensin\n2. Sitten"
    assert [v.number for v in services.versions_of(practice)] == [2, 1]
    changes = db.session.scalars(
        select(SearchChange).where(SearchChange.object_id == practice.id)
    ).all()
    assert [c.operation for c in changes] == ["upsert", "upsert"]


def test_stale_save_is_a_conflict_not_an_overwrite(writer, db):
    user, organisation = writer
    practice = services.create_practice(user, organisation, COMPLETE)
    loaded = practice.lock_version
    services.save_practice(user, practice, {"summary": "Toisen kirjoittajan teksti."}, loaded)
    with pytest.raises(services.EditConflict) as conflict:
        services.save_practice(user, practice, {"summary": "Minun tekstini."}, loaded)
    assert conflict.value.theirs["summary"] == "Toisen kirjoittajan teksti."
    assert practice.summary == "Toisen kirjoittajan teksti."
    # Choosing "keep mine" saves against the current version.
    services.save_practice(user, practice, {"summary": "Minun tekstini."}, practice.lock_version)
    assert practice.summary == "Minun tekstini."


def test_unchanged_save_does_not_bump_the_version(writer):
    user, organisation = writer
    practice = services.create_practice(user, organisation, COMPLETE)
    before = practice.lock_version
    assert services.save_practice(user, practice, {"title": COMPLETE["title"]}, before) is False
    assert practice.lock_version == before


def test_archive_and_restore(writer, db):
    user, organisation = writer
    practice = services.create_practice(user, organisation, COMPLETE)
    with pytest.raises(DomainError):
        services.archive_practice(user, practice)
    services.publish_practice(user, practice)
    services.archive_practice(user, practice)
    assert practice.state == PracticeState.archived
    with pytest.raises(DomainError):
        services.save_practice(user, practice, {"title": "X"}, practice.lock_version)
    services.restore_practice(user, practice)
    assert practice.state == PracticeState.published
    ops = db.session.scalars(
        select(SearchChange.operation).where(SearchChange.object_id == practice.id)
    ).all()
    assert ops == ["upsert", "delete", "upsert"]


def test_validation_by_an_ely_centre(writer, make_user, make_organisation, add_member, db):
    user, organisation = writer
    practice = services.create_practice(user, organisation, COMPLETE)
    services.publish_practice(user, practice)
    ely_user = make_user()
    ely = make_organisation(type="regional_authority")
    add_member(ely, ely_user, Role.member, reviewer=True)
    with pytest.raises(DomainError):
        community.validate_practice(ely_user, ely, practice, "  ")
    with pytest.raises(DomainError):
        community.validate_practice(user, organisation, practice, "Oma")  # not an ELY-centre
    community.validate_practice(ely_user, ely, practice, "Vaikuttavuus arvioitu.")
    assert practice.is_validated and practice.validated_by_organisation_id == ely.id
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "practice.validated"))
    community.withdraw_validation(ely_user, practice, "Vanhentunut")
    assert not practice.is_validated


def test_ely_centre_cannot_validate_its_own_model(make_user, make_organisation, add_member):
    ely_user = make_user()
    ely = make_organisation(type="regional_authority", owner=ely_user)
    practice = services.create_practice(ely_user, ely, COMPLETE)
    services.publish_practice(ely_user, practice)
    reviewer = make_user()
    add_member(ely, reviewer, Role.member, reviewer=True)
    with pytest.raises(DomainError, match="its own service model"):
        community.validate_practice(reviewer, ely, practice, "Hyvä")


def test_adoption_by_another_organisation(writer, make_user, make_organisation, mailbox, db):
    user, organisation = writer
    practice = services.create_practice(user, organisation, COMPLETE)
    other_user = make_user()
    other = make_organisation(owner=other_user)
    with pytest.raises(DomainError):
        community.record_adoption(other_user, other, practice, regions=[], since=None, note="")
    services.publish_practice(user, practice)
    with pytest.raises(DomainError):
        community.record_adoption(user, organisation, practice, regions=[], since=None, note="")
    with pytest.raises(DomainError):
        community.record_adoption(other_user, other, practice, regions=[],
                                  since=date.today() + timedelta(days=400), note="")
    adoption = community.record_adoption(other_user, other, practice, regions=["MK01", "XX"],
                                         since=date(2025, 1, 1), note="Käytössä Espoossa")
    assert adoption.regions == ["MK01"] and practice.adoption_count == 1
    db.session.commit()  # the mail goes out once the change is committed
    flush_outbox()
    assert "uses your service model" in mailbox.last(user.email)["Subject"]
    with pytest.raises(DomainError, match="already"):
        community.record_adoption(other_user, other, practice, regions=[], since=None, note="")
    community.remove_adoption(other_user, adoption)
    assert practice.adoption_count == 0


def test_partners_must_be_verified_and_answer(writer, make_user, make_organisation, add_member,
                                              mailbox, db):
    user, organisation = writer
    practice = services.create_practice(user, organisation, COMPLETE)
    partner_editor = make_user()
    partner_org = make_organisation(owner=partner_editor)
    with pytest.raises(DomainError):
        community.invite_partner(user, practice, make_organisation(verified=False))
    with pytest.raises(DomainError):
        community.invite_partner(user, practice, organisation)
    partner = community.invite_partner(user, practice, partner_org)
    assert not mailbox.messages(partner_editor.email)  # not before the commit
    db.session.commit()
    flush_outbox()
    assert mailbox.messages(partner_editor.email)
    with pytest.raises(DomainError):
        community.invite_partner(user, practice, partner_org)
    community.respond_to_partnership(partner_editor, partner, accept=True)
    assert partner.state == "accepted"
    with pytest.raises(DomainError):
        community.respond_to_partnership(partner_editor, partner, accept=False)


def test_contact_person_must_be_a_member(writer, make_user):
    user, organisation = writer
    practice = services.create_practice(user, organisation, COMPLETE)
    with pytest.raises(DomainError):
        services.set_contact(user, practice, make_user())


def test_versions_are_snapshots(writer, db):
    user, organisation = writer
    practice = services.create_practice(user, organisation, COMPLETE)
    services.publish_practice(user, practice)
    db.session.commit()
    version = db.session.scalar(select(PracticeVersion))
    assert version.content["title"] == COMPLETE["title"]
    assert version.content["target_groups"] == ["partially_able_to_work"]
