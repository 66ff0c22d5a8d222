"""`flask practices import|export`: checking lines, the upsert, idempotency, the round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditLog
from app.core.changes import SearchChange
from app.organisations.models import Organisation, OrganisationStatus
from app.practices import exporter, importer
from app.practices.importer import ImportProblem, import_file, parse_line
from app.practices.models import Practice, PracticeState, PracticeVersion

SAMPLE = Path(__file__).parent / "data" / "practices_sample.jsonl"


def _sample() -> list[dict]:
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]


def _record(**changes) -> dict:
    record = _sample()[0]
    record.update(changes)
    return record


def _write(path: Path, lines: list) -> Path:
    text = "".join((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False))
                   + "\n" for line in lines)
    path.write_text(text, encoding="utf-8")
    return path


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _practice(db, external_id: str) -> Practice:
    return db.session.scalar(select(Practice).where(Practice.external_id == external_id))


# --- checking one line ---------------------------------------------------------------------


def test_a_sample_line_parses():
    line = SAMPLE.read_text(encoding="utf-8").splitlines()[3]
    record = parse_line(line, 4)
    assert record.external_id == "s-004"
    assert record.organisation == {"name": "Kymijoen työllisyysalue",
                                   "business_id": "0930858-9", "type": "employment_area"}
    assert record.published_on.isoformat() == "2026-02-09"
    # The order of the file is kept (not the code list's), so an export gives the same record.
    assert record.content["target_groups"] == ["long_term_unemployed", "partially_able_to_work",
                                               "over_50"]
    assert set(record.content) == set(Practice().content())


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "not a JSON object"),
        (json.dumps(_record(target_groups=["astronauts"])),
         'target_groups: unknown code "astronauts"'),
        (json.dumps(_record(organisation={"name": "X ry", "business_id": "1064154-8",
                                          "type": "ngo"})), "not a valid Business ID"),
        (json.dumps({k: v for k, v in _record().items() if k != "title"}), "title is missing"),
        (json.dumps(_record(language="de")), 'language: unknown code "de"'),
        (json.dumps(_record(published_on="14.3.2023")), "published_on must be a date"),
        (json.dumps(_record(published_on="2023-02-30")), "not a valid date"),
        (json.dumps(_record(published_on="2999-01-01")), "in the future"),
        (json.dumps(_record(title="x" * 201)), "title is too long (201 characters, at most 200)"),
        (json.dumps(_record(title="Rivi\nrivi")), "title contains a line break"),
        (json.dumps(_record(summary="Nolla\u0000tavu")), "summary contains a NUL character"),
        (json.dumps(_record(method="Kello\u0007")), "method contains a control character (U+0007)"),
        (json.dumps(_record(problem="\ud800")), "problem contains an invalid character"),
        (json.dumps(_record(tags="työ")), "tags must be a list of strings"),
        (json.dumps(_record(tags=[f"t{n}" for n in range(21)])), "too many tags (21, at most 20)"),
        (json.dumps(_record(tags=["x" * 61])), "a tag is too long"),
        (json.dumps(_record(regions=["MK10", 5])), "regions must be a list of strings"),
        (json.dumps(_record(regions=[])), "regions is empty"),
        (json.dumps(_record(stage="ready")), 'stage: unknown code "ready"'),
        (json.dumps(_record(evidence=None)), "evidence is missing"),
        (json.dumps(_record(titel="typo")), 'unknown key "titel"'),
        (json.dumps(_record(organisation={"name": "X ry", "business_id": "1064154-9",
                                          "type": "club"})), 'organisation.type: "club"'),
        (json.dumps(_record(organisation="Polku ry")), "organisation must be an object"),
        (json.dumps(_record(id="s 1")), "id must not contain spaces"),
        ('{"id": "a", "id": "b"}', 'the key "id" appears twice'),
        (json.dumps(_record()).replace('"s-001"', "NaN"), "NaN is not allowed"),
        (json.dumps(_record()).replace('"Polku', '"Po\x00lku'), "NUL character"),
    ],
)
def test_bad_lines_are_refused_with_a_reason(line, reason):
    with pytest.raises(ImportProblem) as problem:
        parse_line(line, 7)
    assert problem.value.line_no == 7
    assert reason in problem.value.reason
    assert str(problem.value).startswith("line 7: ")


def test_every_fault_of_a_line_is_reported_at_once():
    record = _record(language="de", stage="ready")
    del record["title"]
    with pytest.raises(ImportProblem) as problem:
        parse_line(json.dumps(record), 1)
    reason = problem.value.reason
    assert "title is missing" in reason and "language" in reason and "stage" in reason


def test_text_is_normalised_like_the_editor_does():
    record = parse_line(json.dumps(_record(summary="  Kaksi\r\nriviä.  ",
                                           tags=[" työ ", "Työ", "IPS"],
                                           regions=["MK06", "MK06"])), 1)
    assert record.content["summary"] == "Kaksi\nriviä."
    assert record.content["tags"] == ["työ", "IPS"]
    assert record.content["regions"] == ["MK06"]


# --- importing files ------------------------------------------------------------------------


def test_the_sample_imports_cleanly(db):
    summary = import_file(SAMPLE)
    assert (summary.created, summary.updated, summary.unchanged, summary.failed) == (16, 0, 0, 0)
    assert summary.organisations_created == 16
    assert _count(db, Practice, Practice.state == PracticeState.published) == 16
    assert _count(db, PracticeVersion) == 16
    practice = _practice(db, "s-012")
    assert practice.language == "sv"
    assert practice.version_count == 1 and practice.current_version.number == 1
    assert practice.current_version.change_note == "Imported"
    assert practice.first_published_on.isoformat() == "2022-06-13"
    assert practice.created_by_id is None and practice.contact_user_id is None
    assert practice.slug
    assert practice.content() == practice.current_version.content
    assert _count(db, SearchChange, SearchChange.kind == "practice") == 16
    entry = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "practices.imported")).one()
    assert entry.details["created"] == 16 and entry.details["failed"] == 0
    assert entry.details["source"] == "practices_sample.jsonl"


def test_importing_the_same_file_twice_changes_nothing(db):
    import_file(SAMPLE)
    practice = _practice(db, "s-001")
    before = (practice.updated_at, practice.lock_version, practice.published_at)
    changes = _count(db, SearchChange)
    versions = _count(db, PracticeVersion)
    organisations = _count(db, Organisation)

    summary = import_file(SAMPLE)
    assert (summary.created, summary.updated, summary.unchanged, summary.failed) == (0, 0, 16, 0)
    assert summary.organisations_created == 0
    assert _count(db, SearchChange) == changes
    assert _count(db, PracticeVersion) == versions == 16
    assert _count(db, Organisation) == organisations
    assert set(db.session.scalars(select(Practice.version_count))) == {1}
    db.session.refresh(practice)
    assert (practice.updated_at, practice.lock_version, practice.published_at) == before


def test_bad_lines_are_reported_and_the_good_ones_imported(db, tmp_path):
    good = _sample()
    bad_business_id = dict(good[3], organisation={**good[3]["organisation"],
                                                  "business_id": "0930858-8"})
    no_title = {k: v for k, v in good[4].items() if k != "title"}
    path = _write(tmp_path / "mixed.jsonl", [
        good[0],                                           # 1
        '{"id": "broken", "title": ',                      # 2 invalid JSON
        dict(good[1], target_groups=["pensioners"]),       # 3 unknown code
        bad_business_id,                                   # 4 check digit
        "",                                                # 5 blank: skipped
        no_title,                                          # 6 missing title
        dict(good[5], language="de"),                      # 7 wrong language
        dict(good[6], published_on="last spring"),         # 8 not a date
        json.dumps(good[7], ensure_ascii=False).replace("Ammattiopisto", "Ammatti\x00opisto"),  # 9
        good[2],                                           # 10
    ])
    summary = import_file(path)
    assert (summary.created, summary.failed) == (2, 7)
    reasons = {p.line_no: p.reason for p in summary.problems}
    assert sorted(reasons) == [2, 3, 4, 6, 7, 8, 9]
    assert "invalid JSON" in reasons[2]
    assert 'unknown code "pensioners"' in reasons[3]
    assert "not a valid Business ID" in reasons[4]
    assert "title is missing" in reasons[6]
    assert 'language: unknown code "de"' in reasons[7]
    assert "published_on" in reasons[8]
    assert "NUL" in reasons[9]
    assert set(db.session.scalars(select(Practice.external_id))) == {"s-001", "s-003"}
    # Nothing of a refused line is left behind, not even its organisation.
    assert _count(db, Organisation) == 2


def test_a_record_that_fails_half_way_leaves_nothing_behind(db, monkeypatch):
    from app.core.domain import DomainError
    from app.practices import services

    real = services.publish_practice

    def publish(user, practice, change_note=""):
        if practice.external_id == "s-002":
            raise DomainError("refused for the test")
        return real(user, practice, change_note)

    monkeypatch.setattr(services, "publish_practice", publish)
    summary = import_file(SAMPLE)
    assert (summary.created, summary.organisations_created) == (15, 15)
    assert [(p.line_no, p.reason) for p in summary.problems] == [
        (2, "not saved: refused for the test")]
    assert _practice(db, "s-002") is None
    assert _count(db, Organisation, Organisation.business_id == "2895645-0") == 0
    assert _count(db, AuditLog, AuditLog.action == "organisation.created") == 15


def test_invalid_utf8_and_a_repeated_id_fail_their_own_lines(db, tmp_path):
    path = tmp_path / "odd.jsonl"
    first = json.dumps(_sample()[0], ensure_ascii=False).encode()
    path.write_bytes(b"\xef\xbb\xbf" + first + b"\n" + b'{"id": "\xff"}\n' + first + b"\n")
    summary = import_file(path)
    assert summary.created == 1
    reasons = {p.line_no: p.reason for p in summary.problems}
    assert "UTF-8" in reasons[2]
    assert 'the id "s-001" already appeared on line 1' in reasons[3]


def test_a_changed_record_publishes_a_new_version(db, tmp_path):
    import_file(SAMPLE)
    practice = _practice(db, "s-002")
    lock_before = practice.lock_version
    changes = _count(db, SearchChange)
    record = _sample()[1]
    record["method"] = "1. Uusi ensimmäinen vaihe.\n2. Toinen vaihe."
    record["regions"] = ["MK01"]
    summary = import_file(_write(tmp_path / "update.jsonl", [record]))
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 0)
    db.session.refresh(practice)
    assert practice.version_count == 2
    version = practice.current_version
    assert version.number == 2 and version.change_note == "Imported update"
    assert version.content["method"] == record["method"]
    assert version.content["regions"] == ["MK01"]
    first = db.session.scalar(select(PracticeVersion).where(
        PracticeVersion.practice_id == practice.id, PracticeVersion.number == 1))
    assert first.content["regions"] == ["MK01", "MK05"]
    assert practice.lock_version == lock_before + 1 and not practice.has_unpublished_changes
    assert _count(db, SearchChange) == changes + 1
    # And importing the updated file again is a no-op.
    again = import_file(tmp_path / "update.jsonl")
    assert (again.updated, again.unchanged) == (0, 1)
    db.session.refresh(practice)
    assert practice.version_count == 2


def test_local_unpublished_edits_do_not_count_as_a_change(db):
    import_file(SAMPLE)
    practice = _practice(db, "s-003")
    practice.summary = "Paikallinen luonnos."
    practice.has_unpublished_changes = True
    db.session.commit()
    summary = import_file(SAMPLE)
    assert summary.unchanged == 16
    db.session.refresh(practice)
    assert practice.summary == "Paikallinen luonnos." and practice.version_count == 1


def test_an_archived_model_is_not_overwritten(db, tmp_path):
    import_file(SAMPLE)
    practice = _practice(db, "s-005")
    practice.state = PracticeState.archived
    db.session.commit()
    assert import_file(SAMPLE).unchanged == 16
    summary = import_file(_write(tmp_path / "u.jsonl", [dict(_sample()[4], title="Uusi otsikko")]))
    assert summary.failed == 1 and "archived" in summary.problems[0].reason
    db.session.refresh(practice)
    assert practice.title != "Uusi otsikko"


def test_organisations_are_created_verified_or_reused(db, make_organisation, tmp_path):
    existing = make_organisation(name="Polku Työhön (rekisterissä)", business_id="1064154-9",
                                 type="ngo")
    members_before = len(existing.memberships)
    summary = import_file(SAMPLE)
    assert summary.organisations_created == 15
    assert _practice(db, "s-001").organisation_id == existing.id
    db.session.refresh(existing)
    assert existing.name == "Polku Työhön (rekisterissä)"  # an import does not rename
    assert len(existing.memberships) == members_before
    created = db.session.scalar(select(Organisation).where(Organisation.business_id == "2895645-0"))
    assert created.name == "Henkilöstöpalvelu Virta Oy" and created.type == "staffing_firm"
    assert created.status == OrganisationStatus.verified and created.verified_at is not None
    assert created.memberships == []
    assert created.regions == ["MK01", "MK05"]
    # Two records of one organisation share it.
    second = dict(_sample()[1], id="s-002-b")
    import_file(_write(tmp_path / "more.jsonl", [second]))
    assert _count(db, Organisation, Organisation.business_id == "2895645-0") == 1
    assert _practice(db, "s-002-b").organisation_id == created.id


def test_an_unverified_organisation_is_not_published_for(db, make_organisation):
    make_organisation(business_id="1064154-9", verified=False)
    summary = import_file(SAMPLE)
    assert summary.created == 15
    assert [p.line_no for p in summary.problems] == [1]
    assert "not verified" in summary.problems[0].reason


def test_a_model_is_not_moved_to_another_organisation(db, tmp_path):
    import_file(SAMPLE)
    record = _sample()[0]
    record["organisation"] = _sample()[1]["organisation"]
    summary = import_file(_write(tmp_path / "move.jsonl", [record]))
    assert summary.failed == 1 and "does not move" in summary.problems[0].reason
    assert _practice(db, "s-001").organisation.business_id == "1064154-9"


def test_dry_run_writes_nothing(db):
    summary = import_file(SAMPLE, dry_run=True)
    assert (summary.created, summary.failed, summary.organisations_created) == (16, 0, 16)
    assert _count(db, Practice) == 0 and _count(db, Organisation) == 0
    assert _count(db, AuditLog) == 0 and _count(db, SearchChange) == 0


def test_commits_in_batches(db, tmp_path):
    records = [dict(_sample()[i % 16], id=f"b-{i}") for i in range(7)]
    summary = importer.import_records(importer.read_file(_write(tmp_path / "b.jsonl", records)),
                                      batch_size=3)
    assert summary.created == 7
    assert _count(db, Practice) == 7


# --- export -----------------------------------------------------------------------------------


def _sample_in_todays_codes() -> str:
    """The sample as exported: organisation types from before the reforms come back in
    today's codes (employment_authority -> employment_area, ely_centre -> regional_authority)."""
    text = SAMPLE.read_text(encoding="utf-8")
    for old, new in (("employment_authority", "employment_area"),
                     ("ely_centre", "regional_authority")):
        text = text.replace(f'"type": "{old}"', f'"type": "{new}"')
    return text


