"""The demo service models: what `flask demo seed` adds, and that it adds it only once."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditLog
from app.core.changes import SearchChange
from app.core.codelists import TARGET_GROUPS
from app.demo import data, practices_data
from app.demo.seed import seed_demo
from app.organisations.models import Membership, Role
from app.organisations.partnership import PartnerState
from app.practices.exporter import export_records
from app.practices.importer import parse_line
from app.practices.models import (
    SECTIONS,
    Adoption,
    Practice,
    PracticePartner,
    PracticeState,
    PracticeVersion,
)

COUNTED = (Practice, PracticeVersion, PracticePartner, Adoption, SearchChange, AuditLog)


_hashes: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _hash_the_demo_password_once(monkeypatch):
    """argon2 is slow on purpose; these tests seed many times and never sign in."""
    from app.demo import seed

    real = seed.hash_password
    monkeypatch.setattr(seed, "hash_password",
                        lambda password: _hashes.get(password) or _hashes.setdefault(
                            password, real(password)))


def _counts(db) -> dict[str, int]:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in COUNTED}


@pytest.fixture
def seeded(db):
    summary = seed_demo(db.session)
    db.session.commit()
    return summary


def _published(db) -> list[Practice]:
    return list(db.session.scalars(
        select(Practice).where(Practice.state == PracticeState.published).order_by(Practice.id)))


def test_the_declared_models_are_consistent():
    slugs = [spec["slug"] for spec in practices_data.PRACTICES]
    assert len(slugs) == len(set(slugs))
    organisations = {spec["key"]: spec for spec in data.ORGANISATIONS}
    today = date.today().isoformat()
    for spec in practices_data.PRACTICES:
        owner = organisations[spec["organisation"]]
        writers = {email for email, role, *_ in owner["members"] if role in ("owner", "editor")}
        assert spec["author"] in writers, spec["slug"]
        days = [spec["published_on"]] + [r["published_on"] for r in spec.get("revisions", [])]
        if spec["published_on"]:
            assert days == sorted(days) and days[-1] <= today, spec["slug"]
            assert owner.get("verified", True), spec["slug"]
        for key, _state in spec.get("partners", []):
            assert key != spec["organisation"] and organisations[key].get("verified", True)
        for item in spec.get("adoptions", []):
            assert item["organisation"] != spec["organisation"]
            assert organisations[item["organisation"]].get("verified", True)
            assert spec["published_on"] <= item["since"] <= today, spec["slug"]
        if "validated" in spec:
            assert organisations[spec["validated"]["organisation"]]["type"] == "regional_authority"


def test_published_models_pass_the_import_checks():
    """Each published model, as a JSON Lines record, is one the importer accepts."""
    owners = {spec["key"]: spec for spec in data.ORGANISATIONS}
    for spec in practices_data.PRACTICES:
        if spec["published_on"] is None:
            continue
        owner = owners[spec["organisation"]]
        record = {"id": practices_data.external_id(spec), **spec["content"],
                  "organisation": {"name": owner["name"], "business_id": owner["business_id"],
                                   "type": owner["type"]},
                  "published_on": spec["published_on"]}
        parse_line(json.dumps(record, ensure_ascii=False), 1)  # raises on any fault


def test_at_least_twelve_published_models_in_three_languages(seeded, db):
    published = _published(db)
    assert len(published) >= 12
    languages = [p.language for p in published]
    assert languages.count("sv") >= 2 and languages.count("en") >= 2
    assert languages.count("fi") > len(published) / 2
    assert seeded.created["practices"] == len(practices_data.PRACTICES)


def test_models_are_spread_over_regions_and_target_groups(seeded, db):
    published = _published(db)
    regions = {code for p in published for code in p.regions}
    groups = {code for p in published for code in p.target_groups}
    assert "MK10" in regions and len(regions) >= 8
    assert len(groups) >= len(TARGET_GROUPS.codes) - 1
    assert len({p.organisation_id for p in published}) >= 8
    work_forms = {code for p in published for code in p.work_forms}
    assert {"salaried", "light_entrepreneurship", "entrepreneurship"} <= work_forms


def test_sections_are_written_out(seeded, db):
    for practice in _published(db):
        assert all(practice.sections()[name].strip() for name in SECTIONS), practice.title
        steps = re.findall(r"^\d+\. ", practice.method, flags=re.M)
        assert len(steps) >= 4, practice.title  # the method, as numbered steps
        assert re.search(r"\d", practice.results), practice.title  # with figures
        assert not re.search(r"[^\n]\n[^\n0-9-]", practice.problem), practice.title  # unwrapped
        assert practice.content() == practice.current_version.content
        assert practice.contact_user_id is not None
        member = db.session.scalar(select(Membership).where(
            Membership.organisation_id == practice.organisation_id,
            Membership.user_id == practice.contact_user_id))
        assert member is not None and member.role in (Role.owner, Role.editor)


def test_revised_models_have_two_versions(seeded, db):
    revised = [p for p in _published(db) if p.version_count == 2]
    assert len(revised) >= 3
    for practice in revised:
        versions = db.session.scalars(select(PracticeVersion).where(
            PracticeVersion.practice_id == practice.id).order_by(PracticeVersion.number)).all()
        assert [v.number for v in versions] == [1, 2]
        assert versions[1].change_note
        assert versions[0].created_at < versions[1].created_at
        assert versions[0].content != versions[1].content
        assert practice.current_version_id == versions[1].id
        assert practice.first_published_on == versions[0].created_at.date()
    assert any(p.language == "sv" for p in revised)


def test_validated_by_etela_savo(seeded, db):
    validated = [p for p in _published(db) if p.is_validated]
    assert validated
    names = {p.validated_by_organisation.name for p in validated}
    assert "Etelä-Savon elinvoimakeskus" in names
    for practice in validated:
        assert practice.validation_statement
        assert practice.validated_by_organisation.is_funding_authority
        assert practice.validated_by_organisation_id != practice.organisation_id
        assert practice.validated_at > practice.published_at
        # The current version, by one of the centre's reviewers or call managers.
        assert practice.validated_current_version
        membership = next(m for m in practice.validated_by_organisation.memberships
                          if m.user_id == practice.validated_by_id)
        assert membership.is_reviewer or membership.is_call_manager


def test_adoptions_and_partners(seeded, db):
    adoptions = db.session.scalars(select(Adoption)).all()
    assert len(adoptions) >= 5
    for adoption in adoptions:
        assert adoption.organisation_id != adoption.practice.organisation_id
        assert adoption.organisation.is_verified and adoption.regions and adoption.since
    for practice in db.session.scalars(select(Practice)):
        assert practice.adoption_count == len(practice.adoptions)
    partners = db.session.scalars(select(PracticePartner)).all()
    accepted = [p for p in partners if p.state == PartnerState.accepted]
    assert len(accepted) >= 3 and all(p.responded_at for p in accepted)
    assert any(p.state == PartnerState.invited for p in partners)


def test_drafts(seeded, db):
    drafts = db.session.scalars(select(Practice).where(Practice.state == PracticeState.draft)).all()
    assert 1 <= len(drafts) <= 2
    assert all(d.version_count == 0 and d.current_version_id is None for d in drafts)
    assert any(not d.organisation.is_verified for d in drafts)


def test_published_models_are_queued_for_the_search_index(seeded, db):
    queued = set(db.session.scalars(select(SearchChange.object_id).where(
        SearchChange.kind == "practice")))
    assert {p.id for p in _published(db)} <= queued


def test_the_demo_models_export_as_valid_records(seeded, db):
    records = list(export_records())
    assert len(records) == len(_published(db))
    for line_no, record in enumerate(records, 1):
        assert record["id"].startswith("demo-")
        parse_line(json.dumps(record, ensure_ascii=False), line_no)


def test_seeding_twice_changes_nothing(seeded, db):
    before = _counts(db)
    again = seed_demo(db.session)
    db.session.commit()
    assert again.total == 0
    assert _counts(db) == before


def test_seeding_does_not_bring_back_what_users_removed(seeded, db):
    adoption = db.session.scalars(select(Adoption)).first()
    practice = adoption.practice
    practice.adoptions.remove(adoption)
    practice.adoption_count = len(practice.adoptions)
    db.session.delete(adoption)
    practice.title = "Muokattu otsikko"
    db.session.commit()
    count = db.session.scalar(select(func.count()).select_from(Adoption))
    seed_demo(db.session)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Adoption)) == count
    db.session.refresh(practice)
    assert practice.title == "Muokattu otsikko"


def test_cli_seed_reports_the_models(app, db):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert f"practices: {len(practices_data.PRACTICES)} added" in result.output
    assert "adoptions:" in result.output
