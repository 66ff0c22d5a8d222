"""The change log and the indexer: what is published is found, nothing else ever is."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from app.core.changes import SearchChange, record_change
from app.organisations.models import Organisation, OrganisationStatus
from app.practices import services
from app.practices.models import Practice, PracticeState
from app.search import indexer, store
from app.search.service import search_organisations
from tests.fixtures.practices import owner_of


def test_a_published_model_is_found_after_catching_up(make_practice, titles, search_index):
    make_practice(title="Työhönvalmennus mielenterveyskuntoutujille", published=True)
    assert titles("mielenterveyskuntoutujien") == ["Työhönvalmennus mielenterveyskuntoutujille"]
    info = indexer.status(search_index)
    assert info["documents"]["practice"] == 1
    assert info["lag"] == 0


def test_drafts_are_never_found(make_practice, titles):
    make_practice(title="Luonnos kevytyrittäjyydestä", published=False)
    make_practice(title="Julkaistu kevytyrittäjyysmalli", published=True)
    assert titles("kevytyrittäjyys") == ["Julkaistu kevytyrittäjyysmalli"]


def test_archiving_removes_the_model_without_a_rebuild(db, make_practice, titles):
    practice = make_practice(title="Keikkatyön osuuskunta", published=True)
    assert titles("osuuskunta") == ["Keikkatyön osuuskunta"]
    services.archive_practice(owner_of(db, practice.organisation), practice)
    db.session.commit()
    assert titles("osuuskunta") == []
    services.restore_practice(owner_of(db, practice.organisation), practice)
    db.session.commit()
    assert titles("osuuskunta") == ["Keikkatyön osuuskunta"]


def test_only_the_current_published_version_is_searchable(db, make_practice, titles):
    practice = make_practice(title="Vanha otsikko valmennuksesta", published=True)
    user = owner_of(db, practice.organisation)
    services.save_practice(user, practice, {"title": "Uusi otsikko mentoroinnista"}, None)
    db.session.commit()
    # The working copy's unpublished text is not public.
    assert titles("mentorointi") == []
    assert titles("valmennus") == ["Vanha otsikko valmennuksesta"]
    services.publish_practice(user, practice)
    db.session.commit()
    assert titles("mentorointi") == ["Uusi otsikko mentoroinnista"]
    assert titles("vanha") == []


def test_a_stale_index_cannot_show_an_unpublished_model(db, make_practice, titles):
    practice = make_practice(title="Salainen työkokeilumalli", published=True)
    assert titles("työkokeilumalli") == ["Salainen työkokeilumalli"]
    # Change the state behind the change log's back: the index still has the document.
    db.session.execute(update(Practice).where(Practice.id == practice.id)
                       .values(state=PracticeState.draft))
    db.session.commit()
    assert titles("työkokeilumalli") == []


def test_a_stale_index_cannot_show_an_organisation_no_longer_verified(db, make_organisation):
    organisation = make_organisation(name="Salainen Osuuskunta")
    record_change("organisation", organisation.id)  # what the organisation services do
    db.session.commit()

    def names():
        return [hit.title for hit in search_organisations("osuuskunta").hits]

    assert names() == ["Salainen Osuuskunta"]
    db.session.execute(update(Organisation).where(Organisation.id == organisation.id)
                       .values(status=OrganisationStatus.rejected))
    db.session.commit()
    assert names() == []


def test_a_busy_index_leaves_the_work_to_the_lock_holder(db, make_practice, titles, search_index):
    make_practice(title="Ensimmäinen malli", published=True)
    assert titles("ensimmäinen") == ["Ensimmäinen malli"]
    handle = store.get_handle(search_index)
    writer = handle.index.writer()  # another process would hold this lock
    try:
        make_practice(title="Toinen malli", published=True)
        result = indexer.catch_up(search_index)
        assert result.busy
        assert titles("toinen") == []  # not yet, and no error either
    finally:
        writer.cancel()
    assert titles("toinen") == ["Toinen malli"]


def test_catch_up_applies_each_object_once(db, make_practice, search_index):
    practice = make_practice(published=True)
    for _ in range(3):
        record_change("practice", practice.id)
    db.session.commit()
    indexer.catch_up(search_index)
    assert indexer.status(search_index)["documents"]["practice"] == 1


def _gaps(root) -> set[int]:
    """The change ids the index is waiting for."""
    handle = store.get_handle(root)
    with handle.lock:
        return set(indexer.IndexState.read(handle.searcher).gaps or {})


def test_changes_that_commit_late_are_not_lost(db, make_practice, titles, search_index):
    """On PostgreSQL change 7 can commit after change 8: the indexer waits for skipped ids.
    (There, ids used by the rolled-back earlier tests are gaps too; hence the exact ids.)"""
    first = make_practice(title="Ensimmäinen malli", published=True)
    indexer.catch_up(search_index)
    last = indexer.status(search_index)["last_change"]
    db.session.add(SearchChange(id=last + 3, kind="practice", object_id=first.id,
                                operation="upsert"))
    db.session.commit()
    assert indexer.catch_up(search_index).last_change == last + 3
    assert {last + 1, last + 2} <= _gaps(search_index)
    # Now the change with a smaller id commits.
    late = make_practice(title="Myöhästynyt malli", published=True)
    db.session.execute(update(SearchChange).where(SearchChange.object_id == late.id)
                       .values(id=last + 1))
    db.session.commit()
    indexer.catch_up(search_index)
    assert titles("myöhästynyt") == ["Myöhästynyt malli"]
    gaps = _gaps(search_index)
    assert last + 1 not in gaps and last + 2 in gaps


def test_organisations_are_found_when_verified(db, make_organisation):
    for organisation in (
        make_organisation(name="Polku Työhön ry", expertise="työhönvalmennus, IPS",
                          regions=("MK06",)),
        make_organisation(name="Vahvistamaton Työhön ry", verified=False),
    ):
        record_change("organisation", organisation.id)  # what the organisation services do
    db.session.commit()
    result = search_organisations("työhön")
    assert [hit.title for hit in result.hits] == ["Polku Työhön ry"]
    assert [hit.title for hit in search_organisations("Pirkanmaa").hits] == ["Polku Työhön ry"]
    assert search_organisations("työhönvalmennusta").total == 1


def test_an_organisation_change_reindexes_its_models(db, make_organisation, make_practice,
                                                      search):
    organisation = make_organisation(name="Vanha Nimi ry")
    make_practice(organisation=organisation, title="Vertaisryhmämalli", published=True)
    assert search("Vanha Nimi").total == 1
    organisation.name = "Uusi Nimi ry"
    record_change("organisation", organisation.id)
    db.session.commit()
    result = search("vertaisryhmämalli")
    assert result.hits[0].organisation == "Uusi Nimi ry"


def test_the_organisation_services_keep_the_index_current(db, make_organisation, make_user,
                                                         make_practice, search):
    from app.organisations import services

    admin = make_user(admin=True)
    owner = make_user()
    organisation = make_organisation(name="Odottava Työpaja ry", verified=False, owner=owner)
    assert search_organisations("työpaja").total == 0
    services.verify_organisation(admin, organisation)
    db.session.commit()
    assert [hit.title for hit in search_organisations("työpaja").hits] == ["Odottava Työpaja ry"]
    make_practice(organisation=organisation, title="Työpajamalli", published=True)
    data = {"name": "Uusi Työpaja ry", "business_id": organisation.business_id,
            "type": organisation.type, "regions": ["MK10"],
            "target_groups": ["partially_able_to_work"]}
    services.update_organisation(owner, organisation, data)
    db.session.commit()
    assert [hit.title for hit in search_organisations("työpaja").hits] == ["Uusi Työpaja ry"]
    assert search("työpajamalli").hits[0].organisation == "Uusi Työpaja ry"
    services.reject_organisation(admin, organisation, "Y-tunnus ei täsmää.")
    db.session.commit()
    assert search_organisations("työpaja").total == 0


def test_an_unknown_kind_of_change_is_skipped(db, make_practice, titles, search_index):
    record_change("report", 12345)  # a kind from a later version of the code
    db.session.commit()
    make_practice(title="Malli", published=True)
    assert titles("malli") == ["Malli"]
    assert indexer.status(search_index)["lag"] == 0


@pytest.mark.parametrize("state", ["draft", "archived"])
def test_catch_up_deletes_what_is_no_longer_public(db, make_practice, search_index, state,
                                                    titles):
    practice = make_practice(title="Poistuva malli", published=True)
    assert titles("poistuva") == ["Poistuva malli"]
    practice.state = PracticeState(state)
    record_change("practice", practice.id)  # an upsert: re-read, not public, so removed
    db.session.commit()
    assert titles("poistuva") == []