def test_export_round_trips_the_sample(db, tmp_path):
    import_file(SAMPLE)
    out = tmp_path / "export.jsonl"
    with out.open("w", encoding="utf-8") as stream:
        assert exporter.write_jsonl(exporter.export_records(), stream) == 16
    exported = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    sample = {r["id"]: r for r in map(json.loads, _sample_in_todays_codes().splitlines())}
    assert exported == sample
    for record in exported.values():
        assert list(record) == list(sample[record["id"]])  # the same key order
    # The same bytes, in fact.
    assert out.read_text(encoding="utf-8") == _sample_in_todays_codes()


def test_export_writes_published_versions_only(db, make_organisation):
    import_file(SAMPLE)
    practice = _practice(db, "s-001")
    practice.title = "Julkaisematon muutos"
    practice.has_unpublished_changes = True
    archived = _practice(db, "s-002")
    archived.state = PracticeState.archived
    own = Practice(organisation=make_organisation(), title="Oma luonnos")
    db.session.add(own)
    db.session.commit()
    records = {r["id"]: r for r in exporter.export_records()}
    assert len(records) == 15
    assert records["s-001"]["title"].startswith("Sijoita ja valmenna")
    assert "s-002" not in records


def test_export_names_models_made_here(db, make_organisation):
    from app.practices import services

    organisation = make_organisation(name="Oma ry")
    practice = Practice(organisation=organisation, title="Oma malli", summary="Lyhyesti.",
                        problem="P", method="1. M", results="R", adoption="A",
                        target_groups=["youth"], regions=["MK10"], stage="idea",
                        evidence="none")
    db.session.add(practice)
    db.session.flush()
    services.publish_practice(None, practice)
    db.session.commit()
    (record,) = exporter.export_records()
    assert record["id"] == f"kohtaamo-{practice.id}"
    assert record["organisation"] == {"name": "Oma ry", "business_id": organisation.business_id,
                                      "type": "ngo"}
    assert record["published_on"] == practice.first_published_on.isoformat()
    assert parse_line(json.dumps(record), 1).content == practice.content()


# --- the command line -------------------------------------------------------------------------


def test_cli_import_prints_the_summary(app, db, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["practices", "import", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "16 created, 0 updated, 0 unchanged, 0 failed" in result.output
    assert "16/16 lines" in result.output  # the counter (stderr is not a terminal)
    assert _count(db, Practice) == 16

    bad = _write(tmp_path / "bad.jsonl", ['{"id": 1}', _sample()[0]])
    result = runner.invoke(args=["practices", "import", str(bad)])
    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated, 1 unchanged, 1 failed" in result.output
    assert "line 1: id must be a string" in result.output


def test_cli_dry_run(app, db):
    result = app.test_cli_runner().invoke(args=["practices", "import", "--dry-run", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "dry run, nothing saved" in result.output and "would create 16" in result.output
    assert _count(db, Practice) == 0


def test_cli_fails_only_when_the_file_cannot_be_read(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["practices", "import", str(tmp_path / "missing.jsonl")])
    assert result.exit_code != 0
    assert "Cannot read" in result.output
    result = runner.invoke(args=["practices", "import", str(tmp_path)])
    assert result.exit_code != 0


def test_cli_export(app, db, tmp_path):
    runner = app.test_cli_runner()
    runner.invoke(args=["practices", "import", str(SAMPLE)])
    out = tmp_path / "out.jsonl"
    result = runner.invoke(args=["practices", "export", str(out)])
    assert result.exit_code == 0, result.output
    assert "Exported 16 published service models" in result.output
    assert out.read_text(encoding="utf-8") == _sample_in_todays_codes()
    result = runner.invoke(args=["practices", "export", "-"])
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 16
